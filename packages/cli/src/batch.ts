/**
 * `batch`: the same pooling for many files, over worker threads, with a progress bar. Resumable:
 * an output that exists is complete (outputs are renamed into place), so it is skipped unless
 * --force. Ctrl-C stops the workers and removes their temporary files; the outputs already
 * written stay, and the next run continues from there.
 */
import { constants } from 'node:fs';
import { access, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import { glob } from 'tinyglobby';
import type { BatchJob, BatchReply } from './batch-worker.js';
import { CliError, EXIT_OK, EXIT_SOME_FAILED, printable, printableLines } from './errors.js';
import { isTempFile, removeOwnTempFiles, sameFile } from './files.js';
import { IMAGE_EXTENSIONS, isImagePath } from './images.js';
import { checkRequest, type PoolFileOptions } from './pool-file.js';
import { isTensorPath } from './tensor-files.js';

export interface BatchOptions {
  readonly inputs: readonly string[];
  readonly outputFolder: string;
  /** Output extension without the dot; default each input's own. */
  readonly format?: string;
  readonly threads?: number;
  readonly verbose: boolean;
  readonly progress: boolean;
  readonly pool: PoolFileOptions;
}

function isPoolable(path: string): boolean {
  return (isImagePath(path) || isTensorPath(path)) && !isTempFile(basename(path));
}

/**
 * Folders give their poolable files, globs their matches, other paths themselves: a path that
 * exists but cannot be read (a dangling link, a FIFO) fails on its own in the summary.
 */
async function collectInputs(inputs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      for (const name of (await readdir(input)).sort()) if (isPoolable(name)) found.add(join(input, name));
    } else if (info !== undefined || (await lstat(input).then(() => true, () => false))) {
      found.add(input);
    } else if (/[*?[{]/.test(input)) {
      for (const path of await glob(input, { onlyFiles: true, expandDirectories: false })) if (isPoolable(path)) found.add(path);
    } else {
      throw new CliError(`${input}: no such file or folder`);
    }
  }
  if (found.size === 0) throw new CliError(`no images or tensors found in ${inputs.join(', ')}`);
  return [...found].sort();
}

interface Failure {
  readonly input: string;
  readonly message: string;
  readonly stack?: string;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

const OUTPUT_EXTENSIONS = [...IMAGE_EXTENSIONS, '.npy', '.json'].map((ext) => ext.slice(1));

/**
 * --format is a bare extension: it is appended to every output's name, so anything else (a slash,
 * "..") would put outputs outside the output folder.
 */
function outputExtension(format: string): string {
  const ext = format.replace(/^\./, '');
  if (!OUTPUT_EXTENSIONS.includes(ext.toLowerCase())) {
    throw new CliError(`--format must be one of ${OUTPUT_EXTENSIONS.join(', ')} (an extension, with or without its dot); got ${JSON.stringify(format)}`);
  }
  return `.${ext}`;
}

export async function runBatch(options: BatchOptions): Promise<number> {
  checkRequest(options.pool.request);
  const formatExtension = options.format === undefined ? undefined : outputExtension(options.format);
  const inputs = await collectInputs(options.inputs);
  const folder = options.outputFolder;
  const outputOf = (input: string) => join(folder, `${basename(input, extname(input))}${formatExtension ?? extname(input)}`);
  await mkdir(folder, { recursive: true });
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new CliError(`${folder}: the output folder is not writable`);
  }

  const jobs: BatchJob[] = [];
  const failures: Failure[] = [];
  const claimed = new Set<string>();
  let skipped = 0;
  for (const input of inputs) {
    const output = outputOf(input);
    if (claimed.has(output)) {
      failures.push({ input, message: `${input}: its output ${output} is also the output of another input; rename one of them` });
      continue;
    }
    claimed.add(output);
    if (sameFile(input, output)) {
      failures.push({ input, message: `${input}: its output would overwrite it; choose another output folder or --format` });
      continue;
    }
    const done = await stat(output).then(() => true, () => false);
    if (done && !options.pool.force) {
      skipped++;
      continue;
    }
    jobs.push({ index: jobs.length, input, output, options: options.pool });
  }

  // For the progress bar only: a file that cannot be read (a dangling link) fails in its worker, with its reason.
  const sizes = await Promise.all(jobs.map((job) => stat(job.input).then((s) => (s.isFile() ? s.size : 0), () => 0)));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const bar = new cliProgress.SingleBar(
    {
      format: '{bar} {value}/{total} files | {done} of {size} | {rate}/s | {duration_formatted} elapsed, ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let bytesDone = 0;
  const payload = () => ({
    done: formatBytes(bytesDone),
    size: formatBytes(totalBytes),
    rate: formatBytes(bytesDone / Math.max(0.001, (Date.now() - started) / 1000)),
  });
  if (options.progress && jobs.length > 0) bar.start(jobs.length, 0, payload());

  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
  const workers: Worker[] = [];
  let written = 0;
  const interrupt = async () => {
    // Workers stop first, so that none creates a temporary file after the clean-up.
    await Promise.all(workers.map((worker) => worker.terminate()));
    removeOwnTempFiles(folder);
    if (options.progress) bar.stop();
    process.stderr.write(`\ninterrupted: ${written} of ${jobs.length} files written, none partially; run the same command again to resume\n`);
    process.exit(130);
  };
  const onSignal = () => void interrupt();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let running = 0;
    const feed = (worker: Worker) => {
      const job = jobs[next++];
      if (job === undefined) {
        void worker.terminate();
        if (running === 0) resolve();
        return;
      }
      running++;
      worker.postMessage(job);
    };
    if (jobs.length === 0) resolve();
    for (let t = 0; t < threads && jobs.length > 0; t++) {
      const worker = new Worker(new URL('./batch-worker.js', import.meta.url));
      workers.push(worker);
      worker.on('message', (reply: BatchReply) => {
        running--;
        const job = jobs[reply.index]!;
        bytesDone += sizes[reply.index]!;
        if (reply.ok) written++;
        else failures.push({ input: job.input, message: reply.message, stack: reply.stack });
        bar.increment(1, payload());
        feed(worker);
        if (running === 0 && next >= jobs.length) resolve();
      });
      worker.on('error', reject);
      feed(worker);
    }
  });
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (options.progress && jobs.length > 0) bar.stop();

  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(
    `${written} written, ${skipped} skipped (already done), ${failures.length} failed, in ${seconds.toFixed(1)} s on ${threads} thread${threads === 1 ? '' : 's'}\n`,
  );
  if (failures.length > 0) {
    process.stderr.write(`failures:\n`);
    for (const failure of failures) {
      process.stderr.write(`  ${printable(failure.message)}\n`);
      if (options.verbose && failure.stack) process.stderr.write(`${printableLines(failure.stack).replace(/^/gm, '    ')}\n`);
    }
    return EXIT_SOME_FAILED;
  }
  return EXIT_OK;
}
