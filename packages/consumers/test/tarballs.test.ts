/**
 * The tarballs `npm pack` makes, installed as a user installs them: the library is one package
 * with no dependencies, under 1 MB unpacked, holding every file its code and types reach and no
 * other; the command line installs beside it and `npx tensor-pooling pool` works from there.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { consumersRoot, freshFolder, installTarballs, packWorkspace, runOk, type Packed } from './packed.js';

const ONE_MB = 1_000_000;

interface Manifest {
  readonly main?: string;
  readonly types?: string;
  readonly exports: Record<string, unknown>;
  readonly imports: Record<string, Record<string, string>>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** Every file a conditions object (or a plain path) names, with the condition that led there. */
function targets(entry: unknown, condition = 'default'): { condition: string; path: string }[] {
  if (typeof entry === 'string') return [{ condition, path: entry }];
  if (entry === null || typeof entry !== 'object') return [];
  return Object.entries(entry).flatMap(([name, value]) => targets(value, name));
}

/** Joins a relative specifier to the folder of the file that wrote it (POSIX paths inside a package). */
function resolveFrom(file: string, specifier: string): string {
  const parts = file.split('/').slice(0, -1);
  for (const segment of specifier.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.') parts.push(segment);
  }
  return parts.join('/');
}

const bare = (path: string) => path.replace(/^\.\//, '');

/**
 * The files that running the package reaches, from its entry points: static and dynamic imports,
 * package `imports` (every condition but types), and `new URL('./…', import.meta.url)` (wasm
 * binaries, the worker), in either quotes (the published JS is reprinted without comments at
 * prepack). Bare specifiers are collected apart: they are other packages.
 */
async function runtimeGraph(root: string, manifest: Manifest): Promise<{ files: Set<string>; packages: Set<string> }> {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [
    ...Object.entries(manifest.exports)
      .filter(([subpath]) => subpath !== './package.json')
      .flatMap(([, entry]) => targets(entry))
      .filter(({ condition }) => condition !== 'types')
      .map(({ path }) => bare(path)),
    ...(manifest.main ? [bare(manifest.main)] : []),
  ];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    if (!file.endsWith('.js')) continue;
    const code = await readFile(join(root, file), 'utf8');
    const specifiers = [
      ...code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+(['"])([^'"]+)\1/g),
      ...code.matchAll(/(?:^|\n)\s*import\s+(['"])([^'"]+)\1/g),
      ...code.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g),
      ...code.matchAll(/new URL\(\s*(['"])([^'"]+)\1,\s*import\.meta\.url\s*\)/g),
    ].map((match) => match[2]!);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) queue.push(resolveFrom(file, specifier));
      else if (specifier.startsWith('#')) {
        const mapped = targets(manifest.imports[specifier]).filter(({ condition }) => condition !== 'types');
        assert.ok(mapped.length > 0, `${file} imports ${specifier}, which package.json's imports does not map`);
        queue.push(...mapped.map(({ path }) => bare(path)));
      } else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  }
  return { files, packages };
}

/**
 * The declaration files that the package's types reach: from its types entry points and from the
 * declarations of every module that runs (they ship beside it), through their relative imports.
 */
async function typesGraph(root: string, manifest: Manifest, runtimeFiles: ReadonlySet<string>): Promise<Set<string>> {
  const files = new Set<string>();
  const queue = [
    ...Object.values(manifest.exports)
      .flatMap((entry) => targets(entry))
      .filter(({ condition }) => condition === 'types')
      .map(({ path }) => bare(path)),
    ...(manifest.types ? [bare(manifest.types)] : []),
    ...[...runtimeFiles].filter((file) => file.endsWith('.js')).map((file) => file.replace(/\.js$/, '.d.ts')),
  ];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    const code = await readFile(join(root, file), 'utf8').catch(() => undefined);
    // A bundled file (the browser worker) has no declarations.
    if (code === undefined) continue;
    files.add(file);
    for (const match of code.matchAll(/(?:from\s+|import\(\s*)'(\.[^']+)'/g)) {
      queue.push(resolveFrom(file, match[1]!).replace(/\.js$/, '.d.ts'));
    }
  }
  return files;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

let work: string;
let library: Packed;
let cli: Packed;

before(async () => {
  work = await freshFolder('tarballs');
  ({ library, cli } = await packWorkspace(work));
}, { timeout: 120_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the library tarball', () => {
  let installed: string;

  it('installs exactly one package, offline, with no dependencies', { timeout: 120_000 }, async (t) => {
    const folder = join(work, 'library-user');
    await mkdir(folder);
    await installTarballs(folder, [library.tarball], { offline: true });
    const lock = JSON.parse(await readFile(join(folder, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    assert.deepEqual(Object.keys(lock.packages), ['node_modules/tensor-pooling']);
    assert.deepEqual((await readdir(join(folder, 'node_modules'))).sort(), ['.package-lock.json', 'tensor-pooling']);
    installed = join(folder, 'node_modules/tensor-pooling');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Manifest;
    assert.equal(manifest.dependencies, undefined);
    t.diagnostic(
      `${library.name}-${library.version}.tgz: ${kB(library.size)} packed, ${kB(library.unpackedSize)} unpacked, ${library.files.length} files`,
    );
  });

  it('is under 1 MB unpacked', () => {
    assert.ok(library.unpackedSize < ONE_MB, `${library.unpackedSize} bytes unpacked`);
  });

  it('ships no tests, sources, source maps, build info or build scripts', () => {
    const unwanted = library.files
      .map((file) => file.path)
      .filter((path) => /(^|\/)(test|tests|examples|scripts|assembly|gen)\//.test(path) || /(?<!\.d)\.ts$|\.map$|tsbuildinfo/.test(path));
    assert.deepEqual(unwanted, []);
  });

  it('ships every file its code and types reach, and nothing they do not reach', async () => {
    assert.ok(installed, 'the install failed');
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Manifest;
    const shipped = new Set(library.files.map((file) => file.path));
    const runtime = await runtimeGraph(installed, manifest);
    const types = await typesGraph(installed, manifest, runtime.files);
    assert.deepEqual([...runtime.files, ...types].filter((file) => !shipped.has(file)).sort(), [], 'reached but not shipped');
    // Other packages the code imports are the optional TF.js peers (tensor-pooling/tfjs), never dependencies.
    assert.deepEqual([...runtime.packages].filter((name) => manifest.peerDependencies?.[name] === undefined), []);
    const unreached: string[] = [];
    for (const file of shipped) {
      if (file.endsWith('.d.ts')) {
        if (!types.has(file)) unreached.push(file);
      } else if (/\.(js|wasm)$/.test(file) && !runtime.files.has(file)) {
        // A module of types only compiles to an empty module that nothing imports at run time; its declarations are what counts.
        const typesOnly = file.endsWith('.js') && (await readFile(join(installed, file), 'utf8')).trim() === 'export {};';
        if (!(typesOnly && types.has(file.replace(/\.js$/, '.d.ts')))) unreached.push(file);
      }
    }
    assert.deepEqual(unreached.sort(), [], 'shipped but never reached');
    // Package imports' types conditions point into src/ for the library's own compile: no shipped declaration may use them.
    for (const file of [...shipped].filter((path) => path.endsWith('.d.ts'))) {
      const code = await readFile(join(installed, file), 'utf8');
      assert.doesNotMatch(code, /from '#/, `${file} imports a package import`);
    }
    for (const needed of [
      'build/src/kernels/wasm/tensor-pooling-kernels.wasm',
      'build/src/kernels/wasm/tensor-pooling-kernels-shared.wasm',
      'build/src/kernels/workers/tensor-pooling-worker.js',
      'build/src/workers/node-worker.js',
      'build/src/index.d.ts',
      'build/src/tfjs/index.d.ts',
    ]) {
      assert.ok(runtime.files.has(needed) || types.has(needed), `${needed} is reached`);
    }
  });

  it('runs on Node from the fresh folder: the wasm kernels load and threads: 2 splits across worker_threads', { timeout: 60_000 }, async () => {
    assert.ok(installed, 'the install failed');
    const folder = join(work, 'library-user');
    const script = join(folder, 'smoke.mjs');
    await copyFile(join(consumersRoot, 'fixtures/node/smoke.mjs'), script);
    const ran = await runOk(process.execPath, [script], { cwd: folder, timeoutMs: 50_000 });
    assert.deepEqual(JSON.parse(ran.stdout), { wasm: true, wasmError: null, workers: 1, backends: ['wasm x2'], sameBits: true });
    assert.equal(ran.stderr, '');
  });
});

describe('the command line tarball', () => {
  it('installs beside the library tarball, and npx tensor-pooling pool works from that folder', { timeout: 360_000 }, async (t) => {
    const folder = join(work, 'cli-user');
    await mkdir(folder);
    // The library from its tarball; sharp, commander and the rest from the npm cache, or the registry where the cache lacks them.
    await installTarballs(folder, [library.tarball, cli.tarball], { offline: false });
    const lock = JSON.parse(await readFile(join(folder, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    assert.match(lock.packages['node_modules/tensor-pooling']?.resolved ?? '', /^file:.*tensor-pooling-0\.2\.0\.tgz$/);
    assert.equal(
      Object.keys(lock.packages).filter((path) => /(^|\/)tensor-pooling$/.test(path)).length,
      1,
      'one copy of the library: the command line uses the tarball installed beside it',
    );
    t.diagnostic(`${cli.name}-${cli.version}.tgz: ${kB(cli.size)} packed, ${kB(cli.unpackedSize)} unpacked, ${cli.files.length} files`);

    await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 100, b: 50 } } })
      .png()
      .toFile(join(folder, 'in.png'));
    const ran = await runOk('npx', ['--no', 'tensor-pooling', 'pool', 'in.png', '-o', 'out.png', '--kernel', '2'], { cwd: folder });
    assert.match(ran.stdout + ran.stderr, /in\.png \[6,8,3\] -> out\.png \[3,4,3\]/);
    const { data, info } = await sharp(join(folder, 'out.png')).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height, info.channels], [4, 3, 3]);
    assert.deepEqual([...data.subarray(0, 3)], [200, 100, 50]);
  });
});
