/**
 * The published packages as a user gets them: `npm pack` of the workspace's library and command
 * line into a fresh temporary folder, installed from those tarballs into other fresh folders, and
 * tools (npm, bundlers, compilers) run there as child processes.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository, from this package's build/test folder. */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
/** packages/consumers, where the apps built in the tests come from. */
export const consumersRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment a user's shell gives a command. `npm test` exports its own package's settings
 * (npm_config_local_prefix would make an `npm install` in a temporary folder install into the
 * repository) and node:test marks its children; the user's npm configuration (cache, certificates)
 * stays.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    const lower = name.toLowerCase();
    const fromScript =
      lower.startsWith('npm_package_') ||
      lower.startsWith('npm_lifecycle_') ||
      lower.startsWith('npm_config_workspace') ||
      ['npm_config_local_prefix', 'npm_command', 'init_cwd', 'node_test_context'].includes(lower);
    if (!fromScript) env[name] = value;
  }
  return env;
}

/** Runs a command to its end (killed after `timeoutMs`), and returns its exit code and output. */
export function run(command: string, args: readonly string[], options: { cwd: string; timeoutMs?: number }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like run, but a non-zero exit is an error that shows the command's output. */
export async function runOk(command: string, args: readonly string[], options: { cwd: string; timeoutMs?: number }): Promise<Ran> {
  const ran = await run(command, args, options);
  if (ran.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd}) exited with ${ran.code}:\n${ran.stdout}\n${ran.stderr}`);
  }
  return ran;
}

/** A new empty folder under the system's temporary folder; the caller removes it. */
export function freshFolder(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `tensor-pooling-${label}-`));
}

/** One file of a tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** What `npm pack --json` says of one tarball. */
export interface Packed {
  readonly name: string;
  readonly version: string;
  /** Where the tarball is. */
  readonly tarball: string;
  /** The tarball's own size (gzip). */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}

/** Packs the library and the command line from the workspace (built by `npm run build`) into `folder`. */
export async function packWorkspace(folder: string): Promise<{ library: Packed; cli: Packed }> {
  const ran = await runOk('npm', ['pack', '--json', '--pack-destination', folder, '-w', 'tensor-pooling', '-w', 'tensor-pooling-cli'], {
    cwd: repoRoot,
  });
  const listed = JSON.parse(ran.stdout) as (Omit<Packed, 'tarball'> & { readonly filename: string })[];
  const packs = listed.map(({ filename, ...pack }): Packed => ({ ...pack, tarball: join(folder, filename) }));
  const find = (name: string) => {
    const pack = packs.find((candidate) => candidate.name === name);
    if (pack === undefined) throw new Error(`npm pack made no tarball of ${name}`);
    return pack;
  };
  return { library: find('tensor-pooling'), cli: find('tensor-pooling-cli') };
}

/**
 * `npm install` of tarballs into `folder` (a fresh folder gets its own package.json first), as a
 * user installs a published version. `offline`: nothing may come from the registry (the library
 * has no dependencies); otherwise the registry answers what the npm cache does not hold.
 */
export async function installTarballs(folder: string, tarballs: readonly string[], options: { offline: boolean }): Promise<Ran> {
  await writeFile(join(folder, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`, { flag: 'wx' });
  return runOk(
    'npm',
    ['install', options.offline ? '--offline' : '--prefer-offline', '--no-audit', '--no-fund', '--no-update-notifier', ...tarballs],
    { cwd: folder, timeoutMs: 300_000 },
  );
}

const require = createRequire(import.meta.url);

/** The path of a command that an installed package provides (its `bin`), as npm links it. */
export async function binOf(packageName: string, command = packageName): Promise<string> {
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[command];
  if (bin === undefined) throw new Error(`${packageName} has no command ${command}`);
  return join(dirname(manifestPath), bin);
}

/** The folder of a package installed in this workspace (a bundler a test app links to). */
export function packageFolder(packageName: string): string {
  return dirname(require.resolve(`${packageName}/package.json`));
}
