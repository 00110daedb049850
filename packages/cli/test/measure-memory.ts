/**
 * The memory figure of docs/cli.md: peak resident memory of `tensor-pooling pool` on an 8000x8000
 * RGB PNG averaged with kernel 2, stride 2, next to what a float64 copy of the image needs. Not a
 * unit test (it takes seconds and a few hundred MB): `npm run --silent build && node
 * build/test/cli/measure-memory.js [size]`.
 *
 * It runs the real binary in a child process and reads that process's own peak (maxRSS) as it exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { BINARY } from './run-cli.js';

const size = Number(process.argv[2] ?? 8000);
const folder = mkdtempSync(join(tmpdir(), 'tensor-pooling-memory-'));

/** Runs the CLI and returns its peak resident memory in MB (maxRSS is in kB on Linux). */
function peakMegabytes(args: readonly string[]): { megabytes: number; stderr: string } {
  const wrapper =
    `process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n'));` +
    `process.argv = [process.argv[0], ${JSON.stringify(BINARY)}, ...${JSON.stringify(args)}];` +
    `await import(${JSON.stringify(new URL(`file://${BINARY}`).href)});`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', wrapper], { encoding: 'utf8' });
  const match = /maxRSS (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`tensor-pooling failed: ${result.stderr}`);
  return { megabytes: Number(match[1]) / 1024, stderr: result.stderr.replace(/maxRSS.*\n/, '') };
}

try {
  const input = join(folder, 'big.png');
  // A smooth gradient with texture, compressed fast: the decoder still produces every pixel.
  const pixels = Buffer.alloc(size * size * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31 + (i >>> 9)) & 255;
  await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).png({ compressionLevel: 1 }).toFile(input);
  const float64Copy = (size * size * 3 * 8) / 2 ** 20;
  const rawSamples = (size * size * 3) / 2 ** 20;
  const banded = peakMegabytes(['pool', input, '-o', join(folder, 'banded.png'), '--kernel', '2']);
  // --threads hands the whole image to the library at once: the float32 copy the bands avoid.
  const whole = peakMegabytes(['pool', input, '-o', join(folder, 'whole.png'), '--kernel', '2', '--threads', '1']);
  const line = (label: string, mb: number) => `${label.padEnd(44)} ${mb.toFixed(0).padStart(6)} MiB`;
  console.log(`${size}x${size} RGB PNG, average pooling kernel 2 stride 2; node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}`);
  console.log(line('decoded 8-bit samples (one copy)', rawSamples));
  console.log(line('a float64 copy of the image', float64Copy));
  console.log(line('peak RSS, pool (bands of rows, default)', banded.megabytes));
  console.log(line('peak RSS, pool --threads 1 (whole image)', whole.megabytes));
  console.log(banded.stderr.trim());
} finally {
  rmSync(folder, { recursive: true, force: true });
}
