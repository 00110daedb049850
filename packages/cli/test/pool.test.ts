/**
 * `tensor-pooling pool` as a child process: image round trips checked against the library on the
 * decoded pixels, .npy in both byte orders, JSON tensors, and every way a call can fail.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import sharp from 'sharp';
import { avgPool, maxPool, torch, type Tensor } from 'tensor-pooling';
import { readNpy, writeNpy } from '../src/npy.js';
import { cli, pattern, readImage, workFolder, writeImage } from './run-cli.js';

const dir = workFolder();

function rounded(values: Float32Array | Float64Array, max: number): number[] {
  return Array.from(values, (v) => Math.min(max, Math.max(0, Math.round(v))));
}

function hwc(image: { shape: readonly number[]; values: number[] }): Tensor<Float32Array> {
  return { shape: image.shape, data: Float32Array.from(image.values) };
}

const imageOptions = { layout: 'channels-last', spatialDims: 2 } as const;

test('--version prints the package version; --help of every command has examples', () => {
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const shown = cli(['--version']);
  assert.equal(shown.status, 0);
  assert.equal(shown.stdout.trim(), version);
  for (const command of [[], ['pool'], ['explain'], ['batch']]) {
    const help = cli([...command, '--help']);
    assert.equal(help.status, 0, `${command.join(' ')} --help`);
    assert.match(help.stdout, /Examples:\n {2}\$ tensor-pooling/);
  }
});

test('an RGB PNG averaged k2 natively equals the library on the decoded pixels, rounded', async () => {
  const input = join(dir, 'rgb.png');
  await writeImage(input, 37, 23, 3, pattern(37, 23, 3));
  const result = cli(['pool', input, '-o', join(dir, 'rgb-k2.png'), '--kernel', '2']);
  assert.equal(result.status, 0, result.stderr);
  const decoded = await readImage(input);
  const expected = avgPool(hwc(decoded), { ...imageOptions, kernel: 2 });
  const got = await readImage(join(dir, 'rgb-k2.png'));
  assert.deepEqual(got.shape, [11, 18, 3]);
  assert.deepEqual(got.values, rounded(expected.data, 255));
});

test('the torch dialect: kernel 3, stride 2, padding 1, ceil mode, count_include_pad by default', async () => {
  const input = join(dir, 'rgb-torch.png');
  await writeImage(input, 20, 15, 3, pattern(20, 15, 3, 255, 2));
  const output = join(dir, 'rgb-torch.npy');
  const result = cli(['pool', input, '-o', output, '-k', '3', '-s', '2', '-p', '1', '--ceil', '--dialect', 'torch']);
  assert.equal(result.status, 0, result.stderr);
  const decoded = await readImage(input);
  // PyTorch wants (C, H, W): the same pixels moved channel-first.
  const [h, w, c] = decoded.shape;
  const chw = new Float32Array(h * w * c);
  decoded.values.forEach((v, i) => (chw[(i % c) * h * w + Math.floor(i / c)] = v));
  const expected = torch.avgPool2d({ shape: [c, h, w], data: chw }, { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true });
  const got = readNpy(readFileSync(output), output);
  assert.deepEqual(got.shape, [8, 11, 3]);
  const [, oh, ow] = expected.shape as [number, number, number];
  got.data.forEach((v, i) => assert.equal(v, expected.data[(i % c) * oh * ow + Math.floor(i / c)]));
});

test('16-bit PNG in, 16-bit PNG out, max pooling exact', async () => {
  const input = join(dir, 'deep.png');
  await writeImage(input, 16, 10, 1, pattern(16, 10, 1, 65535, 3).map((v) => (v * 977) % 65536), 16);
  const output = join(dir, 'deep-max.png');
  assert.equal(cli(['pool', input, '-o', output, '--op', 'max', '-k', '2x4']).status, 0);
  const decoded = await readImage(input);
  assert.equal(decoded.depth, 16);
  const got = await readImage(output);
  assert.equal(got.depth, 16);
  assert.deepEqual(got.values, rounded(maxPool(hwc(decoded), { ...imageOptions, kernel: [2, 4] }).data, 65535));
  // --bit-depth 8 rescales 0..65535 onto 0..255.
  const narrowed = join(dir, 'deep-max-8.png');
  assert.equal(cli(['pool', input, '-o', narrowed, '--op', 'max', '-k', '2x4', '--bit-depth', '8']).status, 0);
  const eight = await readImage(narrowed);
  assert.equal(eight.depth, 8);
  assert.deepEqual(eight.values, got.values.map((v) => Math.round((v * 255) / 65535)));
});

test('alpha is averaged premultiplied: a transparent red pixel does not tint its opaque blue neighbour', async () => {
  const input = join(dir, 'alpha.png');
  // Two pixels: transparent red (255, 0, 0, 0) and opaque blue (0, 0, 255, 255).
  await writeImage(input, 2, 1, 4, [255, 0, 0, 0, 0, 0, 255, 255]);
  const output = join(dir, 'alpha-avg.png');
  assert.equal(cli(['pool', input, '-o', output, '-k', '1x2']).status, 0);
  assert.deepEqual((await readImage(output)).values, [0, 0, 255, 128]);
  const straight = join(dir, 'alpha-straight.png');
  assert.equal(cli(['pool', input, '-o', straight, '-k', '1x2', '--no-premultiply']).status, 0);
  assert.deepEqual((await readImage(straight)).values, [128, 0, 128, 128]);
});

test('an embedded ICC profile is kept in the output', async () => {
  const input = join(dir, 'p3.png');
  await sharp(Uint8Array.from(pattern(8, 6, 3)), { raw: { width: 8, height: 6, channels: 3 } }).withIccProfile('p3').png().toFile(input);
  const output = join(dir, 'p3-k2.png');
  assert.equal(cli(['pool', input, '-o', output, '-k', '2']).status, 0);
  const [before, after] = [await sharp(input).metadata(), await sharp(output).metadata()];
  assert.ok(before.icc && after.icc);
  assert.ok(after.icc.equals(before.icc), 'the same profile bytes');
});

test('a tall image pooled band by band equals the library on the whole image', async () => {
  const input = join(dir, 'tall.png');
  // 6144 floats per row: bands of about 85 output rows, so this image takes several.
  await writeImage(input, 2048, 600, 3, pattern(2048, 600, 3, 255, 4));
  const output = join(dir, 'tall.png.npy');
  const result = cli(['pool', input, '-o', output, '-k', '3', '-s', '2', '-p', '1', '--ceil', '--count-include-pad']);
  assert.equal(result.status, 0, result.stderr);
  const decoded = await readImage(input);
  const expected = avgPool(hwc(decoded), { ...imageOptions, kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true });
  const got = readNpy(readFileSync(output), output);
  assert.deepEqual(got.shape, [...expected.shape]);
  let worst = 0;
  got.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected.data[i]!))));
  assert.ok(worst <= 1e-4, `largest difference ${worst}`);
});

test('GIF: the first frame of an animation', async () => {
  const input = join(dir, 'two-frames.gif');
  const frames = [...new Array<number>(4 * 4 * 3).fill(200), ...new Array<number>(4 * 4 * 3).fill(10)];
  await sharp(Uint8Array.from(frames), { raw: { width: 4, height: 8, channels: 3, pageHeight: 4 } }).gif().toFile(input);
  const output = join(dir, 'first-frame.json');
  assert.equal(cli(['pool', input, '-o', output, '-k', '2']).status, 0);
  const got = JSON.parse(readFileSync(output, 'utf8')) as { shape: number[]; data: number[] };
  // GIF decodes with an alpha channel (its transparency); the colour channels hold the first frame.
  const [height, width, channels] = got.shape as [number, number, number];
  assert.deepEqual([height, width], [2, 2]);
  const colours = got.data.filter((_, i) => i % channels < 3);
  assert.ok(colours.every((v) => Math.abs(v - 200) <= 2), `first frame only: ${colours}`);
});

test('.npy in both byte orders, out in either; JSON tensors with NaN', () => {
  const row = Float64Array.of(1, 2, 3, 4, 5);
  for (const order of ['little', 'big'] as const) {
    const input = join(dir, `row-${order}.npy`);
    writeFileSync(input, writeNpy([1, 1, 5], row, order));
    const output = join(dir, `row-${order}.json`);
    const result = cli(['pool', input, '-o', output, '-k', '2', '-s', '2', '-p', '1', '--ceil', '--dialect', 'torch', '--spatial-dims', '1']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(readFileSync(output, 'utf8')), { shape: [1, 1, 3], dtype: 'float64', data: [0.5, 2.5, 4.5] });
  }
  const bigOut = join(dir, 'row-out-big.npy');
  assert.equal(cli(['pool', join(dir, 'row-little.npy'), '-o', bigOut, '-k', '2', '--big-endian', '--spatial-dims', '1']).status, 0);
  // A rank-3 tensor without --spatial-dims or a per-axis kernel reads two ways: refused, naming the file.
  const ambiguous = cli(['pool', join(dir, 'row-little.npy'), '-o', join(dir, 'never.json'), '-k', '2']);
  assert.equal(ambiguous.status, 2);
  assert.match(ambiguous.stderr, /row-little\.npy: a rank-3 tensor of shape \[1, 1, 5\] reads as \(N, C, W\) .* or \(C, H, W\) .*--spatial-dims/);
  const written = readNpy(readFileSync(bigOut), bigOut);
  assert.equal(written.byteOrder, 'big');
  assert.deepEqual([...written.data], [1.5, 3.5]);
  const json = join(dir, 'nan.json');
  writeFileSync(json, JSON.stringify({ shape: [1, 1, 4], dtype: 'float32', data: [1, 'NaN', 3, 5] }));
  const out = join(dir, 'nan-max.json');
  assert.equal(cli(['pool', json, '-o', out, '--op', 'max', '-k', '2', '--spatial-dims', '1']).status, 0);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { shape: [1, 1, 2], dtype: 'float32', data: ['NaN', 5] });
});

test('global pooling prints one value per channel, as a table or JSON', async () => {
  const input = join(dir, 'flat.png');
  await writeImage(input, 4, 2, 3, Array.from({ length: 8 }, () => [10, 20, 30]).flat());
  const table = cli(['pool', input, '--op', 'global-avg']);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /^red +10\ngreen +20\nblue +30\n$/);
  const json = cli(['pool', input, '--op', 'global-max', '--json', '--dialect', 'onnx']);
  assert.deepEqual(JSON.parse(json.stdout), { input, op: 'GlobalMaxPool', channels: { red: 10, green: 20, blue: 30 } });
});

test('exit code 2 with the file and the problem, and no stack trace unless --verbose', async () => {
  const image = join(dir, 'small.png');
  await writeImage(image, 7, 7, 1, pattern(7, 7, 1));
  const cases: [string[], RegExp][] = [
    [['pool', image, '-o', join(dir, 'x.png'), '-k', '9'], /small\.png: .*axis H would be 0 \(input 7, padding 0\+0, kernel 9, stride 9\)/],
    [['pool', image, '-o', join(dir, 'x.png'), '-k', 'two'], /--kernel must be whole numbers/],
    [['pool', image, '-o', join(dir, 'x.png'), '--kernel', '2', '--bogus'], /unknown option '--bogus'/],
    [['pool', image, '-o', join(dir, 'x.png')], /needs --kernel/],
    [['pool', image, '-o', join(dir, 'x.png'), '-k', '2', '--ceil', '--dialect', 'keras'], /--ceil has no counterpart in the keras dialect/],
    [['pool', image, '-o', join(dir, 'x.bmp'), '-k', '2'], /x\.bmp: unknown output type/],
    [['pool', join(dir, 'missing.png'), '-o', join(dir, 'x.png'), '-k', '2'], /missing\.png: no such file/],
    [['pool', image, '-o', image, '-k', '2', '--force'], /small\.png: is the input file; refusing to overwrite the input/],
  ];
  for (const [args, message] of cases) {
    const result = cli(args);
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
  const verbose = cli(['--verbose', 'pool', image, '-o', join(dir, 'x.png'), '-k', '9']);
  assert.equal(verbose.status, 2);
  assert.match(verbose.stderr, /\n\s+at /);
  assert.equal(existsSync(join(dir, 'x.png')), false);
});

test('not an image, a truncated PNG, a corrupt .npy: exit 2 naming the file', async () => {
  const text = join(dir, 'text.png');
  writeFileSync(text, 'this is not a picture');
  const good = join(dir, 'whole.png');
  await sharp(Uint8Array.from(pattern(64, 64, 3)), { raw: { width: 64, height: 64, channels: 3 } }).png({ compressionLevel: 0 }).toFile(good);
  const truncated = join(dir, 'cut.png');
  writeFileSync(truncated, readFileSync(good).subarray(0, 4000));
  const npy = join(dir, 'cut.npy');
  writeFileSync(npy, writeNpy([4, 4], new Float32Array(16)).subarray(0, 140));
  const badNpy = join(dir, 'ints.npy');
  writeFileSync(badNpy, Buffer.from(writeNpy([2], new Float32Array(2))).toString('latin1').replace("'<f4'", "'<i4'"), 'latin1');
  const cases: [string, RegExp][] = [
    [text, /text\.png: not an image/],
    [truncated, /cut\.png: truncated or corrupt PNG/],
    [npy, /cut\.npy: truncated \.npy file: shape \(4, 4\) needs 64 data bytes, found 12/],
    [badNpy, /ints\.npy: dtype "<i4" is not supported/],
  ];
  for (const [file, message] of cases) {
    const result = cli(['pool', file, '-o', join(dir, 'never.npy'), '-k', '2']);
    assert.equal(result.status, 2, file);
    assert.match(result.stderr, message);
  }
  assert.equal(existsSync(join(dir, 'never.npy')), false);
});

test('an existing output is kept without --force and replaced with it; a read-only folder is an error', async () => {
  const input = join(dir, 'keep.png');
  await writeImage(input, 4, 4, 1, pattern(4, 4, 1));
  const output = join(dir, 'kept.json');
  writeFileSync(output, 'precious');
  const refused = cli(['pool', input, '-o', output, '-k', '2']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /kept\.json: already exists; use --force/);
  assert.equal(readFileSync(output, 'utf8'), 'precious');
  assert.equal(cli(['pool', input, '-o', output, '-k', '2', '--force']).status, 0);
  assert.deepEqual((JSON.parse(readFileSync(output, 'utf8')) as { shape: number[] }).shape, [2, 2, 1]);
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  const denied = cli(['pool', input, '-o', join(locked, 'out.png'), '-k', '2'], { unprivileged: true });
  assert.equal(denied.status, 2, denied.stderr);
  assert.match(denied.stderr, /locked\/out\.png: cannot write the output \(permission denied\)/);
  assert.deepEqual(readdirSync(locked), []);
});
