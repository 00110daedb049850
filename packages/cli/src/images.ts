/**
 * Image files through sharp (libvips): decoded into an (H, W, C) float32 tensor on the file's own
 * integer scale (0-255 or 0-65535), and encoded back rounded and clamped, 8- or 16-bit. An embedded
 * ICC profile is kept: sharp decodes into sRGB, and the output is converted back to the input's
 * profile and tagged with it. Alpha is handled premultiplied where averaging needs it.
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import type { Metadata, Sharp } from 'sharp';
import type { FloatArray } from 'tensor-pooling';
import { CliError, describeDecodeError } from './errors.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.gif', '.avif'] as const;
const SIXTEEN_BIT_EXTENSIONS = ['.png', '.tif', '.tiff'];

export type BitDepth = 8 | 16;

/** What an image file holds besides its pixels, and what its output needs to look the same. */
export interface ImageInfo {
  readonly file: string;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly hasAlpha: boolean;
  readonly depth: BitDepth;
  readonly icc: Buffer | undefined;
}

export interface DecodedImage {
  readonly info: ImageInfo;
  /** (H, W, C) samples, row-major, on the file's integer scale. */
  readonly samples: Uint8Array | Uint16Array;
}

export function isImagePath(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

function maxValue(depth: BitDepth): number {
  return depth === 16 ? 65535 : 255;
}

/**
 * 16383 x 16383, sharp's own default: an image bigger than this is refused before it is decoded.
 * A PNG of 30000 x 30000 zeros is 875 kB on disk and 900 MB decoded; the limit keeps such a file
 * from taking the memory of the machine (--max-pixels raises it).
 */
export const DEFAULT_MAX_PIXELS = 0x3fff * 0x3fff;

/** libvips takes a while to load; `explain` and refused flags never need it. */
async function loadSharp(): Promise<typeof import('sharp').default> {
  return (await import('sharp')).default;
}

/** A sharp pipeline giving raw pixels in sRGB (or grey), on the file's own bit depth. */
async function openImage(file: string, bytes: Buffer, maxPixels: number, warnings: string[]): Promise<{ info: ImageInfo; pipeline: Sharp }> {
  // failOn 'error': a damaged file is an error, not a half-grey picture. pages: 1 takes the first GIF frame.
  // The file's bytes, not its path: sharp then reads nothing that readInputFile has not checked.
  const sharp = await loadSharp();
  const open = (limitInputPixels: number | false) => {
    const image = sharp(bytes, { failOn: 'error', autoOrient: true, pages: 1, limitInputPixels });
    // libvips says what is wrong with a damaged file in warnings ("IHDR: CRC error"); its error may say only "Unknown error".
    image.on('warning', (warning: unknown) => warnings.push(String(warning)));
    return image;
  };
  let meta: Metadata;
  try {
    // The header only, without sharp's own limit, whose message names neither the size nor the flag.
    meta = await open(false).metadata();
  } catch (error) {
    throw describeDecodeError(file, undefined, error, warnings);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  if (width * height > maxPixels) {
    throw new CliError(
      `${file}: ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels} pixels (a guard against ` +
        `decompression bombs); raise it with --max-pixels ${width * height} if you trust the file`,
    );
  }
  const source = open(maxPixels);
  const depth: BitDepth = meta.depth === 'ushort' || meta.bitsPerSample === 16 ? 16 : 8;
  const grey = meta.channels - (meta.hasAlpha ? 1 : 0) === 1;
  const space = depth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb';
  const pipeline = source.toColourspace(space).raw({ depth: depth === 16 ? 'ushort' : 'uchar' });
  const channels = (grey ? 1 : 3) + (meta.hasAlpha ? 1 : 0);
  return { info: { file, format: meta.format, width, height, channels, hasAlpha: meta.hasAlpha, depth, icc: meta.icc }, pipeline };
}

/** Raw decoder bytes as numbers: 8-bit bytes or 16-bit words in the machine's byte order. */
function samplesOf(bytes: Buffer, depth: BitDepth): Uint8Array | Uint16Array {
  return depth === 16 ? new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2) : bytes;
}

/** Decodes the bytes of `file` (read with readInputFile); `maxPixels` is checked on the header first. */
export async function decodeImage(file: string, bytes: Buffer, maxPixels: number): Promise<DecodedImage> {
  const warnings: string[] = [];
  const { info, pipeline } = await openImage(file, bytes, maxPixels, warnings);
  try {
    return { info, samples: samplesOf(await pipeline.toBuffer(), info.depth) };
  } catch (error) {
    throw describeDecodeError(file, info.format, error, warnings);
  }
}

/**
 * Colour times alpha, so that averaging weights each colour by its opacity: a transparent pixel's
 * colour then adds nothing, and edges next to transparency do not darken (what image resamplers do).
 */
export function premultiply(pixels: FloatArray, channels: number, depth: BitDepth): void {
  const scale = 1 / maxValue(depth);
  for (let i = 0; i < pixels.length; i += channels) {
    const alpha = pixels[i + channels - 1]! * scale;
    for (let c = 0; c < channels - 1; c++) pixels[i + c] = pixels[i + c]! * alpha;
  }
}

/** The inverse of premultiply: a fully transparent result has colour 0. */
export function unpremultiply(pixels: FloatArray, channels: number, depth: BitDepth): void {
  const max = maxValue(depth);
  for (let i = 0; i < pixels.length; i += channels) {
    const alpha = pixels[i + channels - 1]!;
    const factor = alpha > 0 ? max / alpha : 0;
    for (let c = 0; c < channels - 1; c++) pixels[i + c] = pixels[i + c]! * factor;
  }
}

/** Rounds and clamps into 8- or 16-bit samples, rescaling when the output depth differs from the input's. */
export function toSamples(values: FloatArray, fromDepth: BitDepth, toDepth: BitDepth): Uint8Array | Uint16Array {
  const out = toDepth === 16 ? new Uint16Array(values.length) : new Uint8Array(values.length);
  const max = maxValue(toDepth);
  const scale = max / maxValue(fromDepth);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i]! * scale);
    // NaN (an empty window in some dialects) becomes 0.
    out[i] = v > max ? max : v >= 0 ? v : 0;
  }
  return out;
}

export function checkImageOutput(path: string, depth: BitDepth): void {
  const ext = extname(path).toLowerCase();
  if (!isImagePath(path)) throw new CliError(`${path}: unknown output type ${JSON.stringify(ext)}; use .npy, .json or an image (${IMAGE_EXTENSIONS.join(', ')})`);
  if (depth === 16 && !SIXTEEN_BIT_EXTENSIONS.includes(ext)) {
    throw new CliError(`${path}: 16-bit output needs PNG or TIFF (${SIXTEEN_BIT_EXTENSIONS.join(', ')}); use --bit-depth 8 or another extension`);
  }
}

/** Encodes (H, W, C) samples as the format the output's extension names, with the input's ICC profile. */
export async function encodeImage(
  samples: Uint8Array | Uint16Array,
  shape: { width: number; height: number; channels: number },
  outputPath: string,
  icc: Buffer | undefined,
): Promise<Buffer> {
  const depth: BitDepth = samples instanceof Uint16Array ? 16 : 8;
  const ext = extname(outputPath).toLowerCase();
  checkImageOutput(outputPath, depth);
  const { width, height, channels } = shape;
  const grey = channels <= 2;
  const sharp = await loadSharp();
  let image = sharp(samples, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } }).toColourspace(
    depth === 16 ? (grey ? 'grey16' : 'rgb16') : grey ? 'b-w' : 'srgb',
  );
  // GIF holds no ICC profile; everywhere else the pixels go back into the input's profile.
  const iccFile = icc && ext !== '.gif' ? join(tmpdir(), `tensor-pooling-${process.pid}-${randomBytes(6).toString('hex')}.icc`) : undefined;
  try {
    if (iccFile) {
      await writeFile(iccFile, icc!);
      image = image.withIccProfile(iccFile);
    }
    switch (ext) {
      case '.png':
        return await image.png().toBuffer();
      case '.jpg':
      case '.jpeg':
        return await image.jpeg({ quality: 95 }).toBuffer();
      case '.webp':
        return await image.webp({ lossless: true }).toBuffer();
      case '.gif':
        return await image.gif().toBuffer();
      case '.avif':
        return await image.avif({ lossless: true }).toBuffer();
      default:
        // libvips's default TIFF compression is 8-bit JPEG; deflate is lossless at any depth.
        return await image.tiff({ compression: 'deflate' }).toBuffer();
    }
  } finally {
    if (iccFile) await rm(iccFile, { force: true });
  }
}
