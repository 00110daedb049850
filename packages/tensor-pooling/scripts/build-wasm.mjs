#!/usr/bin/env node
// Compiles the AssemblyScript kernels (src/kernels/wasm/assembly) to WebAssembly SIMD, twice: with
// its own memory (copies in and out of it are ordinary memcpys) and importing a shared memory
// (tensors that workers pool in place; V8 copies to and from shared memory at a fraction of
// memcpy's speed, so host arrays keep the first). Writes the two binaries as files beside the code
// that loads them (build/src/kernels/wasm/tensor-pooling-kernels*.wasm, see --copy): Node reads them,
// browsers fetch them through `new URL('./tensor-pooling-kernels.wasm', import.meta.url)`, which
// bundlers follow and copy, so no base64 of them sits in anyone's JavaScript. Skips the compile when the sources have not changed since the
// binaries were written (gen/manifest.json records their hash): the build runs often. The
// binaries are committed, and CI checks they are exactly what the sources compile to (`--force`
// recompiles regardless; asc's output is deterministic). `--copy <dir>` copies them into a build
// folder (tsc does not copy them), as tensor-pooling-kernels.wasm and tensor-pooling-kernels-shared.wasm.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src/kernels/wasm/assembly');
const entry = join(sourceDir, 'kernels.ts');
const genDir = join(root, 'src/kernels/wasm/gen');
const outputs = { own: join(genDir, 'kernels.wasm'), shared: join(genDir, 'kernels-shared.wasm') };
const manifest = join(genDir, 'manifest.json');
const ascFlags = ['-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--use', 'abort='];
/** The shared variant: imports a shared memory of up to the wasm32 limit (65536 pages). */
const sharedFlags = ['--enable', 'threads', '--importMemory', '--sharedMemory', '--maximumMemory', '65536'];

const copyAt = process.argv.indexOf('--copy');
if (copyAt >= 0) {
  const target = resolve(root, process.argv[copyAt + 1] ?? '');
  mkdirSync(target, { recursive: true });
  // Named for the package, since a bundler that does not follow new URL() (esbuild) leaves them
  // for the app to copy next to its bundle, among the app's own files.
  copyFileSync(outputs.own, join(target, 'tensor-pooling-kernels.wasm'));
  copyFileSync(outputs.shared, join(target, 'tensor-pooling-kernels-shared.wasm'));
  process.exit(0);
}

const sources = readdirSync(sourceDir)
  .filter((f) => f.endsWith('.ts'))
  .sort()
  .map((f) => [f, readFileSync(join(sourceDir, f), 'utf8')]);
const hash = createHash('sha256')
  .update(JSON.stringify([ascFlags, sharedFlags, sources]))
  .digest('hex')
  .slice(0, 16);
const force = process.argv.includes('--force');
const current = existsSync(manifest) && Object.values(outputs).every(existsSync) ? JSON.parse(readFileSync(manifest, 'utf8')) : undefined;
if (!force && current?.sources === hash) process.exit(0);

const { default: asc } = await import('assemblyscript/asc');

async function compile(flags) {
  let binary;
  const stderr = [];
  const { error } = await asc.main([entry, ...flags, '--outFile', 'kernels.wasm'], {
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm')) binary = contents;
    },
    stdout: { write: () => true },
    stderr: { write: (s) => (stderr.push(String(s)), true) },
  });
  if (error || !binary) {
    process.stderr.write(stderr.join(''));
    process.stderr.write(`build-wasm: asc failed: ${error ?? 'no binary'}\n`);
    process.exit(1);
  }
  return binary;
}

const binary = await compile(ascFlags);
const shared = await compile([...ascFlags, ...sharedFlags]);
mkdirSync(genDir, { recursive: true });
// Written beside and renamed, so a build running in parallel never reads half a file.
function writeAtomically(file, contents) {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, file);
}
writeAtomically(outputs.own, binary);
writeAtomically(outputs.shared, shared);
const record = {
  generated: 'by scripts/build-wasm.mjs from src/kernels/wasm/assembly: do not edit',
  asc: ascFlags.join(' '),
  shared: sharedFlags.join(' '),
  bytes: { own: binary.length, shared: shared.length },
  sources: hash,
};
writeAtomically(manifest, `${JSON.stringify(record, null, 2)}\n`);
process.stdout.write(`build-wasm: ${binary.length} + ${shared.length} bytes -> ${genDir.slice(root.length + 1)}\n`);
