/**
 * `tensor-pooling` against inputs that try to hurt it: a decompression bomb, files that never end
 * or block (a FIFO, /dev/zero, links to them), files over the size limit, links that lead nowhere,
 * an unreadable file, a PNG with a broken checksum, and a .npy header that numpy reads differently
 * from a naive reader. Each is refused with a message that names the file and what is wrong with
 * it (and the flag that would let it through), before anything is written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { writeNpy } from '../src/npy.js';
import { cli, npyWithHeader, pattern, pngClaiming, pngWithBadHeaderChecksum, workFolder, writeImage } from './run-cli.js';

const dir = workFolder();

function fifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  assert.equal(made.status, 0, `mkfifo ${path}: ${made.stderr}`);
}

test('a PNG claiming 30000x30000 pixels is refused from its header, naming the pixels and --max-pixels', () => {
  const bomb = join(dir, 'bomb.png');
  writeFileSync(bomb, pngClaiming(30000, 30000));
  const output = join(dir, 'bomb-out.png');
  // Decoding would fail instead: the IDAT holds 4 rows. The message shows the header alone was read.
  for (const args of [['-o', output, '-k', '2'], ['--op', 'global-avg']]) {
    const refused = cli(['pool', bomb, ...args]);
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal(
      refused.stderr,
      `tensor-pooling: ${bomb}: 30000x30000 = 900000000 pixels, over the limit of 268402689 pixels (a guard against ` +
        'decompression bombs); raise it with --max-pixels 900000000 if you trust the file\n',
    );
  }
  assert.equal(existsSync(output), false);
});

test('--max-pixels moves the limit: 16x16 = 256 pixels pass at 256, not at 255', async () => {
  const input = join(dir, 'sixteen.png');
  await writeImage(input, 16, 16, 1, pattern(16, 16, 1));
  const refused = cli(['pool', input, '-o', join(dir, 'sixteen.npy'), '-k', '2', '--max-pixels', '255']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /sixteen\.png: 16x16 = 256 pixels, over the limit of 255 pixels .*--max-pixels 256/);
  assert.equal(cli(['pool', input, '-o', join(dir, 'sixteen.npy'), '-k', '2', '--max-pixels', '256']).status, 0);
});

function refusedInputs(cases: readonly (readonly [string, RegExp])[]): void {
  for (const [input, message] of cases) {
    const result = cli(['pool', input, '-o', join(dir, 'never.json'), '-k', '2']);
    assert.equal(result.status, 2, input);
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(join(dir, 'never.json')), false);
}

test('a FIFO named .npy and a link to /dev/zero named .npy are refused as not regular files, without blocking or reading', () => {
  const pipe = join(dir, 'pipe.npy');
  fifo(pipe);
  const zero = join(dir, 'zero.npy');
  symlinkSync('/dev/zero', zero);
  refusedInputs([
    [pipe, /pipe\.npy: a named pipe \(FIFO\); only regular files are read/],
    [zero, /zero\.npy: a character device; only regular files are read/],
  ]);
});

test('images and JSON tensors too: a link to a FIFO named .png, /dev/zero named .json', () => {
  const pipe = join(dir, 'pipe-for-image');
  fifo(pipe);
  const image = join(dir, 'pipe-link.png');
  symlinkSync(pipe, image);
  const json = join(dir, 'zero.json');
  symlinkSync('/dev/zero', json);
  refusedInputs([
    [image, /pipe-link\.png: a named pipe \(FIFO\); only regular files are read/],
    [json, /zero\.json: a character device; only regular files are read/],
  ]);
});

function overLimit(input: string): void {
  const size = readFileSync(input).length;
  const refused = cli(['pool', input, '-o', `${input}.out.npy`, '-k', '2', '--max-input-bytes', `${size - 1}`]);
  assert.equal(refused.status, 2, input);
  assert.ok(
    refused.stderr.includes(`${input}: ${size} bytes, over the input size limit of ${size - 1} bytes; raise it with --max-input-bytes ${size}`),
    refused.stderr,
  );
  assert.equal(existsSync(`${input}.out.npy`), false);
}

test('--max-input-bytes bounds a .npy: refused one byte over the limit, read at the limit', () => {
  const npy = join(dir, 'limit.npy');
  writeFileSync(npy, writeNpy([1, 1, 4], Float32Array.of(1, 2, 3, 4)));
  overLimit(npy);
  assert.equal(cli(['pool', npy, '-o', join(dir, 'limit-ok.npy'), '-k', '2', '--spatial-dims', '1', '--max-input-bytes', `${readFileSync(npy).length}`]).status, 0);
});

test('the default input limit is 2 GiB: a sparse file one byte over it is refused from its size alone', () => {
  const big = join(dir, 'big.npy');
  const handle = openSync(big, 'w');
  ftruncateSync(handle, 2 ** 31 + 1);
  closeSync(handle);
  const refused = cli(['pool', big, '-o', join(dir, 'big.json'), '-k', '2']);
  assert.equal(refused.status, 2);
  assert.equal(
    refused.stderr,
    `tensor-pooling: ${big}: 2147483649 bytes, over the input size limit of 2147483648 bytes; raise it with --max-input-bytes 2147483649 if you trust the file\n`,
  );
  rmSync(big);
});

test('--max-input-bytes bounds a JSON tensor and an image as well', async () => {
  const json = join(dir, 'limit.json');
  writeFileSync(json, JSON.stringify({ shape: [1, 1, 4], data: [1, 2, 3, 4] }));
  const image = join(dir, 'limit.png');
  await writeImage(image, 4, 4, 1, pattern(4, 4, 1));
  overLimit(json);
  overLimit(image);
});

test('batch: a dangling link, a link loop and a FIFO fail on their own (exit 1); every other file is written', async () => {
  const folder = join(dir, 'links');
  mkdirSync(folder);
  await writeImage(join(folder, 'a.png'), 4, 4, 1, pattern(4, 4, 1));
  await writeImage(join(folder, 'b.png'), 4, 4, 1, pattern(4, 4, 1, 255, 2));
  symlinkSync(join(folder, 'missing.png'), join(folder, 'dangling.png'));
  symlinkSync('loop.png', join(folder, 'loop.png'));
  fifo(join(folder, 'pipe.npy'));
  const out = join(dir, 'links-out');
  const result = cli(['batch', folder, '-o', out, '-k', '2', '--threads', '1']);
  assert.equal(result.status, 1, result.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['a.png', 'b.png']);
  assert.match(result.stderr, /2 written, 0 skipped \(already done\), 3 failed/);
  assert.match(result.stderr, /dangling\.png: a symbolic link to ".*missing\.png", which does not exist/);
  assert.match(result.stderr, /loop\.png: a loop of symbolic links/);
  assert.match(result.stderr, /pipe\.npy: a named pipe \(FIFO\); only regular files are read/);
});

test('an unreadable file is "permission denied", not "not an image"', async () => {
  const input = join(dir, 'secret.png');
  await writeImage(input, 4, 4, 1, pattern(4, 4, 1));
  chmodSync(input, 0o000);
  const result = cli(['pool', input, '-o', join(dir, 'secret.npy'), '-k', '2'], { unprivileged: true });
  assert.equal(result.status, 2, result.stderr);
  assert.equal(result.stderr, `tensor-pooling: ${input}: permission denied\n`);
});

test('a PNG with a bad header checksum says so, not "Unknown error"', () => {
  const input = join(dir, 'checksum.png');
  writeFileSync(input, pngWithBadHeaderChecksum());
  const result = cli(['pool', input, '-o', join(dir, 'checksum.npy'), '-k', '2']);
  assert.equal(result.status, 2);
  assert.equal(result.stderr, `tensor-pooling: ${input}: truncated or corrupt PNG (IHDR: CRC error)\n`);
});

test('a .npy header is read as numpy reads it: a key given twice takes its last value; other keys are refused', () => {
  const data = Float32Array.of(1, 2, 3, 4);
  const twice = join(dir, 'twice.npy');
  writeFileSync(twice, npyWithHeader("{'descr': '<f4', 'shape': (4,), 'fortran_order': False, 'shape': (1, 1, 4), }", data));
  const output = join(dir, 'twice.json');
  const result = cli(['pool', twice, '-o', output, '-k', '2', '--spatial-dims', '1']);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(JSON.parse(readFileSync(output, 'utf8')), { shape: [1, 1, 2], dtype: 'float32', data: [1.5, 3.5] });
  const extra = join(dir, 'extra.npy');
  writeFileSync(extra, npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 4), 'note': 'hi'}", data));
  const refused = cli(['pool', extra, '-o', join(dir, 'extra.json'), '-k', '2']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /extra\.npy: not a valid \.npy file \(the header's keys are \["descr","fortran_order","note","shape"\]; numpy requires exactly/);
});
