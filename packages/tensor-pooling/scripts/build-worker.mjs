#!/usr/bin/env node
// Bundles the browser's pooling worker (src/workers/web-worker.ts, built by tsc) into one
// self-contained module beside the code that starts it: build/src/kernels/workers/tensor-pooling-worker.js.
// One file with no imports of its own, so an app's bundler can take it as it is (Vite and webpack
// follow `new Worker(new URL('./tensor-pooling-worker.js', import.meta.url))` and copy it), and an
// app built by a bundler that does not (esbuild) copies this one file next to its bundle. The
// worker gets the compiled kernels from the page, so it fetches nothing.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  input: join(root, 'build/src/workers/web-worker.js'),
  platform: 'browser',
  logLevel: 'warn',
  resolve: { alias: { '#wasm-source': join(root, 'build/src/kernels/wasm/source-worker.js') } },
  output: {
    file: join(root, 'build/src/kernels/workers/tensor-pooling-worker.js'),
    format: 'esm',
    // Readable, like the rest of the package: the code is the library's own.
    minify: false,
    // One file: the worker's own dynamic imports (the wasm backend with init()) inline.
    codeSplitting: false,
  },
});
