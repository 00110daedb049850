/**
 * The CLI's doors: every command of cli/main.ts (pool, explain, batch, help, and the program's own
 * flags) run as a child process, as a user runs it, with generated flags and input files in a
 * fresh folder: small real images and tensors, and hostile files (truncated or lying headers, a
 * FIFO, a symlink to /dev/zero, dangling and looping symlinks, control characters in names, an
 * unreadable file, a PNG with a bad CRC or a 30000x30000 header).
 *
 * The promise checked (docs/cli.md): exit 0 ok, 1 some batch files failed, 2 bad usage or input
 * with a message; never a stack trace (except with --verbose); never writes over its input, over an
 * existing output without --force, or anywhere but its output; leaves no temporary file; finishes
 * within the time limit and a memory limit (its resident set, polled from /proc).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import sharp, { type Sharp } from 'sharp';
import { killChildren, track } from './children.js';
import { slidingVerdict } from './oracle.js';
import type { CallRecord, DefectKind, Outcome, Schedule } from './outcome.js';

const BINARY = fileURLToPath(new URL('../../packages/cli/build/src/main.js', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Fixtures.

interface ImageFixture {
  readonly kind: 'image';
  readonly height: number;
  readonly width: number;
  readonly depth: 8 | 16;
}
interface TensorFixture {
  readonly kind: 'tensor';
  readonly shape: readonly number[];
}
type GoodFixture = ImageFixture | TensorFixture;

/** Inputs every command should pool: name -> what it holds. */
export const GOOD: Readonly<Record<string, GoodFixture>> = {
  'rgb.png': { kind: 'image', height: 5, width: 7, depth: 8 },
  'rgba.png': { kind: 'image', height: 6, width: 6, depth: 8 },
  'grey16.png': { kind: 'image', height: 4, width: 5, depth: 16 },
  'photo.jpg': { kind: 'image', height: 8, width: 8, depth: 8 },
  'pic.webp': { kind: 'image', height: 5, width: 6, depth: 8 },
  'x.npy': { kind: 'tensor', shape: [1, 2, 5, 5] },
  'big-endian.npy': { kind: 'tensor', shape: [2, 1, 4, 6] },
  'x.json': { kind: 'tensor', shape: [1, 1, 4, 4] },
};

/**
 * A rank-3 tensor: (N, C, W) with 1 spatial axis or (C, H, W) with 2. docs/cli.md: the CLI needs
 * --spatial-dims or a per-axis --kernel to say which, and refuses it otherwise (exit 2, naming the
 * file). Kept out of batches, where every file shares one set of flags.
 */
export const RANK3 = { name: 'rank3.npy', shape: [2, 3, 6] } as const;

function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

/** Inputs that must be refused cleanly (exit 2 for pool, a failed file for batch). */
export const HOSTILE_FILES = [
  'trunc.npy',
  'huge-shape.npy',
  'dup-keys.npy',
  'huge-header.npy',
  'bad-shape.npy',
  'negative.npy',
  'fortran.npy',
  'int32.npy',
  'bad-magic.npy',
  'trunc.json',
  'huge-shape.json',
  'dup-keys.json',
  'deep.json',
  'strings.json',
  'not-json.json',
  'bad-crc.png',
  'huge-header.png',
  'trunc.png',
  'empty.png',
  'text.png',
  'fifo.npy',
  'zero.npy',
  'dangling.png',
  'loop-a.png',
  'esc\u001b[31m.png',
  'new\nline.npy',
  'secret.png',
  'folder.png',
] as const;

function npy(header: string, data: Uint8Array, version = 1, headerLengthClaim?: number): Buffer {
  const text = header.padEnd(header.length + ((64 - ((10 + header.length + 1) % 64)) % 64)) + '\n';
  const head = Buffer.alloc(version === 1 ? 10 : 12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(headerLengthClaim ?? text.length, 8);
  else head.writeUInt32LE(headerLengthClaim ?? text.length, 8);
  return Buffer.concat([head, Buffer.from(text, 'latin1'), data]);
}

function floats(count: number, width: 4 | 8, bigEndian = false): Uint8Array {
  const bytes = Buffer.alloc(count * width);
  for (let i = 0; i < count; i++) {
    const v = ((i * 7) % 13) - 6;
    if (width === 4) (bigEndian ? bytes.writeFloatBE(v, i * 4) : bytes.writeFloatLE(v, i * 4));
    else (bigEndian ? bytes.writeDoubleBE(v, i * 8) : bytes.writeDoubleLE(v, i * 8));
  }
  return bytes;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

async function image(width: number, height: number, channels: 1 | 2 | 3 | 4, depth: 8 | 16): Promise<Sharp> {
  const length = width * height * channels;
  const data = depth === 16 ? Uint16Array.from({ length }, (_, i) => (i * 2311) % 65536) : Uint8Array.from({ length }, (_, i) => (i * 37) % 256);
  const grey = channels <= 2;
  return sharp(data, { raw: { width, height, channels } }).toColourspace(depth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb');
}

/** Writes every fixture that is a plain file into `folder` (FIFOs, links and modes are made per call). */
export async function makeFixtures(folder: string): Promise<void> {
  await (await image(7, 5, 3, 8)).png().toFile(join(folder, 'rgb.png'));
  await (await image(6, 6, 4, 8)).png().toFile(join(folder, 'rgba.png'));
  await (await image(5, 4, 1, 16)).png().toFile(join(folder, 'grey16.png'));
  await (await image(8, 8, 3, 8)).jpeg().toFile(join(folder, 'photo.jpg'));
  await (await image(6, 5, 3, 8)).webp({ lossless: true }).toFile(join(folder, 'pic.webp'));
  const f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 5, 5), }";
  writeFileSync(join(folder, 'x.npy'), npy(f4, floats(50, 4)));
  writeFileSync(join(folder, 'big-endian.npy'), npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1, 4, 6), }", floats(48, 8, true)));
  writeFileSync(join(folder, 'x.json'), JSON.stringify({ shape: [1, 1, 4, 4], data: Array.from({ length: 16 }, (_, i) => i) }));
  writeFileSync(join(folder, RANK3.name), npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${RANK3.shape.join(', ')}), }`, floats(product(RANK3.shape), 4)));

  writeFileSync(join(folder, 'trunc.npy'), npy(f4, floats(50, 4)).subarray(0, 150));
  writeFileSync(join(folder, 'huge-shape.npy'), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", floats(4, 4)));
  writeFileSync(join(folder, 'dup-keys.npy'), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2), 'shape': (1, 1, 30000, 30000), }", floats(4, 4)));
  writeFileSync(join(folder, 'huge-header.npy'), npy(f4, floats(50, 4), 2, 2 ** 31));
  writeFileSync(join(folder, 'bad-shape.npy'), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2**40,), }", floats(4, 4)));
  writeFileSync(join(folder, 'negative.npy'), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 4), }", floats(4, 4)));
  writeFileSync(join(folder, 'fortran.npy'), npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1, 2, 2), }", floats(4, 4)));
  writeFileSync(join(folder, 'int32.npy'), npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 2, 2), }", floats(4, 4)));
  writeFileSync(join(folder, 'bad-magic.npy'), Buffer.from('\u0093NUMPZ not really a numpy file'));
  writeFileSync(join(folder, 'trunc.json'), '{"shape": [1, 1, 2, 2], "data": [1, 2');
  writeFileSync(join(folder, 'huge-shape.json'), JSON.stringify({ shape: [1e9, 1e9, 1e9], data: [1] }));
  writeFileSync(join(folder, 'dup-keys.json'), '{"shape": [1, 1, 2, 2], "data": [1, 2, 3, 4], "shape": [1, 1, 30000, 30000]}');
  writeFileSync(join(folder, 'deep.json'), `{"shape": [1, 1, 1, 1], "data": [${'['.repeat(100_000)}1${']'.repeat(100_000)}]}`);
  writeFileSync(join(folder, 'strings.json'), JSON.stringify({ shape: [1, 1, 1, 2], data: ['NaN', 'x'.repeat(100_000)] }));
  writeFileSync(join(folder, 'not-json.json'), Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]));

  const png = readFileSync(join(folder, 'rgb.png'));
  const badCrc = Buffer.from(png);
  const idat = badCrc.indexOf('IDAT');
  const idatLength = badCrc.readUInt32BE(idat - 4);
  badCrc[idat + 4 + idatLength] = badCrc[idat + 4 + idatLength]! ^ 0xff;
  writeFileSync(join(folder, 'bad-crc.png'), badCrc);
  const huge = Buffer.from(png);
  const ihdr = huge.indexOf('IHDR');
  huge.writeUInt32BE(30000, ihdr + 4);
  huge.writeUInt32BE(30000, ihdr + 8);
  huge.writeUInt32BE(crc32(huge.subarray(ihdr, ihdr + 4 + 13)), ihdr + 4 + 13);
  writeFileSync(join(folder, 'huge-header.png'), huge);
  writeFileSync(join(folder, 'trunc.png'), png.subarray(0, Math.floor(png.length / 2)));
  writeFileSync(join(folder, 'empty.png'), '');
  writeFileSync(join(folder, 'text.png'), 'this is not an image\n');
}

/** Puts input `name` into `folder`: a copy of the fixture, or the special file it names. */
function placeInput(fixtures: string, folder: string, name: string): void {
  const at = join(folder, name);
  switch (name) {
    case 'fifo.npy':
      try {
        execFileSync('mkfifo', [at]);
      } catch {
        // No mkfifo here: the call runs with a plain file of that name.
        writeFileSync(at, '');
      }
      return;
    case 'zero.npy':
      symlinkSync('/dev/zero', at);
      return;
    case 'dangling.png':
      symlinkSync('no-such-file.png', at);
      return;
    case 'loop-a.png':
      symlinkSync('loop-b.png', at);
      symlinkSync('loop-a.png', join(folder, 'loop-b.png'));
      return;
    case 'esc\u001b[31m.png':
    case 'secret.png':
      copyFileSync(join(fixtures, 'rgb.png'), at);
      if (name === 'secret.png') chmodSync(at, 0o000);
      return;
    case 'new\nline.npy':
      copyFileSync(join(fixtures, 'x.npy'), at);
      return;
    case 'folder.png':
      mkdirSync(at);
      return;
    default:
      copyFileSync(join(fixtures, name), at);
  }
}

// ---------------------------------------------------------------------------------------------
// Calls.

export interface CliCall {
  readonly command: 'pool' | 'explain' | 'batch' | 'top';
  /** Files put into in/ (relative names). */
  readonly inputs: readonly string[];
  /** Files put into out/ before the run. */
  readonly existing: readonly string[];
  /** Arguments after the binary; paths are relative to the work folder (the child's cwd). */
  readonly argv: readonly string[];
  /** Generated from valid parts only: must exit 0 (pool, explain, batch of good inputs). */
  readonly valid: boolean;
  /** Native tensor or image outputs: the shape the output must have. */
  readonly expectShape?: readonly number[];
  /** A call the docs say must be refused: exit 2 with stderr naming this (the input file). */
  readonly mustFail?: string;
  readonly mutation: string;
}

const IMAGE_OUT = ['png', 'jpg', 'webp', 'tif'];
const TENSOR_OUT = ['npy', 'json'];

interface Geometry {
  readonly op: 'avg' | 'max' | 'lp';
  readonly kernel: number;
  readonly stride: number | undefined;
  readonly padding: number | undefined;
  readonly ceil: boolean;
  readonly dialect: 'native' | 'torch' | 'onnx' | 'tfjs' | 'keras';
}

const geometryArb: fc.Arbitrary<Geometry> = fc
  .record({
    op: fc.constantFrom<Geometry['op']>('avg', 'max', 'lp'),
    kernel: fc.integer({ min: 1, max: 3 }),
    stride: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    padding: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined }),
    ceil: fc.boolean(),
    dialect: fc.constantFrom<Geometry['dialect']>('native', 'native', 'native', 'torch', 'onnx', 'tfjs', 'keras'),
  })
  .map((g) => {
    const padding = g.padding !== undefined && 2 * g.padding <= g.kernel ? g.padding : undefined;
    // The dialects take what they all share: avg or max, a kernel and a stride.
    if (g.dialect !== 'native') return { ...g, op: g.op === 'lp' ? 'avg' : g.op, padding: undefined, ceil: false };
    return { ...g, padding };
  });

function geometryFlags(g: Geometry): string[] {
  const flags = ['--op', g.op, '--kernel', String(g.kernel)];
  if (g.stride !== undefined) flags.push('--stride', String(g.stride));
  if (g.padding !== undefined) flags.push('--padding', String(g.padding));
  if (g.ceil) flags.push('--ceil');
  if (g.dialect !== 'native') flags.push('--dialect', g.dialect);
  return flags;
}

/** The native output size of each spatial axis, or undefined where the call must fail. */
function nativeOut(g: Geometry, sizes: readonly number[]): number[] | undefined {
  const pad = g.padding ?? 0;
  const verdict = slidingVerdict(
    {
      sizes,
      kernel: sizes.map(() => g.kernel),
      stride: sizes.map(() => g.stride ?? g.kernel),
      dilation: sizes.map(() => 1),
      padding: { kind: 'pads', pads: sizes.map(() => [pad, pad] as const) },
      ceil: g.ceil,
    },
    { limitPadding: true, startInside: true },
  );
  return 'out' in verdict ? verdict.out : undefined;
}

const validPoolArb: fc.Arbitrary<CliCall> = fc
  .tuple(fc.constantFrom(...Object.keys(GOOD)), geometryArb, fc.nat(), fc.boolean())
  .map(([input, g, pick, quiet]): CliCall => {
    const fixture = GOOD[input]!;
    const exts = fixture.kind === 'image' ? (fixture.depth === 16 ? ['png', 'tif', ...TENSOR_OUT] : [...IMAGE_OUT, ...TENSOR_OUT]) : TENSOR_OUT;
    const ext = exts[pick % exts.length]!;
    const output = `out/result.${ext}`;
    const argv = ['pool', `in/${input}`, '-o', output, ...geometryFlags(g)];
    if (quiet) argv.push('-q');
    const spatial = fixture.kind === 'image' ? [fixture.height, fixture.width] : fixture.shape.slice(2);
    const out = nativeOut(g, spatial);
    if (out === undefined || g.dialect !== 'native') return { command: 'pool', inputs: [input], existing: [], argv, valid: out !== undefined && g.dialect === 'native', mutation: 'none' };
    const expectShape = fixture.kind === 'image' ? (TENSOR_OUT.includes(ext) ? [out[0]!, out[1]!, -1] : [out[0]!, out[1]!]) : [...fixture.shape.slice(0, 2), ...out];
    return { command: 'pool', inputs: [input], existing: [], argv, valid: true, expectShape, mutation: 'none' };
  });

/** Pooling the rank-3 tensor: with --spatial-dims 1 or 2, a per-axis --kernel, or nothing (refused). */
const validRank3Arb: fc.Arbitrary<CliCall> = fc
  .tuple(geometryArb, fc.constantFrom('1', '2', 'kernel', 'none'), fc.constantFrom(...TENSOR_OUT))
  .map(([g0, dims, ext]): CliCall => {
    const g: Geometry = { ...g0, dialect: 'native' };
    const input = RANK3.name;
    const flags = geometryFlags(g);
    if (dims === 'kernel') flags[flags.indexOf('--kernel') + 1] = `${g.kernel}x${g.kernel}`;
    if (dims === '1' || dims === '2') flags.push('--spatial-dims', dims);
    const argv = ['pool', `in/${input}`, '-o', `out/result.${ext}`, ...flags];
    if (dims === 'none') return { command: 'pool', inputs: [input], existing: [], argv, valid: false, mustFail: input, mutation: 'none' };
    const lead = dims === '1' ? 2 : 1;
    const out = nativeOut(g, RANK3.shape.slice(lead));
    if (out === undefined) return { command: 'pool', inputs: [input], existing: [], argv, valid: false, mutation: 'none' };
    return { command: 'pool', inputs: [input], existing: [], argv, valid: true, expectShape: [...RANK3.shape.slice(0, lead), ...out], mutation: 'none' };
  });

const validGlobalArb: fc.Arbitrary<CliCall> = fc
  .tuple(fc.constantFrom('rgb.png', 'rgba.png', 'grey16.png', 'photo.jpg'), fc.constantFrom('global-avg', 'global-max'), fc.boolean())
  .map(([input, op, json]): CliCall => ({ command: 'pool', inputs: [input], existing: [], argv: ['pool', `in/${input}`, '--op', op, ...(json ? ['--json'] : [])], valid: true, mutation: 'none' }));

const validExplainArb: fc.Arbitrary<CliCall> = fc
  .tuple(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }), geometryArb, fc.boolean(), fc.boolean())
  .map(([sizes, g, json, compare]): CliCall => {
    const argv = ['explain', '--input', sizes.join('x'), ...geometryFlags(g)];
    if (json) argv.push('--json');
    if (compare) argv.push('--compare');
    const fits = nativeOut(g, sizes) !== undefined;
    return { command: 'explain', inputs: [], existing: [], argv, valid: fits && g.dialect === 'native' && !compare, mutation: 'none' };
  });

const validBatchArb: fc.Arbitrary<CliCall> = fc
  .tuple(fc.subarray(Object.keys(GOOD), { minLength: 1, maxLength: 4 }), geometryArb, fc.constantFrom('folder', 'glob', 'list'), fc.option(fc.constantFrom('npy', 'json', 'png'), { nil: undefined }), fc.option(fc.constantFrom('1', '2'), { nil: undefined }))
  .map(([inputs, g, form, format, threads]): CliCall => {
    // Each input's own format, unless --format asks for one every input can take.
    const usable = format === 'png' ? inputs.filter((i) => GOOD[i]!.kind === 'image') : inputs;
    const chosen = usable.length > 0 ? usable : inputs;
    const fmt = format === 'png' && usable.length === 0 ? undefined : format;
    // Two inputs with one stem would claim one output.
    const stems = new Set(chosen.map((i) => i.replace(/\.[^.]*$/, '')));
    const targets = form === 'folder' ? ['in'] : form === 'glob' ? ['in/*'] : chosen.map((i) => `in/${i}`);
    const argv = ['batch', ...targets, '-o', 'out', ...geometryFlags(g)];
    if (fmt) argv.push('--format', fmt);
    if (threads) argv.push('--threads', threads);
    const fits = chosen.every((i) => {
      const f = GOOD[i]!;
      return nativeOut(g, f.kind === 'image' ? [f.height, f.width] : f.shape.slice(2)) !== undefined;
    });
    return { command: 'batch', inputs: chosen, existing: [], argv, valid: fits && g.dialect === 'native' && stems.size === chosen.length, mutation: 'none' };
  });

const topArb: fc.Arbitrary<CliCall> = fc
  .constantFrom<readonly string[]>(['--help'], ['-V'], ['help', 'pool'], ['pool', '--help'], ['batch', '-h'], [], ['frobnicate'], ['--bogus'], ['pool'], ['batch'], ['explain'])
  .map((argv): CliCall => ({ command: 'top', inputs: [], existing: [], argv, valid: ['--help', '-V', 'help', '-h'].some((f) => argv.includes(f)), mutation: 'none' }));

/** Flag values that are wrong in every flag. */
const HOSTILE_VALUES = ['-1', '0', '1.5', '1e9', '99999999999999999999', '', ' ', 'abc', '2x', 'x2', '3x3x3x3x3', '1,,2', 'NaN', 'Infinity', '0x10', '-0', '\u0007\u001b[2J', '9'.repeat(400), '1:2:3', 'same-upper', '100000000'];
const FLAGS = ['--kernel', '--stride', '--padding', '--dilation', '--divisor', '--output-size', '--p', '--op', '--dialect', '--backend', '--threads', '--layout', '--spatial-dims', '--bit-depth', '--input', '--format'];

type CliMutation =
  | { readonly kind: 'flag'; readonly flag: number; readonly value: number }
  | { readonly kind: 'unknownFlag'; readonly which: number }
  | { readonly kind: 'dropArg'; readonly at: number }
  | { readonly kind: 'input'; readonly file: number }
  | { readonly kind: 'output'; readonly which: number }
  | { readonly kind: 'existing'; readonly force: boolean }
  | { readonly kind: 'batchMix'; readonly files: readonly number[] }
  | { readonly kind: 'bomb'; readonly which: number };

const cliMutationArb: fc.Arbitrary<CliMutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('flag' as const), flag: fc.nat(), value: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('unknownFlag' as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropArg' as const), at: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('input' as const), file: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('output' as const), which: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('existing' as const), force: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('batchMix' as const), files: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bomb' as const), which: fc.nat() }) },
);

/** A mutated call: whatever it became, only its own checks apply (not the refusal its source was due). */
function mutateCli(call: CliCall, m: CliMutation): CliCall {
  const { mustFail: _due, ...rest } = mutatedCli(call, m);
  return rest;
}

function mutatedCli(call: CliCall, m: CliMutation): CliCall {
  const hostile = { ...call, valid: false, expectShape: undefined };
  switch (m.kind) {
    case 'flag': {
      const flag = FLAGS[m.flag % FLAGS.length]!;
      const value = HOSTILE_VALUES[m.value % HOSTILE_VALUES.length]!;
      const argv = [...call.argv];
      const at = argv.indexOf(flag);
      if (at >= 0 && at + 1 < argv.length) argv[at + 1] = value;
      else argv.push(flag, value);
      return { ...hostile, argv, mutation: `${flag} ${JSON.stringify(value)}` };
    }
    case 'unknownFlag': {
      const extra = [['--bogus'], ['-z'], ['--kernel'], ['--', '--kernel', '2'], ['--no-such-flag=1'], ['--kernel=2', '--kernel', '3'], ['--verbose']][m.which % 7]!;
      return { ...hostile, argv: [...call.argv, ...extra], mutation: `extra ${extra.join(' ')}` };
    }
    case 'dropArg': {
      const at = m.at % Math.max(1, call.argv.length);
      return { ...hostile, argv: call.argv.filter((_, i) => i !== at), mutation: `argument ${at} dropped` };
    }
    case 'input': {
      if (call.command !== 'pool' && call.command !== 'batch') return mutateCli(call, { kind: 'flag', flag: m.file, value: m.file });
      const file = HOSTILE_FILES[m.file % HOSTILE_FILES.length]!;
      if (call.command === 'batch') return mutateCli(call, { kind: 'batchMix', files: [m.file] });
      const argv = call.argv.map((a, i) => (i === 1 ? `in/${file}` : a));
      return { ...hostile, inputs: [file], argv, mutation: `input ${JSON.stringify(file)}` };
    }
    case 'output': {
      const at = call.argv.indexOf('-o');
      if (at < 0) return mutateCli(call, { kind: 'flag', flag: m.which, value: m.which });
      const input = call.argv[1] ?? 'in/rgb.png';
      const target = [input, 'out/missing/y.npy', 'out/y.txt', 'out/y', 'out', 'in', '/dev/null', 'out/esc\u001b[2J.npy', 'out/y.png.npy', 'out/y.gif'][m.which % 10]!;
      const argv = [...call.argv];
      argv[at + 1] = target;
      return { ...hostile, argv, mutation: `-o ${JSON.stringify(target)}` };
    }
    case 'existing': {
      if (call.command !== 'pool' && call.command !== 'batch') return { ...call, mutation: 'none' };
      const at = call.argv.indexOf('-o');
      const existing = call.command === 'pool' ? [String(call.argv[at + 1]).replace(/^out\//, '')] : call.inputs.map((i) => i);
      const argv = m.force ? [...call.argv, '--force'] : call.argv;
      // With --force the call stays valid; without, pool must refuse (2) and batch skip (0).
      return { ...call, existing, argv, valid: call.valid && (m.force || call.command === 'batch'), expectShape: m.force ? call.expectShape : undefined, mutation: `outputs exist${m.force ? ', --force' : ''}` };
    }
    case 'batchMix': {
      if (call.command !== 'batch') return mutateCli(call, { kind: 'input', file: m.files[0]! });
      const added = m.files.map((f) => HOSTILE_FILES[f % HOSTILE_FILES.length]!);
      const inputs = [...new Set([...call.inputs, ...added])];
      const argv = call.argv.map((a, i) => (i === 1 && a !== 'in' && a !== 'in/*' ? 'in' : a)).filter((a, i) => i <= 1 || !a.startsWith('in/'));
      return { ...hostile, inputs, argv, mutation: `batch folder also holds ${added.map((a) => JSON.stringify(a)).join(', ')}` };
    }
    case 'bomb': {
      const bombs: CliCall[] = [
        { command: 'explain', inputs: [], existing: [], argv: ['explain', '--input', '100000000', '--kernel', '1'], valid: false, mutation: 'resource bomb' },
        { command: 'explain', inputs: [], existing: [], argv: ['explain', '--input', '3000x3000', '--kernel', '1', '--json'], valid: false, mutation: 'resource bomb' },
        { command: 'explain', inputs: [], existing: [], argv: ['explain', '--input', '5', '--kernel', '2147483647', '--padding', 'same'], valid: false, mutation: 'resource bomb' },
        { command: 'pool', inputs: ['x.npy'], existing: [], argv: ['pool', 'in/x.npy', '-o', 'out/y.npy', '--op', 'adaptive-avg', '--output-size', '40000'], valid: false, mutation: 'resource bomb' },
        { command: 'pool', inputs: ['rgb.png'], existing: [], argv: ['pool', 'in/rgb.png', '-o', 'out/y.png', '--kernel', '1', '--padding', 'same', '--spatial-dims', '10000000'], valid: false, mutation: 'resource bomb' },
      ];
      return bombs[m.which % bombs.length]!;
    }
  }
}

/** Every CLI call the fuzzer makes: valid calls, and hostile rewrites of them. */
export const cliArbitrary: fc.Arbitrary<CliCall> = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(validPoolArb, validRank3Arb, validGlobalArb, validExplainArb, validBatchArb) },
  { weight: 1, arbitrary: topArb },
  { weight: 6, arbitrary: fc.tuple(fc.oneof(validPoolArb, validPoolArb, validRank3Arb, validExplainArb, validBatchArb), cliMutationArb).map(([call, m]) => mutateCli(call, m)) },
);

export function renderCliCall(call: CliCall): string {
  const quote = (a: string) => (/^[\w./=,:*-]+$/.test(a) ? a : JSON.stringify(a));
  const files = call.inputs.length > 0 ? `  (in/: ${call.inputs.map(quote).join(' ')}${call.existing.length > 0 ? `; out/ already has ${call.existing.map(quote).join(' ')}` : ''})` : '';
  return `tensor-pooling ${call.argv.map(quote).join(' ')}${files}`;
}

// ---------------------------------------------------------------------------------------------
// Running one call.

export interface CliLimits {
  readonly callMs: number;
  readonly memoryBytes: number;
}

export const DEFAULT_CLI_LIMITS: CliLimits = { callMs: 15_000, memoryBytes: 768 * 2 ** 20 };

type Entry = { readonly kind: 'file'; readonly hash: string } | { readonly kind: 'link'; readonly to: string } | { readonly kind: 'dir' } | { readonly kind: 'other'; readonly mode: number };

/** A file's contents, or (unreadable to this process) its size and modification time. */
function fileHash(path: string, size: number, mtime: number): string {
  try {
    return createHash('sha1').update(readFileSync(path)).digest('hex');
  } catch {
    return `unreadable ${size} ${mtime}`;
  }
}

/** Every entry under `root`, read without following links or opening FIFOs. */
function tree(root: string, at = '', into = new Map<string, Entry>()): Map<string, Entry> {
  for (const name of readdirSync(join(root, at))) {
    const rel = at ? `${at}/${name}` : name;
    const full = join(root, rel);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) into.set(rel, { kind: 'link', to: readlinkSync(full) });
    else if (stat.isDirectory()) {
      into.set(rel, { kind: 'dir' });
      tree(root, rel, into);
    } else if (stat.isFile()) into.set(rel, { kind: 'file', hash: fileHash(full, stat.size, stat.mtimeMs) });
    else into.set(rel, { kind: 'other', mode: stat.mode });
  }
  return into;
}

/** The child runs as the user would: without the test runner's marker, and as root only without the permission override. */
function childCommand(argv: readonly string[]): [string, string[]] {
  const node: [string, string[]] = [process.execPath, [BINARY, ...argv]];
  if (process.getuid?.() !== 0) return node;
  return ['setpriv', ['--bounding-set', '-dac_override,-dac_read_search', '--', node[0], ...node[1]]];
}

function childEnvironment(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _runner, ...env } = process.env;
  return env;
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

interface Run {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly peakRss: number;
  readonly overMemory: boolean;
  readonly pid: number;
}

function runChild(argv: readonly string[], cwd: string, limits: CliLimits): Promise<Run> {
  const [file, args] = childCommand(argv);
  const child = spawn(file, args, { cwd, env: childEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let size = 0;
  const keep = (into: Buffer[]) => (chunk: Buffer) => {
    size += chunk.length;
    if (size < 4 * 2 ** 20) into.push(chunk);
  };
  child.stdout!.on('data', keep(stdout));
  child.stderr!.on('data', keep(stderr));
  let peakRss = 0;
  let overMemory = false;
  let timedOut = false;
  const sampler = setInterval(() => {
    const rss = rssOf(child.pid!);
    peakRss = Math.max(peakRss, rss);
    if (rss > limits.memoryBytes && !overMemory) {
      overMemory = true;
      child.kill('SIGKILL');
    }
  }, 20);
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, limits.callMs);
  return new Promise((resolve) => {
    child.on('close', (status, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), timedOut, peakRss, overMemory, pid: child.pid ?? -1 });
    });
  });
}

const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$|^\S*(Error|Exception)( \[\w+\])?: |node:internal\//m;
const ENGINE = /Cannot read propert|is not a function|is not iterable|Invalid array length|Maximum call stack|Cannot convert|is not defined|undefined is not|Invalid typed array length|out of bounds|Array buffer allocation failed/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const TEMP_FILE = /\.tensor-pooling-\d+-[0-9a-f]+\.tmp$/;

function defect(kind: DefectKind, detail: string): Outcome {
  return { cls: 'defect', kind, detail };
}

function firstLines(text: string): string {
  return JSON.stringify(text.trim().split('\n').slice(0, 3).join(' | ').slice(0, 300));
}

async function imageShape(path: string): Promise<number[]> {
  const meta = await sharp(path).metadata();
  return [meta.height ?? -1, meta.width ?? -1];
}

function tensorShape(path: string): number[] | undefined {
  const bytes = readFileSync(path);
  if (path.endsWith('.json')) return (JSON.parse(bytes.toString('utf8')) as { shape: number[] }).shape;
  const header = bytes.subarray(10, 10 + bytes.readUInt16LE(8)).toString('latin1');
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  return shape?.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
}

/** Checks the output of a valid call: it exists and has the shape the oracle says. */
async function checkOutput(cwd: string, call: CliCall): Promise<Outcome | undefined> {
  const at = call.argv.indexOf('-o');
  if (call.command !== 'pool' || at < 0) return undefined;
  const output = join(cwd, call.argv[at + 1]!);
  let shape: number[] | undefined;
  try {
    shape = /\.(npy|json)$/.test(output) ? tensorShape(output) : await imageShape(output);
  } catch (error) {
    return defect('cli-missing-output', `exit 0 but ${call.argv[at + 1]} cannot be read back: ${String(error).slice(0, 200)}`);
  }
  const expected = call.expectShape;
  if (!expected || !shape) return undefined;
  const same = expected.length === shape.length && expected.every((d, i) => d === -1 || d === shape![i]);
  return same ? undefined : defect('cli-wrong-output', `output shape ${JSON.stringify(shape)}, expected ${JSON.stringify(expected.map((d) => (d === -1 ? 'C' : d)))}`);
}

export async function runCliCall(call: CliCall, fixtures: string, limits: CliLimits): Promise<{ outcome: Outcome; ms: number }> {
  const work = mkdtempSync(join(tmpdir(), 'tensor-pooling-fuzz-'));
  try {
    mkdirSync(join(work, 'in'));
    mkdirSync(join(work, 'out'));
    for (const input of call.inputs) placeInput(fixtures, join(work, 'in'), input);
    for (const name of call.existing) writeFileSync(join(work, 'out', name), 'an earlier output\n');
    const before = tree(work);
    const tmpBefore = new Set(readdirSync(tmpdir()));
    const started = performance.now();
    const run = await runChild(call.argv, work, limits);
    const ms = performance.now() - started;
    return { outcome: await judge(call, run, work, before, tmpBefore, limits), ms };
  } finally {
    // The unreadable fixture must become removable again.
    try {
      chmodSync(join(work, 'in', 'secret.png'), 0o600);
    } catch {
      // not part of this call
    }
    rmSync(work, { recursive: true, force: true });
  }
}

async function judge(call: CliCall, run: Run, work: string, before: Map<string, Entry>, tmpBefore: Set<string>, limits: CliLimits): Promise<Outcome> {
  const megabytes = (run.peakRss / 2 ** 20).toFixed(0);
  if (run.timedOut) return defect('cli-hang', `no exit after ${limits.callMs} ms (peak ${megabytes} MiB); stderr ${firstLines(run.stderr)}`);
  if (run.overMemory) return defect('cli-memory', `resident memory passed ${(limits.memoryBytes / 2 ** 20).toFixed(0)} MiB`);
  if (run.signal) return defect('cli-signal', `killed by ${run.signal}; stderr ${firstLines(run.stderr)}`);
  const verbose = call.argv.includes('--verbose') || call.argv.includes('-v');
  const output = `${run.stdout}\n${run.stderr}`;
  if (!verbose && STACK.test(run.stderr)) return defect('cli-stack-trace', `exit ${run.status}; stderr ${firstLines(run.stderr.slice(Math.max(0, run.stderr.search(STACK) - 200)))}`);
  if (ENGINE.test(run.stderr)) return defect('cli-internal-error', `exit ${run.status}; stderr ${firstLines(run.stderr)}`);
  // Control characters the user typed may come back; ones from files the CLI read or found may not.
  const typed = new Set([...call.argv.join('')].filter((c) => CONTROL.test(c)));
  const echoed = [...output].find((c) => CONTROL.test(c) && !typed.has(c));
  if (echoed !== undefined) return defect('cli-control-chars', `raw ${JSON.stringify(echoed)} in the output: ${firstLines(JSON.stringify(output.slice(0, 400)))}`);

  // Files: inputs untouched, existing outputs kept unless --force, writes only where allowed.
  const after = tree(work);
  const force = call.argv.includes('--force') || call.argv.includes('-f');
  const oAt = call.argv.indexOf('-o');
  const outputArg = oAt >= 0 ? call.argv[oAt + 1] : undefined;
  // batch writes into the folder -o names (created if missing), whatever its name; pool writes the one file.
  const target = outputArg?.replace(/^\.\//, '').replace(/\/+$/, '');
  const allowed = (path: string) => target !== undefined && (path === target || (call.command === 'batch' && path.startsWith(`${target}/`)));
  for (const [path, entry] of before) {
    const now = after.get(path);
    const same = now !== undefined && JSON.stringify(now) === JSON.stringify(entry);
    if (same) continue;
    if (path.startsWith('in/')) return defect('cli-input-modified', `${JSON.stringify(path)} was ${now ? 'changed' : 'removed'}`);
    if (path.startsWith('out/') && entry.kind === 'file' && !force) return defect('cli-wrote-outside', `overwrote the existing ${JSON.stringify(path)} without --force`);
  }
  for (const [path, entry] of after) {
    if (TEMP_FILE.test(path)) return defect('cli-temp-left', `left ${JSON.stringify(path)}`);
    const was = before.get(path);
    if (was !== undefined && JSON.stringify(was) === JSON.stringify(entry)) continue;
    if (entry.kind === 'dir' && path === 'out') continue;
    if (!allowed(path)) return defect('cli-wrote-outside', `wrote ${JSON.stringify(path)}`);
  }
  const ownTemp = readdirSync(tmpdir()).filter((name) => name.startsWith(`tensor-pooling-${run.pid}-`) && !tmpBefore.has(name));
  if (ownTemp.length > 0) return defect('cli-temp-left', `left ${JSON.stringify(join(tmpdir(), ownTemp[0]!))}`);

  // Exit codes.
  const status = run.status;
  if (call.mustFail !== undefined) {
    if (status !== 2) return defect('cli-exit-code', `exit ${status} where the docs refuse the call (exit 2); stderr ${firstLines(run.stderr)}`);
    if (!run.stderr.includes(call.mustFail)) return defect('cli-no-message', `exit 2 without naming ${JSON.stringify(call.mustFail)}: ${firstLines(run.stderr)}`);
  }
  if (status === 0) {
    if (call.valid) {
      const problem = await checkOutput(work, call);
      if (problem) return problem;
    }
    return { cls: 'ok' };
  }
  if (status === 2 || (status === 1 && call.command === 'batch')) {
    if (run.stderr.trim() === '') return defect('cli-no-message', `exit ${status} with nothing on stderr`);
    if (status === 1 && !/fail/i.test(run.stderr)) return defect('cli-exit-code', `exit 1 without a summary of failures; stderr ${firstLines(run.stderr)}`);
    if (call.valid) return defect('cli-exit-code', `a valid call exited ${status}: ${firstLines(run.stderr)}`);
    return { cls: 'coded', code: `exit ${status}` };
  }
  return defect('cli-exit-code', `exit ${status}; stderr ${firstLines(run.stderr)}`);
}

// ---------------------------------------------------------------------------------------------

export interface CliPlan extends Schedule {
  readonly callsPerSeed: number;
  readonly limits: CliLimits;
}

export function cliCallAt(seed: number, path: number): CliCall {
  return fc.sample(cliArbitrary, { seed, numRuns: path + 1 })[path]!;
}

export async function fuzzCli(plan: CliPlan): Promise<{ records: CallRecord[]; stoppedEarly: boolean }> {
  const fixtures = mkdtempSync(join(tmpdir(), 'tensor-pooling-fuzz-fixtures-'));
  const records: CallRecord[] = [];
  let stoppedEarly = false;
  try {
    await makeFixtures(fixtures);
    const runSeed = async (seed: number): Promise<boolean> => {
      const calls = fc.sample(cliArbitrary, { seed, numRuns: plan.callsPerSeed });
      for (let i = 0; i < calls.length; i++) {
        if (performance.now() > plan.deadline) return false;
        const call = calls[i]!;
        const { outcome, ms } = await runCliCall(call, fixtures, plan.limits);
        const record: CallRecord = { door: `cli ${call.command}`, outcome, rendered: renderCliCall(call), mode: call.valid ? 'valid' : 'hostile', mutation: call.mutation, seed, path: i, ms };
        records.push(record);
        plan.onRecord?.(record);
      }
      return true;
    };
    for (const seed of plan.seeds) {
      if (!(await runSeed(seed))) {
        stoppedEarly = true;
        break;
      }
    }
    if (!stoppedEarly && plan.openEnded !== undefined) {
      for (let round = 0; performance.now() < plan.deadline; round++) if (!(await runSeed(plan.openEnded + round))) break;
    }
  } finally {
    killChildren();
    rmSync(fixtures, { recursive: true, force: true });
  }
  return { records, stoppedEarly };
}

export function cliReplay(record: CallRecord): string {
  return `npm run fuzz -- --cli --seed ${record.seed} --path ${record.path}`;
}
