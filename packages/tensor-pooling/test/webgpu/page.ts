/**
 * The page of the Chromium test (chromium.test.ts): it imports the built library as ES modules,
 * `tensor-pooling/webgpu` included (build/src/webgpu/index.js, what that export names), runs a
 * subset of the WebGPU suite on the page's own `navigator.gpu`, and compares each result with the
 * CPU library's in the page. The report goes to `window.webGpuReport`; no adapter is a skip with
 * its reason, never a pass.
 */
import { avgPool, avgPoolBackward, globalAvgPool, maxPoolWithIndices, tensor, type Tensor } from '../../src/index.js';
import { createWebGpuPooling } from '../../src/webgpu/index.js';

/** One comparison of the GPU's elements with the CPU's. */
export interface PageCheck {
  readonly name: string;
  readonly elements: number;
  /** Elements with the CPU's bits (NaN meeting NaN counts). */
  readonly sameBits: number;
  /** The largest distance in float32 ulps (indices: 0 when all are equal, else Infinity). */
  readonly worstUlps: number;
  readonly allowedUlps: number;
}

/** What the page reports. */
export type PageReport = { readonly skip: string } | { readonly adapter: string; readonly checks: readonly PageCheck[]; readonly milliseconds: number };

const bits = new DataView(new ArrayBuffer(4));

function ordinal(v: number): number {
  bits.setFloat32(0, v);
  const word = bits.getInt32(0);
  return word < 0 ? -(word & 0x7fffffff) : word;
}

function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  return Number.isFinite(a) && Number.isFinite(b) ? Math.abs(ordinal(a) - ordinal(b)) : Infinity;
}

function rawBits(v: number): number {
  bits.setFloat32(0, v);
  return bits.getUint32(0);
}

function compare(name: string, got: ArrayLike<number>, expected: ArrayLike<number>, allowedUlps: number): PageCheck {
  let sameBits = 0;
  let worstUlps = got.length === expected.length ? 0 : Infinity;
  for (let i = 0; i < Math.min(got.length, expected.length); i++) {
    const [a, b] = [got[i]!, expected[i]!];
    if (rawBits(a) === rawBits(b) || (Number.isNaN(a) && Number.isNaN(b))) sameBits++;
    worstUlps = Math.max(worstUlps, ulps(a, b));
  }
  return { name, elements: expected.length, sameBits, worstUlps, allowedUlps };
}

/** A seeded generator (xorshift32), so the page's data is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

function filled(length: number, next: () => number, value: (u: number) => number): Float32Array {
  return Float32Array.from({ length }, () => value(next()));
}

async function run(): Promise<PageReport> {
  const gpu = navigator.gpu;
  if (!gpu) return { skip: 'navigator.gpu is missing in this Chromium (is --enable-unsafe-webgpu given?)' };
  const adapter = await gpu.requestAdapter();
  if (!adapter) return { skip: 'navigator.gpu.requestAdapter() returned null in this Chromium' };
  const started = performance.now();
  const pooling = await createWebGpuPooling();
  const checks: PageCheck[] = [];
  const next = random(1431);
  const read = async (t: Awaited<ReturnType<typeof pooling.avgPool>>) => {
    const data = await pooling.read(t);
    t.buffer.destroy();
    return data;
  };

  // Average with ceil mode and padding, counted and not, channels-first and channels-last.
  const x: Tensor<Float32Array> = tensor([2, 3, 13, 11], filled(2 * 3 * 13 * 11, next, (u) => (u - 0.5) * 8));
  for (const options of [
    { kernel: 3, stride: 2, padding: 1, ceilMode: true },
    { kernel: [3, 2], stride: 2, padding: [1, 1], ceilMode: true, countIncludePad: true },
    { kernel: 3, stride: 2, padding: 1, ceilMode: true, layout: 'channels-last' as const, divisorOverride: 7.5 },
  ]) {
    checks.push(compare(`avgPool ${JSON.stringify(options)}`, await read(await pooling.avgPool(x, options)), avgPool(x, options).data, 1));
  }

  // Max with indices on data full of ties.
  const ties = tensor([1, 2, 9, 10], filled(180, next, (u) => Math.floor(u * 4)));
  const maxOptions = { kernel: 3, stride: 2, padding: 1, ceilMode: true };
  const gpuMax = await pooling.maxPoolWithIndices(ties, maxOptions);
  const cpuMax = maxPoolWithIndices(ties, maxOptions);
  checks.push(compare('maxPoolWithIndices values', await read(gpuMax.values), cpuMax.values.data, 0));
  const indices = await read(gpuMax.indices);
  const indicesEqual = indices.length === cpuMax.indices.data.length && indices.every((v, i) => v === cpuMax.indices.data[i]);
  checks.push({ name: 'maxPoolWithIndices indices', elements: indices.length, sameBits: indicesEqual ? indices.length : 0, worstUlps: indicesEqual ? 0 : Infinity, allowedUlps: 0 });

  // Global average of 4 planes of 65,536 cancelling values (+-1000 pairs plus 1e-3 noise).
  const plane = 65536;
  const cancelling = new Float32Array(4 * plane);
  for (let i = 0; i < cancelling.length; i += 2) {
    const big = 1000 * (1 + next());
    cancelling[i] = big + (next() - 0.5) * 1e-3;
    cancelling[i + 1] = -big + (next() - 0.5) * 1e-3;
  }
  const planes = tensor([1, 4, 256, 256], cancelling);
  checks.push(compare('globalAvgPool, cancelling data', await read(await pooling.globalAvgPool(planes)), globalAvgPool(planes).data, 1));

  // One gradient: the average's, with ceil mode and padding.
  const gradientOptions = { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true };
  const outputShape = avgPool(x, gradientOptions).shape;
  const dy = tensor(outputShape, filled(outputShape.reduce((p, s) => p * s, 1), next, (u) => (u - 0.5) * 8));
  checks.push(compare('avgPoolBackward', await read(await pooling.avgPoolBackward(dy, x.shape, gradientOptions)), avgPoolBackward(dy, x.shape, gradientOptions).data, 1));

  pooling.destroy();
  const info = adapter.info;
  return { adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), checks, milliseconds: Math.round(performance.now() - started) };
}

declare global {
  interface Window {
    webGpuReport?: PageReport | { readonly error: string };
  }
}

run().then(
  (report) => {
    window.webGpuReport = report;
  },
  (error: unknown) => {
    window.webGpuReport = { error: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error) };
  },
);
