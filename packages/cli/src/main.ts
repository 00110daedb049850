#!/usr/bin/env node
/**
 * tensor-pooling: pool images and tensors from a shell, explain the arithmetic, process folders.
 * Argument parsing is commander's; every pooling rule is the library's.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { init } from 'tensor-pooling';
import { runBatch } from './batch.js';
import { CliError, EXIT_OK, EXIT_USAGE, describeErrno, describeFailure, printable, printableJson, printableLines } from './errors.js';
import { removeOwnTempFiles } from './files.js';
import { compareDialects, explainJson, explainRequest, parseInputSize, renderComparison, renderExplained } from './explain.js';
import { DEFAULT_MAX_PIXELS, type BitDepth } from './images.js';
import { DEFAULT_MAX_INPUT_BYTES } from './input-file.js';
import { inspectCommand, rewriteCommand } from './onnx.js';
import { poolFile, type PoolFileOptions } from './pool-file.js';
import { DIALECTS, OPS, parsePoolFlags, parsePositiveInteger, type PoolFlags } from './request.js';

interface GlobalFlags {
  verbose?: boolean;
}

interface OutputFlags extends PoolFlags {
  output?: string;
  force?: boolean;
  premultiply?: boolean;
  bitDepth?: string;
  bigEndian?: boolean;
  maxPixels?: string;
  maxInputBytes?: string;
  json?: boolean;
  quiet?: boolean;
}

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function addPoolingOptions(command: Command): Command {
  return command
    .addOption(new Option('--op <op>', 'what to pool').choices(OPS).default('avg'))
    .option('-k, --kernel <size>', 'window size: one for every axis, or one per axis (3x2 or 3,2)')
    .option('-s, --stride <size>', 'step between windows (default: the kernel)')
    .option('-p, --padding <padding>', 'a number, one per axis (1x2), begin:end pairs per axis (0:1,1:0), valid, same or same-lower')
    .option('--dilation <size>', 'spacing between taps of a window')
    .option('--ceil', 'round the output size up (ceil mode)')
    .option('--count-include-pad', 'count padding in the divisor of an average')
    .option('--no-count-include-pad', 'do not count padding in the divisor (PyTorch counts it by default)')
    .option('--divisor <number>', 'divide every window by this number (PyTorch divisor_override)')
    .option('--output-size <size>', 'adaptive pooling: output size, one or one per axis (7x5, none keeps an axis)')
    .option('--p <number>', 'Lp pooling: the power p (default 2)')
    .addOption(new Option('--dialect <dialect>', "an ecosystem's defaults and rules (native: the library's own)").choices(DIALECTS).default('native'))
    .option('--backend <name>', "which kernels run the plan (native ops only; default 'auto')")
    .option('--threads <n>', 'pool: worker threads of the library for one file; batch: files pooled at once (default: all cores)')
    .addOption(new Option('--layout <layout>', 'tensors: where the channel axis is (native) or Keras data_format').choices(['channels-first', 'channels-last']))
    .option('--spatial-dims <n>', 'tensors: how many spatial axes (default: rank - 2)');
}

function addOutputOptions(command: Command): Command {
  return command
    .option('-f, --force', 'overwrite existing outputs (never the input)')
    .option('--no-premultiply', 'average images with alpha straight, not premultiplied')
    .addOption(new Option('--bit-depth <bits>', 'image output depth (default: the input’s)').choices(['8', '16']))
    .option('--big-endian', '.npy output in big-endian byte order')
    .option('--max-pixels <n>', `refuse images with more pixels, before decoding them (default ${DEFAULT_MAX_PIXELS}, 16383 x 16383)`)
    .option('--max-input-bytes <n>', `refuse input files with more bytes, before reading them (default ${DEFAULT_MAX_INPUT_BYTES}, 2 GiB)`);
}

function poolOptions(flags: OutputFlags): PoolFileOptions {
  return {
    request: parsePoolFlags(flags),
    force: flags.force === true,
    premultiply: flags.premultiply !== false,
    bitDepth: flags.bitDepth === undefined ? undefined : (Number(flags.bitDepth) as BitDepth),
    byteOrder: flags.bigEndian ? 'big' : 'little',
    maxPixels: flags.maxPixels === undefined ? DEFAULT_MAX_PIXELS : parsePositiveInteger('--max-pixels', flags.maxPixels),
    maxInputBytes: flags.maxInputBytes === undefined ? DEFAULT_MAX_INPUT_BYTES : parsePositiveInteger('--max-input-bytes', flags.maxInputBytes),
  };
}

const CHANNEL_NAMES: Record<number, readonly string[]> = { 1: ['grey'], 2: ['grey', 'alpha'], 3: ['red', 'green', 'blue'], 4: ['red', 'green', 'blue', 'alpha'] };

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

export function buildProgram(): Command {
  const program = new Command('tensor-pooling')
    .description('Average pooling and the pooling family for images and tensors, exact to PyTorch, ONNX, Keras and TF.js.')
    .version(version, '-V, --version')
    .option('-v, --verbose', 'show stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    // Commander's messages quote what was typed: an argument may hold control characters too.
    .configureOutput({ outputError: (text, write) => write(printableLines(text)) })
    .addHelpText(
      'after',
      examples([
        'tensor-pooling pool photo.png -o half.png --kernel 2',
        'tensor-pooling explain --input 5 --kernel 2 --stride 2 --padding 1 --ceil --compare',
        'tensor-pooling batch photos/ -o small/ --kernel 4 --threads 2',
        'tensor-pooling onnx inspect model.onnx',
      ]) + '\nExit codes: 0 success, 1 some files of a batch failed, 2 bad usage or bad input, 130 interrupted.\n',
    );

  const pool = program
    .command('pool')
    .description('pool one image (PNG, JPEG, WebP, TIFF, GIF) or tensor (.npy, .json) into an image, .npy or .json')
    .argument('<input>', 'image or tensor file')
    .option('-o, --output <file>', 'output file; its extension picks the format (omit for global pooling to print the values)')
    .option('--json', 'print per-channel results (global pooling) as JSON')
    .option('-q, --quiet', 'print nothing on success');
  addPoolingOptions(pool);
  addOutputOptions(pool);
  pool.addHelpText(
    'after',
    examples([
      'tensor-pooling pool photo.png -o half.png --kernel 2',
      'tensor-pooling pool photo.jpg -o thumb.webp --op adaptive-avg --output-size 64x64',
      'tensor-pooling pool scan.tif -o scan16.png --kernel 3 --stride 2 --padding 1 --bit-depth 16',
      'tensor-pooling pool photo.png --op global-avg --json',
      'tensor-pooling pool x.npy -o y.npy --kernel 2 --dialect torch --ceil',
      'tensor-pooling pool x.json -o y.json --kernel 3 --padding same --dialect onnx',
    ]),
  );
  pool.action(async (input: string, flags: OutputFlags) => {
    const options = poolOptions(flags);
    if (flags.output === undefined && !options.request.op.startsWith('global')) {
      throw new CliError('pool needs -o <output> (only global pooling can print its result instead)');
    }
    await init();
    const output = flags.output;
    // Ctrl-C between writing the temporary file and renaming it must not leave the temporary file.
    const onSignal = () => {
      if (output !== undefined) removeOwnTempFiles(dirname(resolve(output)));
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const result = await poolFile(input, output, options);
    const run = result.runs[0];
    if (result.perChannel && result.output === undefined) {
      const names = CHANNEL_NAMES[result.perChannel.length] ?? result.perChannel.map((_, c) => `channel ${c}`);
      if (flags.json) {
        process.stdout.write(`${printableJson({ input, op: run?.plan.op, channels: Object.fromEntries(result.perChannel.map((v, c) => [names[c]!, v])) })}\n`);
      } else {
        const width = Math.max(...names.map((n) => n.length));
        for (const [c, value] of result.perChannel.entries()) process.stdout.write(`${names[c]!.padEnd(width)}  ${value}\n`);
      }
    }
    if (!flags.quiet) {
      const how = run ? ` (${run.plan.op}, backend ${run.backend}, ${run.milliseconds.toFixed(1)} ms)` : '';
      process.stderr.write(`${printable(`${input} ${JSON.stringify(result.inputShape)} -> ${result.output ?? 'stdout'} ${JSON.stringify(result.outputShape)}${how}`)}\n`);
    }
  });

  const explain = program
    .command('explain')
    .description('show the arithmetic of a pooling call: output-size formula, every window, divisors, warnings')
    .option('-i, --input <size>', 'spatial size of the input, one per axis (5, 7x7)')
    .option('--json', 'machine-readable output')
    .option('--compare', 'the same numbers in every dialect side by side');
  addPoolingOptions(explain);
  explain.addHelpText(
    'after',
    examples([
      'tensor-pooling explain --input 7x7 --kernel 3 --stride 2 --padding 1 --ceil --dialect torch',
      'tensor-pooling explain --input 5 --kernel 2 --stride 2 --padding 1 --ceil --compare',
      'tensor-pooling explain --input 10 --op adaptive-avg --output-size 3 --json',
    ]),
  );
  explain.action((flags: PoolFlags & { input?: string; json?: boolean; compare?: boolean }) => {
    const sizes = parseInputSize(flags.input);
    const request = parsePoolFlags(flags);
    if (flags.compare) {
      const comparisons = compareDialects(sizes, request);
      const text = flags.json
        ? `${JSON.stringify(comparisons.map((c) => ({ dialect: c.dialect, ...(c.explained ? explainJson(c.explained) as object : { error: c.error }) })), null, 1)}\n`
        : renderComparison(comparisons);
      process.stdout.write(text);
      return;
    }
    const explained = explainRequest(sizes, request);
    process.stdout.write(flags.json ? `${JSON.stringify(explainJson(explained), null, 1)}\n` : renderExplained(explained));
  });

  const batch = program
    .command('batch')
    .description('pool many files (a folder, a glob or a list) into a folder: all cores, progress bar, resumable')
    .argument('<inputs...>', 'folders, globs or files')
    .requiredOption('-o, --output <folder>', 'output folder (created if missing)')
    .option('--format <ext>', 'output format for every file (png, webp, npy, json, ...; default: each input’s own)')
    .option('--no-progress', 'no progress bar');
  addPoolingOptions(batch);
  addOutputOptions(batch);
  batch.addHelpText(
    'after',
    examples([
      'tensor-pooling batch photos/ -o small/ --kernel 2',
      "tensor-pooling batch 'scans/*.tif' -o out/ --format png --kernel 4 --threads 2",
      'tensor-pooling batch tensors/ -o pooled/ --kernel 2 --dialect torch --force',
    ]) + '\nFiles whose output already exists are skipped (resume after Ctrl-C); --force redoes them.\n',
  );
  batch.action(async (inputs: string[], flags: OutputFlags & { format?: string; threads?: string; progress?: boolean }) => {
    const threads = flags.threads === undefined ? undefined : parsePositiveInteger('--threads', flags.threads);
    process.exitCode = await runBatch({
      inputs,
      outputFolder: flags.output!,
      format: flags.format,
      threads,
      verbose: program.opts<GlobalFlags>().verbose === true,
      progress: flags.progress !== false && process.stderr.isTTY === true,
      // --threads here is the number of files pooled at once; each file runs on one thread.
      pool: poolOptions({ ...flags, threads: undefined }),
    });
  });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const onnx = program.command('onnx').description("pooling nodes of ONNX models: what each computes and each runtime does with it; rewrite the ones onnxruntime-web refuses");
  onnx
    .command('inspect')
    .description('list every pooling node: attributes in words, shapes, how each axis was sized, what each runtime does with it')
    .argument('<model>', '.onnx file')
    .option('--input-shape <name=sizes>', 'the shape of a value the model leaves symbolic or unsized (repeatable): X=1x3x224x224', collect)
    .option('--json', 'machine-readable output')
    .addHelpText('after', examples(['tensor-pooling onnx inspect model.onnx', 'tensor-pooling onnx inspect model.onnx --input-shape pixel_values=1x3x640x640 --json']))
    .action(async (model: string, flags: { inputShape?: string[]; json?: boolean }) => {
      process.stdout.write(await inspectCommand(model, flags));
    });
  onnx
    .command('rewrite')
    .description('write a copy of the model whose pooling nodes onnxruntime-web accepts, computing exactly the same (ceil_mode and auto_pad become explicit pads)')
    .argument('<input>', '.onnx file (never overwritten)')
    .requiredOption('-o, --output <file>', 'the rewritten model')
    .addOption(new Option('--for <runtime>', 'the runtime to rewrite for').choices(['ort-web']).makeOptionMandatory())
    .option('-f, --force', 'overwrite an existing output (never the input)')
    .option('--input-shape <name=sizes>', 'the shape of a value the model leaves symbolic or unsized (repeatable): X=1x3x224x224', collect)
    .addHelpText('after', examples(['tensor-pooling onnx rewrite model.onnx -o model.ort-web.onnx --for ort-web']))
    .action(async (input: string, flags: { output: string; for: string; force?: boolean; inputShape?: string[] }) => {
      process.stderr.write(await rewriteCommand(input, flags));
    });
  return program;
}

/**
 * Writing to stdout fails asynchronously, as an 'error' event that would otherwise end the process
 * with a stack trace. A reader that went away (`| head`) wanted no more: stop quietly. Anything
 * else (a full disk) is said in one line.
 */
function handleStdoutErrors(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT_OK);
    process.stderr.write(`tensor-pooling: cannot write to the standard output (${describeErrno(error.code, error.message)})\n`);
    process.exit(EXIT_USAGE);
  });
}

async function main(argv: readonly string[]): Promise<void> {
  handleStdoutErrors();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its usage message otherwise.
      process.exitCode = error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return;
    }
    const { message, exitCode } = describeFailure(error);
    process.stderr.write(`tensor-pooling: ${printable(message)}\n`);
    if (program.opts<GlobalFlags>().verbose && error instanceof Error && error.stack) process.stderr.write(`${printableLines(error.stack)}\n`);
    process.exitCode = exitCode;
  }
}

await main(process.argv);
