/**
 * One input file to one output: read (image or tensor), run the library call the flags name, write
 * atomically. Shared by `pool` and the workers of `batch`.
 */
import { extname } from 'node:path';
import { PoolingError, observeRuns, planRowBands, selectBackend, type FloatArray, type PoolPlan, type RunRecord } from 'tensor-pooling';
import { ADAPTERS, libraryFailure, nativeWindowPlan, spatialRankOf, type DialectAdapter } from './dialects.js';
import { CliError } from './errors.js';
import { checkOutputPath, writeAtomically } from './files.js';
import { checkImageOutput, decodeImage, encodeImage, isImagePath, premultiply, toSamples, unpremultiply, type BitDepth, type ImageInfo } from './images.js';
import { readInputFile } from './input-file.js';
import { imageForDialect, imageFromDialect } from './layout.js';
import type { ByteOrder } from './npy.js';
import { checkFlagsApply, type PoolRequest } from './request.js';
import { encodeTensor, isTensorPath, readTensor } from './tensor-files.js';

export interface PoolFileOptions {
  readonly request: PoolRequest;
  readonly force: boolean;
  /** Average images with alpha premultiplied (default on). */
  readonly premultiply: boolean;
  /** Image output depth; default the input's. */
  readonly bitDepth?: BitDepth;
  readonly byteOrder: ByteOrder;
  /** Images with more pixels are refused before they are decoded (--max-pixels). */
  readonly maxPixels: number;
  /** Input files with more bytes are refused before they are read (--max-input-bytes). */
  readonly maxInputBytes: number;
}

export interface PoolFileResult {
  readonly input: string;
  readonly output: string | undefined;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** The pooled values when the result is one value per channel (global pooling). */
  readonly perChannel: readonly number[] | undefined;
  readonly runs: readonly RunRecord[];
  readonly bytesRead: number;
}

const AVERAGING = new Set(['avg', 'global-avg', 'adaptive-avg']);

/** Checks a request once, before any file is read: the flags fit the op and the dialect. */
export function checkRequest(request: PoolRequest): DialectAdapter {
  checkFlagsApply(request);
  if ((request.backend !== undefined || request.threads !== undefined) && request.dialect !== 'native') {
    const flag = request.backend !== undefined ? '--backend' : '--threads';
    throw new CliError(`${flag} applies to the native ops only; the ${request.dialect} dialect picks its backend itself`);
  }
  return ADAPTERS[request.dialect];
}

export function checkOutputKind(output: string): void {
  if (!isTensorPath(output) && !isImagePath(output)) {
    throw new CliError(`${output}: unknown output type ${JSON.stringify(extname(output))}; use .npy, .json or an image (.png, .jpg, .webp, .tif, .gif)`);
  }
}

interface Pooled {
  readonly shape: readonly number[];
  /** The pooled values, unless they went straight into image samples. */
  readonly values: FloatArray | undefined;
  /** Image output pooled in bands: rounded and clamped samples of the output depth. */
  readonly samples: Uint8Array | Uint16Array | undefined;
  readonly inputShape: readonly number[];
  readonly image: ImageInfo | undefined;
  readonly runs: readonly RunRecord[];
}

/** Elements of float input one band holds (4 MB of float32) when an image is pooled in bands. */
const BAND_ELEMENTS = 1 << 20;

/** `output` is the path the result goes to, which decides whether bands can write samples directly. */
async function poolImage(input: string, bytes: Buffer, output: string | undefined, adapter: DialectAdapter, options: PoolFileOptions): Promise<Pooled> {
  const { info, samples } = await decodeImage(input, bytes, options.maxPixels);
  const shape = [info.height, info.width, info.channels];
  const alphaWeighted = options.premultiply && info.hasAlpha && AVERAGING.has(options.request.op);
  const request: PoolRequest = { ...options.request, layout: adapter.channelsLast ? 'channels-last' : 'channels-first' };
  // Native sliding windows run band by band from the decoded samples: no float copy of the whole
  // image. --threads hands the whole image to the library's worker threads instead.
  const plan = request.dialect === 'native' && request.threads === undefined ? nativeWindowPlan(shape, 2, request) : undefined;
  if (plan !== undefined) {
    const outputDepth = output !== undefined && isImagePath(output) ? (options.bitDepth ?? info.depth) : undefined;
    return poolInBands(plan, samples, info, alphaWeighted, request, outputDepth);
  }
  const pixels = { shape, data: Float32Array.from(samples) };
  if (alphaWeighted) premultiply(pixels.data, info.channels, info.depth);
  const observed = observeRuns(() => adapter.run(imageForDialect(pixels, adapter), 2, request));
  const y = imageFromDialect(observed.result, adapter, 2);
  if (alphaWeighted) unpremultiply(y.data, info.channels, info.depth);
  return { shape: y.shape, values: y.data, samples: undefined, inputShape: shape, image: info, runs: observed.runs };
}

function poolInBands(
  plan: PoolPlan,
  samples: Uint8Array | Uint16Array,
  info: ImageInfo,
  alphaWeighted: boolean,
  request: PoolRequest,
  outputDepth: BitDepth | undefined,
): Pooled {
  const rowLength = info.width * info.channels;
  const outer = plan.axes[0]!;
  const inputRowsPerOutputRow = outer.kind === 'sliding' ? outer.stride : 1;
  const bands = planRowBands(plan, BAND_ELEMENTS / (rowLength * inputRowsPerOutputRow));
  const length = plan.outputShape.reduce((p, d) => p * d, 1);
  const values = outputDepth === undefined ? new Float32Array(length) : undefined;
  const pooledSamples = outputDepth === 16 ? new Uint16Array(length) : outputDepth === 8 ? new Uint8Array(length) : undefined;
  const outputRowLength = length / outer.out;
  const started = performance.now();
  let backend = '';
  for (const band of bands) {
    const x = Float32Array.from(samples.subarray(band.inputStart * rowLength, band.inputEnd * rowLength));
    if (alphaWeighted) premultiply(x, info.channels, info.depth);
    const chosen = selectBackend(band.plan, request.backend);
    const part = chosen.forward(band.plan, { shape: band.plan.inputShape, data: x }).y;
    if (alphaWeighted) unpremultiply(part, info.channels, info.depth);
    const at = band.outputStart * outputRowLength;
    if (pooledSamples) pooledSamples.set(toSamples(part, info.depth, outputDepth!), at);
    else values!.set(part, at);
    backend = chosen.name;
  }
  const run: RunRecord = { plan, backend, direction: 'forward', milliseconds: performance.now() - started };
  return { shape: plan.outputShape, values, samples: pooledSamples, inputShape: plan.inputShape, image: info, runs: [run] };
}

function poolTensor(input: string, bytes: Buffer, adapter: DialectAdapter, request: PoolRequest): Pooled {
  const x = readTensor(input, bytes);
  let spatialRank: number;
  try {
    spatialRank = spatialRankOf(x.shape, request);
  } catch (error) {
    throw error instanceof CliError ? new CliError(`${input}: ${error.message}`) : error;
  }
  const observed = observeRuns(() => adapter.run(x, spatialRank, request));
  const y = observed.result;
  return { shape: y.shape, values: y.data, samples: undefined, inputShape: x.shape, image: undefined, runs: observed.runs };
}

async function encodeOutput(output: string, pooled: Pooled, options: PoolFileOptions): Promise<Uint8Array | string> {
  if (isTensorPath(output)) return encodeTensor(output, { shape: pooled.shape, data: pooled.values! }, options.byteOrder);
  const image = pooled.image;
  if (image === undefined) throw new CliError(`${output}: an image output needs an image input; write .npy or .json instead`);
  if (pooled.shape.length !== 3) {
    throw new CliError(`${output}: --op ${options.request.op} gives one value per channel, not an image; write .json or .npy, or omit -o to print them`);
  }
  const depth = options.bitDepth ?? image.depth;
  checkImageOutput(output, depth);
  const [height, width, channels] = pooled.shape as [number, number, number];
  const samples = pooled.samples ?? toSamples(pooled.values!, image.depth, depth);
  return encodeImage(samples, { width, height, channels }, output, image.icc);
}

/** Pools `input` into `output` (or only computes, for printing, when output is undefined). */
export async function poolFile(input: string, output: string | undefined, options: PoolFileOptions): Promise<PoolFileResult> {
  const adapter = checkRequest(options.request);
  if (output !== undefined) {
    checkOutputKind(output);
    checkOutputPath(input, output, options.force);
  }
  if (!isTensorPath(input) && !isImagePath(input)) {
    throw new CliError(`${input}: unknown input type ${JSON.stringify(extname(input))}; expected an image (.png, .jpg, .webp, .tif, .gif) or a tensor (.npy, .json)`);
  }
  const bytes = await readInputFile(input, options.maxInputBytes);
  let pooled: Pooled;
  try {
    pooled = isTensorPath(input) ? poolTensor(input, bytes, adapter, options.request) : await poolImage(input, bytes, output, adapter, options);
  } catch (error) {
    // The library's message names the rule and the values; the file and the flag are ours to add.
    if (error instanceof PoolingError) throw libraryFailure(error, options.request, input);
    throw error;
  }
  if (output !== undefined) {
    const bytes = await encodeOutput(output, pooled, options);
    // Checked again just before the rename: another process may have created it meanwhile.
    checkOutputPath(input, output, options.force);
    await writeAtomically(output, bytes);
  }
  const flat = pooled.shape.filter((d) => d !== 1);
  return {
    input,
    output,
    inputShape: pooled.inputShape,
    outputShape: pooled.shape,
    perChannel: flat.length <= 1 && pooled.image !== undefined && pooled.values ? Array.from(pooled.values) : undefined,
    runs: pooled.runs,
    bytesRead: bytes.length,
  };
}
