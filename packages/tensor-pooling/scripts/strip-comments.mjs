#!/usr/bin/env node
// Runs at prepack: the published JavaScript without its comments. The documentation ships in the
// .d.ts files (what editors and the API reference read), so the comments in the .js files only
// doubled it and took the unpacked package past its 1 MB budget. esbuild reprints each module as it
// is (no minifying, no bundling, the same imports and `new URL(…, import.meta.url)` forms that
// bundlers follow). Each file is replaced by a rename, so nothing ever reads half a file.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const published = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'src');
let before = 0;
let after = 0;
for (const entry of readdirSync(published, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
  const file = join(entry.parentPath, entry.name);
  const source = readFileSync(file, 'utf8');
  const { code: printed } = transformSync(source, { loader: 'js', format: 'esm', legalComments: 'none', charset: 'utf8' });
  // A module of types only compiles to `export {};`, which esbuild would print as an empty file:
  // keep it a module, as tsc wrote it.
  const code = printed.trim() === '' ? 'export {};\n' : printed;
  before += source.length;
  after += code.length;
  if (code === source) continue;
  writeFileSync(`${file}.tmp`, code);
  renameSync(`${file}.tmp`, file);
}
// On stderr: `npm pack --json` owns stdout.
console.error(`strip-comments: published JavaScript ${(before / 1000).toFixed(1)} kB -> ${(after / 1000).toFixed(1)} kB`);
