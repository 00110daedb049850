/** Runs the real `tensor-pooling` binary as a child process, and makes images (with sharp, or byte by byte) and tensors for it. */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

export const BINARY = fileURLToPath(new URL('../src/main.js', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Root ignores file permissions. To make a read-only folder read-only for the child, root runs it
 * without the capabilities that override them (util-linux's setpriv); the child stays root, so it
 * still reads the checkout wherever that lives.
 */
function command(args: readonly string[], unprivileged: boolean): [string, string[]] {
  const node: [string, string[]] = [process.execPath, [BINARY, ...args]];
  if (!unprivileged || process.getuid?.() !== 0) return node;
  return ['setpriv', ['--bounding-set', '-dac_override,-dac_read_search', '--', node[0], ...node[1]]];
}

/** The test runner marks its children through NODE_TEST_CONTEXT; the binary must run as a user runs it. */
function userEnvironment(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _runner, ...env } = process.env;
  return env;
}

export function cli(args: readonly string[], options: { cwd?: string; unprivileged?: boolean } = {}): CliResult {
  const [file, argv] = command(args, options.unprivileged === true);
  const result: SpawnSyncReturns<string> = spawnSync(file, argv, {
    cwd: options.cwd,
    encoding: 'utf8',
    env: userEnvironment(),
    timeout: 60_000,
    // SIGTERM may not end a child that hangs in a blocking read (its exit waits for the read): a hang must fail the test.
    killSignal: 'SIGKILL',
    // --json of a huge explanation lists its first 4096 windows: about 2 MB.
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function cliProcess(args: readonly string[], cwd: string) {
  return spawn(process.execPath, [BINARY, ...args], { cwd, env: userEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
}

export function workFolder(): string {
  return mkdtempSync(join(tmpdir(), 'tensor-pooling-cli-'));
}

/** Deterministic pixels: each sample a different mix of its row, column and channel. */
export function pattern(width: number, height: number, channels: number, max = 255, seed = 1): number[] {
  const values: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) values.push((x * 37 + y * 101 + c * 59 + seed * 13 + ((x * y) % 17) * 7) % (max + 1));
    }
  }
  return values;
}

export async function writeImage(
  path: string,
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  values: readonly number[],
  depth: 8 | 16 = 8,
): Promise<void> {
  const data = depth === 16 ? Uint16Array.from(values) : Uint8Array.from(values);
  const grey = channels <= 2;
  await sharp(data, { raw: { width, height, channels } })
    .toColourspace(depth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb')
    .png()
    .toFile(path);
}

/** Decodes an image to its samples on its own bit depth. */
export async function readImage(path: string): Promise<{ shape: [number, number, number]; values: number[]; depth: 8 | 16 }> {
  const meta = await sharp(path).metadata();
  const depth = meta.depth === 'ushort' ? 16 : 8;
  const grey = meta.channels - (meta.hasAlpha ? 1 : 0) === 1;
  const { data, info } = await sharp(path)
    .toColourspace(depth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb')
    .raw({ depth: depth === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const samples = depth === 16 ? new Uint16Array(data.buffer, data.byteOffset, data.length / 2) : data;
  return { shape: [info.height, info.width, info.channels], values: Array.from(samples), depth };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/**
 * A greyscale PNG whose header claims `width` x `height` pixels while its IDAT holds a few rows:
 * what a decompression bomb looks like before it is decoded, built in microseconds.
 */
export function pngClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, no filter method, no interlace
  const rows = deflateSync(Buffer.alloc(4 * (width + 1)));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', rows), pngChunk('IEND', Buffer.alloc(0))]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A valid PNG with its IHDR checksum broken: libvips fails it with "Unknown error" and says why only in a warning. */
export function pngWithBadHeaderChecksum(): Buffer {
  const png = pngClaiming(4, 4);
  // The IHDR chunk's CRC: signature 8, length 4, type 4, data 13.
  png[8 + 4 + 4 + 13] = png[8 + 4 + 4 + 13]! ^ 0xff;
  return png;
}

/** A .npy file with `header` (a Python dict literal) written as is, and `data` after it. */
export function npyWithHeader(header: string, data: Float32Array): Buffer {
  const unpadded = 10 + header.length + 1;
  const text = `${header}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const prefix = Buffer.alloc(10);
  prefix.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  prefix.writeUInt16LE(text.length, 8);
  return Buffer.concat([prefix, Buffer.from(text, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
