/**
 * The WebGPU suite. It needs a WebGPU adapter, so it runs in a child process that webgpu.test.ts
 * starts with SwiftShader (Chromium's Vulkan loader and ICD, `node --single-threaded`); named
 * without `.test` so that `npm test` never runs it bare. Where no adapter exists it prints
 * `webgpu-suite: skip: <why>` and runs nothing; the parent turns that into a visible skip.
 *
 * What it holds the kernels to: the CPU reference on random plans (averages within 1 ulp, maxima
 * and indices equal), the conformance vectors with every supported kernel run replaced by the GPU's,
 * exact means on cancelling data, the same bits on every run, and the library's error codes.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import {
  PoolingError,
  avgPool,
  avgPoolBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  maxPool,
  maxPoolBackward,
  maxPoolWithIndices,
  registerBackend,
  tensor,
  type AvgPoolOptions,
  type FloatArray,
  type Layout,
  type Tensor,
} from '../../src/index.js';
import { referenceBackward, referenceForward } from '../../src/kernels/reference/reference.js';
import { windowsOf, type PoolPlan, type Reducer } from '../../src/plan/plan.js';
import { planAvgPool, planMaxPool } from '../../src/ops/window-ops.js';
import { candidateOutputs, webGpuSupports } from '../../src/kernels/webgpu/plan-words.js';
import { probeTwoFloat } from '../../src/kernels/webgpu/probe.js';
import { PlanRunner, USAGE } from '../../src/kernels/webgpu/runner.js';
import { GRADIENT_DIVISOR_GROUPS, TWO_FLOAT_WGSL } from '../../src/kernels/webgpu/shaders.js';
import { createWebGpuPooling, type GpuTensor, type WebGpuInput, type WebGpuPooling, type WebGpuShapeInput } from '../../src/webgpu/index.js';
import { randomWindowOptions, rng, type Random } from '../backends/compare.js';
import { runConformance, type VectorResult } from '../conformance/runner.js';
import { exactSum, ulpsFromExactMean } from '../helpers/exact.js';
import { withReducer } from '../helpers/plans.js';
import { assertSameBits, assertWithinUlps, ulpDistance } from '../helpers/ulp.js';

interface DawnModule {
  create(flags: string[]): GPU;
}

async function startGpu(): Promise<{ gpu: GPU; adapter: GPUAdapter } | string> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (error) {
    return `the webgpu package does not load here (${(error as Error).message})`;
  }
  const gpu = dawn.create([]);
  const adapter = await gpu.requestAdapter();
  return adapter ? { gpu, adapter } : 'no WebGPU adapter (is a Vulkan loader and SwiftShader ICD on LD_LIBRARY_PATH / VK_ICD_FILENAMES?)';
}

const started = await startGpu();
if (typeof started === 'string') {
  console.log(`webgpu-suite: skip: ${started}`);
  process.exit(0);
}
const { gpu, adapter } = started;
const pooling: WebGpuPooling = await createWebGpuPooling({ gpu });
const device = pooling.device;
console.log(`webgpu-suite: adapter ${adapter.info.vendor} ${adapter.info.architecture} ${adapter.info.description}`.trim());

const made: GPUBuffer[] = [];
after(() => {
  for (const buffer of made) buffer.destroy();
  pooling.destroy();
});

/** Reads a GPU tensor and frees its buffer. */
async function take(t: GpuTensor): Promise<Float32Array | Int32Array> {
  const data = await pooling.read(t);
  t.buffer.destroy();
  return data;
}

async function takeFloats(t: GpuTensor): Promise<Float32Array> {
  const data = await take(t);
  assert.ok(data instanceof Float32Array);
  return data;
}

/** A GPU buffer holding `data`, with the usages the tests ask for. */
function upload(data: Float32Array, usage: number = USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC): GPUBuffer {
  const buffer = device.createBuffer({ size: Math.max(4, data.byteLength), usage: usage | USAGE.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  made.push(buffer);
  return buffer;
}

// ---------------------------------------------------------------------------------------------
// Random plans

type Kind = 'uniform' | 'ties' | 'special';

function values(r: Random, length: number, kind: Kind): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = r.next();
    if (kind === 'ties') data[i] = Math.floor(u * 5) - 2;
    else if (kind === 'special' && u < 0.12) data[i] = u < 0.04 ? NaN : u < 0.08 ? Infinity : -Infinity;
    else data[i] = (r.next() - 0.5) * 8;
  }
  return data;
}

interface RandomCase {
  readonly x: Tensor<Float32Array>;
  readonly options: AvgPoolOptions;
  readonly label: string;
}

function randomCase(r: Random, index: number, kind: Kind): RandomCase {
  const rank = r.int(1, 3);
  const layout: Layout = r.int(0, 1) ? 'channels-last' : 'channels-first';
  const spatial = Array.from({ length: rank }, () => r.int(1, 9));
  const channels = r.pick([1, 2, 3, 5]);
  const batched = r.int(0, 3) > 0;
  const shape = layout === 'channels-first' ? [channels, ...spatial] : [...spatial, channels];
  if (batched) shape.unshift(r.int(1, 2));
  const { kernel, stride, dilation, padding, ceilMode } = randomWindowOptions(r, spatial);
  // One case in six pads SAME (TF's extra pad at the end), which takes no dilation.
  const same = r.int(0, 5) === 0;
  const options: AvgPoolOptions = { kernel, stride, ...(same ? { padding: 'same' } : { padding, dilation }), ceilMode, layout, spatialDims: rank };
  const x = tensor(shape, values(r, shape.reduce((p, s) => p * s, 1), kind));
  return { x, options, label: `case ${index} (${kind}): shape ${JSON.stringify(shape)}, ${JSON.stringify(options)}` };
}

function avgExtras(r: Random): Partial<AvgPoolOptions> {
  const pick = r.int(0, 3);
  return pick === 0 ? { countIncludePad: true } : pick === 1 ? { divisorOverride: r.pick([3, -2, 0.1, 7.5]) } : {};
}

test('average pooling: random plans (ceil, padding, SAME, dilation, divisors, layouts, 1-3 axes) within 1 ulp of the reference', async () => {
  const r = rng(1401);
  for (let i = 0; i < 90; i++) {
    const kind = (['uniform', 'ties', 'special'] as const)[i % 3]!;
    const c = randomCase(r, i, kind);
    const options = { ...c.options, ...avgExtras(r) };
    const expected = avgPool(c.x, { ...options, backend: 'reference' });
    const y = await pooling.avgPool(c.x, options);
    assert.deepEqual(y.shape, expected.shape, c.label);
    assertWithinUlps({ shape: y.shape, data: await takeFloats(y) }, expected, 1, `${c.label} ${JSON.stringify(options)}`);
  }
});

test('max pooling: random plans give the reference maxima bit for bit and its per-plane indices', async () => {
  const r = rng(1402);
  for (let i = 0; i < 90; i++) {
    const kind = (['ties', 'special', 'uniform'] as const)[i % 3]!;
    const c = randomCase(r, i, kind);
    const expected = maxPoolWithIndices(c.x, { ...c.options, backend: 'reference' });
    const { values: v, indices } = await pooling.maxPoolWithIndices(c.x, c.options);
    assert.equal(indices.dtype, 'int32');
    assertSameBits(await take(v), expected.values.data, c.label);
    assert.deepEqual(await take(indices), expected.indices.data, c.label);
    const plain = await pooling.maxPool(c.x, c.options);
    assertSameBits(await take(plain), expected.values.data, `${c.label} (maxPool)`);
  }
});

/** A random shape for global pooling (1 to 3 axes of up to 40, either layout) and its options. */
function randomGlobalCase(r: Random) {
  const rank = r.int(1, 3);
  const layout: Layout = r.int(0, 1) ? 'channels-last' : 'channels-first';
  const spatial = Array.from({ length: rank }, () => r.int(1, 40));
  const channels = r.int(1, 6);
  const shape = layout === 'channels-first' ? [r.int(1, 3), channels, ...spatial] : [r.int(1, 3), ...spatial, channels];
  return { shape, options: { layout, spatialDims: rank, keepDims: r.int(0, 1) === 1 } };
}

test('global average pooling: random shapes, both layouts, keepDims, within 1 ulp', async () => {
  const r = rng(1403);
  for (let i = 0; i < 30; i++) {
    const { shape, options } = randomGlobalCase(r);
    const x = tensor(shape, values(r, shape.reduce((p, s) => p * s, 1), i % 4 === 3 ? 'special' : 'uniform'));
    const expected = globalAvgPool(x, { ...options, backend: 'reference' });
    const y = await pooling.globalAvgPool(x, options);
    assertWithinUlps({ shape: y.shape, data: await takeFloats(y) }, expected, 1, `global ${JSON.stringify(shape)} ${JSON.stringify(options)}`);
  }
});

/** Runs a plan on the GPU through the kernels' own runner (for reducers only dialects make). */
async function runPlan(runner: PlanRunner, plan: PoolPlan, data: Float32Array) {
  const pipeline = await runner.prepare(plan.op, plan);
  const x = upload(data);
  const out = runner.forward(plan, pipeline, x, true);
  const bytes = plan.batch * plan.channels * plan.outputSpatialSize * 4;
  const read = async (buffer: GPUBuffer) => {
    const staging = runner.copyOut(buffer, bytes);
    const result = await runner.mapOut(staging, bytes);
    staging.destroy();
    buffer.destroy();
    return result;
  };
  const y = new Float32Array(await read(out.y));
  const indices = out.indices ? new Int32Array(await read(out.indices)) : undefined;
  return { y, indices };
}

test("the plan's other rules: NaN skipped, ties to the last maximum, NaN for an empty window", async () => {
  const runner = new PlanRunner(device);
  const r = rng(1404);
  const reducers: Reducer[] = [
    { op: 'max', nan: 'ignore' },
    { op: 'max', nan: 'propagate', ties: 'last' },
    { op: 'max', nan: 'ignore', ties: 'last' },
    { op: 'avg', divisor: 'valid', emptyWindow: 'nan' },
  ];
  for (let i = 0; i < 40; i++) {
    const c = randomCase(r, i, i % 2 ? 'special' : 'ties');
    const base = planMaxPool(c.x.shape, c.options);
    const plan = withReducer(base, reducers[i % reducers.length]!);
    const expected = referenceForward(plan, c.x);
    const got = await runPlan(runner, plan, c.x.data);
    if (plan.reducer.op === 'max') {
      assertSameBits(got.y, expected.y, `${c.label} ${JSON.stringify(plan.reducer)}`);
      assert.deepEqual(got.indices, expected.indices, c.label);
    } else {
      assertWithinUlps({ shape: [got.y.length], data: got.y }, { shape: [got.y.length], data: expected.y }, 1, c.label);
    }
  }
  // A window with no tap inside the input: ceil mode without the start-inside rule (TF.js's), as
  // the tfjs dialect plans it.
  const { tfjs } = await import('../../src/index.js');
  const { planOfCall } = await import('../../src/index.js');
  const x = tensor([1, 5, 1, 1], Float32Array.of(1, 2, 3, 4, 5));
  const plan = planOfCall(() => tfjs.avgPool(x, [2, 1], [2, 1], 1, 'ceil'));
  assert.ok(plan, 'the tfjs dialect ran a plan');
  const emptyNan = withReducer(plan, { op: 'avg', divisor: 'valid', emptyWindow: 'nan' });
  const expected = referenceForward(emptyNan, x);
  assert.ok(Array.from(expected.y).some(Number.isNaN), 'the plan has an empty window');
  const got = await runPlan(runner, emptyNan, x.data);
  assertWithinUlps({ shape: [got.y.length], data: got.y }, { shape: [got.y.length], data: expected.y }, 1, 'empty window');
});

// ---------------------------------------------------------------------------------------------
// Conformance vectors, with the GPU executing every plan it supports

test('the conformance vectors pass with every supported float32 kernel run on the GPU', async () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const shared = join(root, '../../../shared/conformance');
  const folder = existsSync(shared) ? shared : join(root, 'test/fixtures/conformance');
  const recorded: { plan: PoolPlan; x: Float32Array }[] = [];
  let replay: { y: FloatArray; indices?: Int32Array }[] | undefined;
  let mode: 'off' | 'record' | 'replay' = 'record';
  let replayed = 0;
  registerBackend({
    name: 'webgpu-conformance',
    supports: (plan) => mode !== 'off' && webGpuSupports(plan),
    forward: (plan, x) => {
      if (!(x.data instanceof Float32Array)) return referenceForward(plan, x);
      if (mode === 'record') {
        recorded.push({ plan, x: x.data.slice() });
        return referenceForward(plan, x);
      }
      replayed++;
      const next = replay!.shift();
      assert.ok(next, 'a replayed run has its GPU result');
      return next;
    },
    backward: () => {
      throw new Error('the conformance replay runs forward vectors only');
    },
  });
  try {
    const forward = (results: VectorResult[]) => results.filter((result) => result.kind === 'forward');
    forward(runConformance(folder));
    const runner = new PlanRunner(device);
    replay = [];
    for (const run of recorded) replay.push(await runPlan(runner, run.plan, run.x));
    mode = 'replay';
    const results = forward(runConformance(folder));
    assert.equal(replay.length, 0, 'every GPU result was used by the same run that recorded it');
    assert.deepEqual(results.filter((result) => !result.passed).map((result) => `${result.file}: ${result.message}`), []);
    assert.ok(replayed >= 100, `only ${replayed} kernel runs went to the GPU`);
    console.log(`webgpu-suite: ${replayed} kernel runs of ${results.length} forward vectors went to the GPU`);
  } finally {
    mode = 'off';
  }
});

// ---------------------------------------------------------------------------------------------
// Exactness on cancelling data, determinism

/** +-1000 pairs with 1e-3 noise: float32 running sums lose everything the noise adds up to. */
function cancelling(seed: number, length: number): Float32Array {
  const r = rng(seed);
  const data = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const big = 1000 * (1 + r.next());
    data[i] = big + (r.next() - 0.5) * 1e-3;
    if (i + 1 < length) data[i + 1] = -big + (r.next() - 0.5) * 1e-3;
  }
  return data;
}

function float32RunningSumMean(data: Float32Array): number {
  let sum = 0;
  for (const v of data) sum = Math.fround(sum + v);
  return Math.fround(sum / data.length);
}

test('global average of 65,536 cancelling values per plane: within 1 ulp of the exact mean (float32 sums are off by far more)', async () => {
  const plane = 65536;
  const planes = 4;
  const data = new Float32Array(plane * planes);
  for (let p = 0; p < planes; p++) data.set(cancelling(1405 + p, plane), p * plane);
  let worstFloat32 = 0;
  for (const layout of ['channels-first', 'channels-last'] as const) {
    // Channels-last holds the same planes interleaved.
    const x = layout === 'channels-first' ? data : new Float32Array(data.length);
    if (layout === 'channels-last') for (let p = 0; p < planes; p++) for (let i = 0; i < plane; i++) x[i * planes + p] = data[p * plane + i]!;
    const shape = layout === 'channels-first' ? [1, planes, 256, 256] : [1, 256, 256, planes];
    const means = await takeFloats(await pooling.globalAvgPool(tensor(shape, x), { layout }));
    for (let p = 0; p < planes; p++) {
      const values = data.subarray(p * plane, (p + 1) * plane);
      const exact = exactSum(values);
      const ulps = ulpsFromExactMean(means[p]!, exact, plane, 'float32');
      assert.ok(ulps <= 1, `${layout} plane ${p}: ${means[p]} is ${ulps} ulps from the exact mean`);
      worstFloat32 = Math.max(worstFloat32, ulpsFromExactMean(float32RunningSumMean(values), exact, plane, 'float32'));
    }
  }
  assert.ok(worstFloat32 > 1000, `the data must defeat float32 sums: their worst error was only ${worstFloat32} ulps`);
});

test('sliding windows of 65,280 cancelling taps (one thread per output): within 1 ulp of the exact mean', async () => {
  const data = cancelling(1406, 65536);
  const y = await takeFloats(await pooling.avgPool(tensor([1, 1, 256, 256], data), { kernel: [255, 256], stride: 1 }));
  assert.equal(y.length, 2);
  for (let o = 0; o < 2; o++) {
    const window = data.subarray(o * 256, o * 256 + 255 * 256);
    const ulps = ulpsFromExactMean(y[o]!, exactSum(window), window.length, 'float32');
    assert.ok(ulps <= 1, `window ${o}: ${y[o]} is ${ulps} ulps from the exact mean`);
  }
});

test('the same bits on every run', async () => {
  const r = rng(1407);
  const x = tensor([2, 3, 37, 41], cancelling(1407, 2 * 3 * 37 * 41));
  const c = randomCase(r, 0, 'ties');
  for (let run = 0; run < 3; run++) {
    const first = await takeFloats(await pooling.globalAvgPool(x));
    const again = await takeFloats(await pooling.globalAvgPool(x));
    assertSameBits(again, first, 'globalAvgPool');
    const a = await takeFloats(await pooling.avgPool(x, { kernel: 5, stride: 2, padding: 2, ceilMode: true }));
    const b = await takeFloats(await pooling.avgPool(x, { kernel: 5, stride: 2, padding: 2, ceilMode: true }));
    assertSameBits(b, a, 'avgPool');
    const m1 = await pooling.maxPoolWithIndices(c.x, c.options);
    const m2 = await pooling.maxPoolWithIndices(c.x, c.options);
    assertSameBits(await take(m2.values), await take(m1.values), 'maxPool values');
    assertSameBits(await take(m2.indices), await take(m1.indices), 'maxPool indices');
  }
});

test('more workgroups than one dispatch dimension holds fold into two dimensions, every output once', async () => {
  // The device's limit (65,535) takes millions of outputs to reach; a runner told 7 reaches it with little work.
  const runner = new PlanRunner(device, 7);
  const r = rng(1410);
  for (const [shape, options] of [
    [[3, 5, 17, 19], { kernel: 3, stride: 1, padding: 1 }], // 4845 outputs: 76 groups of 64 = 7 x 11, the last row part empty
    [[2, 50, 3, 3], { kernel: 3 }], // 100 planes
  ] as const) {
    const x = tensor([...shape], values(r, shape.reduce((p, s) => p * s, 1), 'special'));
    for (const plan of [planAvgPool(x.shape, options), planMaxPool(x.shape, options)]) {
      const expected = referenceForward(plan, x);
      const got = await runPlan(runner, plan, x.data);
      assertWithinUlps({ shape: [got.y.length], data: got.y }, { shape: [got.y.length], data: expected.y }, plan.reducer.op === 'max' ? 0 : 1, `${JSON.stringify(shape)} ${plan.reducer.op}`);
      if (got.indices) assert.deepEqual(got.indices, expected.indices);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Gradients: gathered per input element from the plan's tables, two-float sums rounded once

type GradientKind = 'uniform' | 'cancelling' | 'special';

/** A gradient: ordinary values, +-1000 pairs with 1e-3 noise (overlapping windows cancel), or NaN and infinities. */
function gradient(r: Random, length: number, kind: GradientKind): Float32Array {
  if (kind === 'cancelling') return cancelling(r.int(1, 1 << 30), length);
  const data = values(r, length, kind === 'special' ? 'special' : 'uniform');
  return data;
}

/** The same values as a host tensor or as a GPU tensor (the ops take both), by turns. */
function asInput(t: Tensor<Float32Array>, turn: number, layout?: Layout): WebGpuInput {
  return turn % 2 === 0 ? t : { buffer: upload(t.data), shape: t.shape, dtype: 'float32', ...(layout ? { layout } : {}) };
}

/** What an average's gradient takes for the forward input: the shape, the host tensor or a GPU tensor, by turns. */
function asShapeInput(x: Tensor<Float32Array>, turn: number): WebGpuShapeInput {
  return turn % 3 === 0 ? x.shape : turn % 3 === 1 ? x : { buffer: upload(x.data), shape: x.shape, dtype: 'float32' };
}

const GRADIENT_KINDS: readonly GradientKind[] = ['uniform', 'cancelling', 'special'];

test('average gradients: random plans (ceil, padding, SAME, dilation, divisors, layouts, 1-3 axes) within 1 ulp of the reference backward', async () => {
  const r = rng(1420);
  let sameBits = 0;
  let compared = 0;
  for (let i = 0; i < 90; i++) {
    const c = randomCase(r, i, 'uniform');
    const options = { ...c.options, ...avgExtras(r) };
    const outputShape = planAvgPool(c.x.shape, options).outputShape;
    const kind = GRADIENT_KINDS[i % 3]!;
    const dy = tensor(outputShape, gradient(r, outputShape.reduce((p, s) => p * s, 1), kind));
    const expected = avgPoolBackward(dy, c.x.shape, { ...options, backend: 'reference' });
    const dx = await pooling.avgPoolBackward(asInput(dy, i, i % 4 === 1 ? options.layout : undefined), asShapeInput(c.x, i), options);
    assert.deepEqual(dx.shape, c.x.shape, c.label);
    assert.equal(dx.layout, options.layout ?? 'channels-first');
    const got = await takeFloats(dx);
    assertWithinUlps({ shape: dx.shape, data: got }, expected, 1, `${c.label} ${JSON.stringify(options)} dy ${kind}`);
    for (let k = 0; k < got.length; k++) if (Object.is(got[k], expected.data[k]) || (Number.isNaN(got[k]) && Number.isNaN(expected.data[k]))) sameBits++;
    compared += got.length;
  }
  console.log(`webgpu-suite: average gradients: ${sameBits} of ${compared} elements the reference's bits, the rest 1 ulp away`);
});

test('max gradients: random plans (ties, NaN, infinities in x) within 1 ulp of the reference backward, through the forward indices', async () => {
  const r = rng(1421);
  for (let i = 0; i < 90; i++) {
    const c = randomCase(r, i, (['ties', 'special', 'uniform'] as const)[i % 3]!);
    const outputShape = planMaxPool(c.x.shape, c.options).outputShape;
    const kind = GRADIENT_KINDS[Math.floor(i / 3) % 3]!;
    const dy = tensor(outputShape, gradient(r, outputShape.reduce((p, s) => p * s, 1), kind));
    const expected = maxPoolBackward(dy, c.x, { ...c.options, backend: 'reference' });
    const dx = await pooling.maxPoolBackward(asInput(dy, i), asInput(c.x, i + 1), c.options);
    assert.deepEqual(dx.shape, c.x.shape, c.label);
    assertWithinUlps({ shape: dx.shape, data: await takeFloats(dx) }, expected, 1, `${c.label} dy ${kind}`);
  }
});

test('global average gradients: random shapes, both layouts, keepDims, within 1 ulp of the reference backward', async () => {
  const r = rng(1422);
  for (let i = 0; i < 30; i++) {
    const { shape, options } = randomGlobalCase(r);
    const x = tensor(shape, new Float32Array(shape.reduce((p, s) => p * s, 1)));
    const outputShape = globalAvgPool(x, options).shape;
    const dy = tensor(outputShape, gradient(r, outputShape.reduce((p, s) => p * s, 1), GRADIENT_KINDS[i % 3]!));
    const expected = globalAvgPoolBackward(dy, shape, { ...options, backend: 'reference' });
    const dx = await pooling.globalAvgPoolBackward(asInput(dy, i), asShapeInput(x, i), options);
    assertWithinUlps({ shape: dx.shape, data: await takeFloats(dx) }, expected, 1, `global ${JSON.stringify(shape)} ${JSON.stringify(options)}`);
  }
});

/** The gather of a 1-D average gradient in float32 arithmetic, for the comparison below. */
function float32Gather(dy: Float32Array, size: number, kernel: number, divisor: number): Float32Array {
  const dx = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    let sum = 0;
    for (let o = Math.max(0, i - kernel + 1); o <= Math.min(dy.length - 1, i); o++) sum = Math.fround(sum + Math.fround(dy[o]! / divisor));
    dx[i] = sum;
  }
  return dx;
}

test('cancelling gradients through 64 overlapping windows: within 1 ulp of the exact gradient (BigInt), where float32 sums are far off', async () => {
  const size = 4096;
  const kernel = 64;
  const dy = cancelling(1423, size - kernel + 1);
  for (const divisorOverride of [undefined, 3]) {
    const divisor = divisorOverride ?? kernel;
    const options = { kernel: [kernel], stride: 1, ...(divisorOverride === undefined ? {} : { divisorOverride }) };
    const got = await takeFloats(await pooling.avgPoolBackward(tensor([1, 1, dy.length], dy), [1, 1, size], options));
    const reference = avgPoolBackward(tensor([1, 1, dy.length], dy), [1, 1, size], { ...options, backend: 'reference' }).data;
    const float32 = float32Gather(dy, size, kernel, divisor);
    let float32Off = 0;
    let referenceOff = 0;
    for (let i = 0; i < size; i++) {
      // Input i gathers outputs i - 63 to i: its exact gradient is their dy's sum over the divisor.
      const exact = exactSum(dy.subarray(Math.max(0, i - kernel + 1), Math.min(dy.length, i + 1)));
      const ulps = ulpsFromExactMean(got[i]!, exact, divisor, 'float32');
      assert.ok(ulps <= 1, `divisor ${divisor}, input ${i}: ${got[i]} is ${ulps} ulps from the exact gradient`);
      if (ulpsFromExactMean(float32[i]!, exact, divisor, 'float32') > 1000) float32Off++;
      if (ulpsFromExactMean(reference[i]!, exact, divisor, 'float32') > 1) referenceOff++;
    }
    assert.ok(float32Off > size / 16, `the data must defeat float32 sums: only ${float32Off} of ${size} were over 1,000 ulps off`);
    console.log(`webgpu-suite: cancelling gradients, divisor ${divisor}: a float32 gather is over 1,000 ulps off on ${float32Off} of ${size} inputs, the float64 reference over 1 ulp off on ${referenceOff}`);
  }
});

test('divisor overrides past the split\'s headroom (1e36, -3e37) and small ones (1e-20): forward and gradient within 1 ulp', async () => {
  const r = rng(1424);
  // Values near 1e6, so that no mean falls among float32's subnormals (a GPU may flush those to 0).
  const scaled = (length: number) => values(r, length, 'uniform').map((v) => v * 1e6);
  const x = tensor([1, 2, 9, 7], scaled(126));
  for (const divisorOverride of [1e36, -3e37, 1e-20]) {
    const options = { kernel: 3, stride: 2, padding: 1, ceilMode: true, divisorOverride };
    const expected = avgPool(x, { ...options, backend: 'reference' });
    assertWithinUlps({ shape: expected.shape, data: await takeFloats(await pooling.avgPool(x, options)) }, expected, 1, `forward ${divisorOverride}`);
    const dy = tensor(expected.shape, scaled(expected.data.length));
    const gradientExpected = avgPoolBackward(dy, x.shape, { ...options, backend: 'reference' });
    assertWithinUlps({ shape: x.shape, data: await takeFloats(await pooling.avgPoolBackward(dy, x.shape, options)) }, gradientExpected, 1, `backward ${divisorOverride}`);
  }
});

test('gradients where an input meets more divisors than the kernel sums under (3-D corners, valid divisors): within 1 ulp', async () => {
  const r = rng(1430);
  const shape = [1, 2, 7, 7, 7];
  const options = { kernel: 5, stride: 1, padding: 2 };
  const plan = planAvgPool(shape, options);
  // The corner input (0, 0, 0) lies in windows of 3, 4 or 5 valid taps per axis: 10 distinct divisors.
  const perAxis = [3, 4, 5];
  const divisors = new Set(perAxis.flatMap((a) => perAxis.flatMap((b) => perAxis.map((c) => a * b * c))));
  assert.ok(divisors.size > GRADIENT_DIVISOR_GROUPS, `${divisors.size} divisors`);
  for (const kind of GRADIENT_KINDS) {
    const dy = tensor(plan.outputShape, gradient(r, plan.batch * plan.channels * plan.outputSpatialSize, kind));
    const expected = avgPoolBackward(dy, shape, { ...options, backend: 'reference' });
    assertWithinUlps({ shape, data: await takeFloats(await pooling.avgPoolBackward(dy, shape, options)) }, expected, 1, `dy ${kind}`);
  }
});

/** Runs a plan's gradient on the GPU through the kernels' own runner (max plans run the forward for their indices first). */
async function runGradientPlan(runner: PlanRunner, plan: PoolPlan, dy: Float32Array, x: Float32Array): Promise<Float32Array> {
  const backward = await runner.prepareBackward(plan.op);
  let indices: GPUBuffer | undefined;
  if (plan.reducer.op === 'max') {
    const forward = runner.forward(plan, await runner.prepare(plan.op, plan), upload(x), true);
    forward.y.destroy();
    indices = forward.indices;
  }
  const dx = runner.backward(plan, backward, upload(dy), indices);
  const bytes = x.length * 4;
  const staging = runner.copyOut(dx, bytes);
  const result = new Float32Array(await runner.mapOut(staging, bytes));
  staging.destroy();
  dx.destroy();
  indices?.destroy();
  return result;
}

test("gradients of the plan's other rules (NaN skipped, ties to the last) and of dispatches folded into two dimensions", async () => {
  const r = rng(1425);
  const reducers: Reducer[] = [
    { op: 'max', nan: 'ignore' },
    { op: 'max', nan: 'propagate', ties: 'last' },
    { op: 'max', nan: 'ignore', ties: 'last' },
  ];
  const runner = new PlanRunner(device);
  for (let i = 0; i < 30; i++) {
    const c = randomCase(r, i, i % 2 ? 'special' : 'ties');
    const plan = withReducer(planMaxPool(c.x.shape, c.options), reducers[i % reducers.length]!);
    const dy = values(r, plan.batch * plan.channels * plan.outputSpatialSize, 'uniform');
    const expected = referenceBackward(plan, { shape: plan.outputShape, data: dy }, c.x);
    const got = await runGradientPlan(runner, plan, dy, c.x.data);
    assertWithinUlps({ shape: [got.length], data: got }, { shape: [got.length], data: expected }, 1, `${c.label} ${JSON.stringify(plan.reducer)}`);
  }
  // 3 * 5 * 17 * 19 = 4845 inputs: 76 groups of 64, 7 x 11 with a runner told a limit of 7.
  const folded = new PlanRunner(device, 7);
  const x = tensor([3, 5, 17, 19], values(r, 4845, 'ties'));
  for (const plan of [planAvgPool(x.shape, { kernel: 3, stride: 2, padding: 1 }), planMaxPool(x.shape, { kernel: 3, stride: 2, padding: 1 })]) {
    const dy = values(r, plan.batch * plan.channels * plan.outputSpatialSize, 'uniform');
    const expected = referenceBackward(plan, { shape: plan.outputShape, data: dy }, x);
    const got = await runGradientPlan(folded, plan, dy, x.data);
    assertWithinUlps({ shape: [got.length], data: got }, { shape: [got.length], data: expected }, 1, `folded ${plan.reducer.op}`);
  }
});

test("each input index's candidate outputs hold every window that holds it, and no more than its padded windows span", () => {
  const r = rng(1426);
  for (let i = 0; i < 200; i++) {
    // Dilations up to 4 (the window suites stop at 2): windows starting in the padding then have their first taps out of order.
    const size = r.int(1, 30);
    const dilation = r.int(1, 4);
    const kernel = r.int(1, Math.min(6, Math.floor((size - 1) / dilation) + 1));
    const half = Math.floor(((kernel - 1) * dilation + 1) / 2);
    const stride = r.int(1, 4);
    const padding: [number, number][] = [[r.int(0, half), r.int(0, half)]];
    const ceilMode = r.int(0, 1) === 1;
    const plan = planMaxPool([1, 1, size], { kernel: [kernel], stride: [stride], dilation: [dilation], padding, ceilMode });
    const axis = plan.axes[0]!;
    if (axis.kind !== 'sliding') continue;
    const table = windowsOf(plan)[0]!;
    const { start, count } = candidateOutputs(table, size);
    for (let p = 0; p < size; p++) {
      const holders: number[] = [];
      for (let o = 0; o < axis.out; o++) {
        const along = p - table.first[o]!;
        if (along >= 0 && along % table.step === 0 && along / table.step < table.count[o]!) holders.push(o);
      }
      const label = `size ${size} ${JSON.stringify({ kernel, stride, dilation, padding, ceilMode })} index ${p}`;
      for (const o of holders) assert.ok(o >= start[p]! && o < start[p]! + count[p]!, `${label}: output ${o} outside [${start[p]}, +${count[p]})`);
      const spanning = Math.floor(((axis.kernel - 1) * axis.dilation) / axis.stride) + 1;
      assert.ok(count[p]! <= spanning, `${label}: ${count[p]} candidates`);
    }
  }
});

test('gradients give the same bits on every run', async () => {
  const r = rng(1427);
  const x = tensor([2, 3, 37, 41], values(r, 2 * 3 * 37 * 41, 'ties'));
  const window = { kernel: 5, stride: 2, padding: 2, ceilMode: true };
  const options = { ...window, countIncludePad: true };
  const outputShape = avgPool(x, options).shape;
  const dy = tensor(outputShape, cancelling(1427, outputShape.reduce((p, s) => p * s, 1)));
  const dyGlobal = tensor([2, 3], cancelling(1428, 6));
  let first: Float32Array[] | undefined;
  for (let run = 0; run < 3; run++) {
    const results = [
      await takeFloats(await pooling.avgPoolBackward(dy, x.shape, options)),
      await takeFloats(await pooling.maxPoolBackward(dy, x, window)),
      await takeFloats(await pooling.globalAvgPoolBackward(dyGlobal, x)),
    ];
    if (first) results.forEach((result, k) => assertSameBits(result, first![k]!, `gradient ${k}, run ${run}`));
    else first = results;
  }
});

test('GPU tensors through forward and backward: the gradient of the GPU output gives the CPU chain', async () => {
  const r = rng(1429);
  const x = tensor([2, 9, 11, 3], values(r, 2 * 9 * 11 * 3, 'ties'));
  const options = { kernel: 3, stride: 2, padding: 1, ceilMode: true, layout: 'channels-last' } as const;
  const gx: GpuTensor = { buffer: upload(x.data), shape: x.shape, dtype: 'float32', layout: 'channels-last' };
  const y = await pooling.maxPool(gx, { kernel: 3, stride: 2, padding: 1, ceilMode: true });
  // The output itself as dy: its layout comes with it.
  const dx = await pooling.maxPoolBackward(y, gx, { kernel: 3, stride: 2, padding: 1, ceilMode: true });
  assert.equal(dx.layout, 'channels-last');
  const cpu = maxPoolBackward(maxPool(x, options), x, options);
  assertWithinUlps({ shape: dx.shape, data: await takeFloats(dx) }, cpu, 1, 'max chain');
  y.buffer.destroy();
});

// ---------------------------------------------------------------------------------------------
// GPU tensors in and out

test('GPU tensors in, GPU tensors out: a chain without readback gives the CPU chain', async () => {
  const r = rng(1408);
  const data = values(r, 2 * 9 * 11 * 3, 'uniform');
  const x: GpuTensor = { buffer: upload(data), shape: [2, 9, 11, 3], dtype: 'float32', layout: 'channels-last' };
  const pooled = await pooling.avgPool(x, { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true });
  assert.equal(pooled.layout, 'channels-last', 'the output carries the layout it was planned with');
  const maxima = await pooling.maxPool(pooled, { kernel: 2, stride: 1 });
  const global = await pooling.globalAvgPool(maxima, { keepDims: true });
  const cpuPooled = avgPool(tensor([2, 9, 11, 3], data), { kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true, layout: 'channels-last' });
  const cpuMaxima = maxPool(cpuPooled, { kernel: 2, stride: 1, layout: 'channels-last' });
  const cpu = globalAvgPool(cpuMaxima, { keepDims: true, layout: 'channels-last' });
  assert.deepEqual(global.shape, cpu.shape);
  // The average feeds the max as float32 both ways; each mean within 1 ulp, so compare loosely once.
  const got = await takeFloats(global);
  for (let i = 0; i < got.length; i++) assert.ok(ulpDistance(got[i]!, cpu.data[i]!, 'float32') <= 4, `element ${i}: ${got[i]} vs ${cpu.data[i]}`);
  pooled.buffer.destroy();
  maxima.buffer.destroy();
});

test("createWebGpuPooling's example: navigator.gpu's device, avgPool, read, destroy", async () => {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  try {
    const own = await createWebGpuPooling();
    const x = tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i + 1));
    const y = await own.avgPool(x, { kernel: 2 });
    assert.deepEqual([y.shape, Array.from(await own.read(y))], [[1, 1, 2, 2], [3.5, 5.5, 11.5, 13.5]]);
    const z = await own.maxPool(y, { kernel: 2 });
    assert.deepEqual(Array.from(await own.read(z)), [13.5]);
    // docs/webgpu.md's example goes on with a gradient.
    const dx = await own.avgPoolBackward(y, x, { kernel: 2 });
    assert.deepEqual(Array.from(await own.read(dx)).slice(0, 4), [0.875, 0.875, 1.375, 1.375]);
    y.buffer.destroy();
    own.destroy();
    // The device it requested is gone with it.
    await assert.rejects(own.read(y), { code: 'UNSUPPORTED_OPTION' });
    assert.equal(await own.device.lost.then((info) => info.reason), 'destroyed');
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete (globalThis as { navigator?: unknown }).navigator;
  }
});

test('a caller device: the pooling runs on it and leaves it alive on destroy()', async () => {
  const own = await (await gpu.requestAdapter())!.requestDevice();
  const local = await createWebGpuPooling({ device: own });
  assert.equal(local.device, own);
  const y = await local.avgPool(tensor([1, 1, 4], Float32Array.of(1, 2, 3, 4)), { kernel: [2] });
  assert.deepEqual(Array.from(await local.read(y)), [1.5, 3.5]);
  local.destroy();
  await assert.rejects(local.avgPool(tensor([1, 1, 4], Float32Array.of(1, 2, 3, 4)), { kernel: [2] }), { code: 'UNSUPPORTED_OPTION', message: /destroyed/ });
  // Still usable by its owner.
  const buffer = own.createBuffer({ size: 4, usage: USAGE.STORAGE });
  buffer.destroy();
  own.destroy();
});

// ---------------------------------------------------------------------------------------------
// Errors: the library's codes, before anything is allocated

/** Counts the buffers `fn` makes on the pooling's device. */
async function buffersMadeBy(fn: () => Promise<unknown>): Promise<number> {
  const original = device.createBuffer;
  let count = 0;
  (device as { createBuffer: GPUDevice['createBuffer'] }).createBuffer = function (this: GPUDevice, descriptor: GPUBufferDescriptor) {
    count++;
    return original.call(this, descriptor);
  };
  try {
    await fn();
  } catch {
    // The caller asserts on the error itself.
  } finally {
    delete (device as { createBuffer?: unknown }).createBuffer;
  }
  return count;
}

async function rejectsWith(promise: () => Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  let caught: unknown;
  const buffers = await buffersMadeBy(async () => {
    try {
      await promise();
    } catch (error) {
      caught = error;
      throw error;
    }
  });
  assert.ok(caught instanceof PoolingError, `expected a PoolingError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  assert.equal(buffers, 0, `a refused call made ${buffers} buffers`);
}

test('bad options: the CPU op\'s code and message, before any buffer is made', async () => {
  const x = tensor([1, 1, 4, 4], new Float32Array(16));
  const cases: [string, Record<string, unknown>][] = [
    ['padding over half the kernel', { kernel: 2, padding: 2 }],
    ['kernel larger than the input', { kernel: 5 }],
    ['no kernel', {}],
    ['a negative stride', { kernel: 2, stride: -1 }],
    ['a zero divisor', { kernel: 2, divisorOverride: 0 }],
  ];
  for (const [label, options] of cases) {
    let cpu: PoolingError | undefined;
    try {
      avgPool(x, options as never);
    } catch (error) {
      cpu = error as PoolingError;
    }
    assert.ok(cpu instanceof PoolingError, label);
    await rejectsWith(() => pooling.avgPool(x, options as never), cpu.code);
    await assert.rejects(pooling.avgPool(x, options as never), { message: cpu.message }, label);
  }
  // Unknown names are refused as by the CPU op; the list of names the message gives lacks backend and threads.
  await rejectsWith(() => pooling.avgPool(x, { kernel: 2, kernal: 3 } as never), 'INVALID_PARAMETER', /unknown option "kernal"/);
  await rejectsWith(() => pooling.avgPool(x, { kernel: 2, backend: 'js' } as never), 'INVALID_PARAMETER', /unknown option "backend"/);
  await rejectsWith(() => pooling.globalAvgPool(x, { threads: 2 } as never), 'INVALID_PARAMETER', /unknown option "threads"/);
  await rejectsWith(() => pooling.maxPool(tensor([1, 1, 2, 2, 2, 2], new Float32Array(16)), { kernel: 1 }), 'UNSUPPORTED_OPTION', /1 to 3 spatial axes/);
  // 2000^3 padded taps per window would overflow the kernels' 32-bit counts.
  await rejectsWith(() => pooling.avgPool(tensor([1, 1, 2, 2, 2], new Float32Array(8)), { kernel: 2000, stride: 1, padding: 'same', countIncludePad: true }), 'UNSUPPORTED_OPTION', /at most 2147483647 taps/);
});

test('bad tensors: dtype, size, usage, layout and device are refused with codes', async () => {
  await rejectsWith(() => pooling.avgPool(tensor([1, 1, 4], new Float64Array(4)) as never, { kernel: [2] }), 'UNSUPPORTED_DTYPE', /float32 only/);
  await rejectsWith(() => pooling.avgPool({ shape: [1, 1, 4], data: new Float32Array(3) } as never, { kernel: [2] }), 'DATA_LENGTH_MISMATCH');
  await rejectsWith(() => pooling.avgPool(5 as never, { kernel: [2] }), 'INVALID_PARAMETER');
  const storage = upload(new Float32Array(8));
  const gpuTensor = (fields: Partial<GpuTensor>): GpuTensor => ({ buffer: storage, shape: [1, 1, 8], dtype: 'float32', ...fields });
  await rejectsWith(() => pooling.avgPool(gpuTensor({ shape: [1, 1, 9] }), { kernel: [2] }), 'DATA_LENGTH_MISMATCH', /has 32 bytes but x.shape \[1, 1, 9\] needs 36/);
  await rejectsWith(() => pooling.avgPool(gpuTensor({ dtype: 'int32' }), { kernel: [2] }), 'UNSUPPORTED_DTYPE');
  await rejectsWith(() => pooling.avgPool({ ...gpuTensor({}), offset: 256 } as GpuTensor, { kernel: [2] }), 'UNSUPPORTED_OPTION', /byte 0/);
  await rejectsWith(() => pooling.avgPool(gpuTensor({ buffer: {} as GPUBuffer }), { kernel: [2] }), 'INVALID_PARAMETER', /must be a GPUBuffer/);
  const fake = (fields: Record<string, unknown>) => ({ usage: USAGE.STORAGE | USAGE.COPY_SRC, size: 2 ** 31, mapState: 'unmapped', ...fields }) as unknown as GPUBuffer;
  await rejectsWith(() => pooling.avgPool(gpuTensor({ buffer: fake({}), shape: [1, 1, 2 ** 29] }), { kernel: [2] }), 'SIZE_TOO_LARGE', /binds at most/);
  await rejectsWith(() => pooling.avgPool(gpuTensor({ buffer: fake({ mapState: 'mapped' }) }), { kernel: [2] }), 'INVALID_PARAMETER', /unmapped/);
  await rejectsWith(() => pooling.avgPool(gpuTensor({ layout: 'channels-last' }), { kernel: [2], layout: 'channels-first' }), 'INVALID_PARAMETER', /contradicts/);
  const notStorage = device.createBuffer({ size: 32, usage: USAGE.COPY_DST | USAGE.COPY_SRC });
  made.push(notStorage);
  await rejectsWith(() => pooling.avgPool(gpuTensor({ buffer: notStorage }), { kernel: [2] }), 'INVALID_PARAMETER', /GPUBufferUsage.STORAGE/);
  const notReadable = device.createBuffer({ size: 32, usage: USAGE.STORAGE });
  made.push(notReadable);
  await rejectsWith(() => pooling.read(gpuTensor({ buffer: notReadable })), 'INVALID_PARAMETER', /COPY_SRC/);
  // A buffer of another device passes every check the host can make; the GPU's refusal comes back coded.
  const other = await (await gpu.requestAdapter())!.requestDevice();
  const foreign = other.createBuffer({ size: 32, usage: USAGE.STORAGE | USAGE.COPY_SRC });
  await assert.rejects(pooling.avgPool(gpuTensor({ buffer: foreign }), { kernel: [2] }), { code: 'INVALID_PARAMETER', message: /GPU refused/ });
  other.destroy();
  const destroyed = upload(new Float32Array(8));
  destroyed.destroy();
  await assert.rejects(pooling.avgPool(gpuTensor({ buffer: destroyed }), { kernel: [2] }), { code: 'INVALID_PARAMETER', message: /GPU refused/ });
});

test("bad gradients: the CPU op's codes and messages, before any buffer is made", async () => {
  const x = tensor([1, 1, 4, 4], new Float32Array(16));
  const dy = tensor([1, 1, 2, 2], new Float32Array(4));
  const options = { kernel: 2 };
  const cpuError = (fn: () => unknown): PoolingError => {
    try {
      fn();
    } catch (error) {
      return error as PoolingError;
    }
    assert.fail('the CPU op threw nothing');
  };
  const cases: [string, () => unknown, () => Promise<unknown>][] = [
    ['dy of the wrong shape', () => avgPoolBackward(tensor([1, 1, 3, 2], new Float32Array(6)), x, options), () => pooling.avgPoolBackward(tensor([1, 1, 3, 2], new Float32Array(6)), x, options)],
    ['dy of the wrong shape (max)', () => maxPoolBackward(tensor([1, 1, 2, 3], new Float32Array(6)), x, options), () => pooling.maxPoolBackward(tensor([1, 1, 2, 3], new Float32Array(6)), x, options)],
    ['dy of the wrong shape (global)', () => globalAvgPoolBackward(tensor([1, 2], new Float32Array(2)), x), () => pooling.globalAvgPoolBackward(tensor([1, 2], new Float32Array(2)), x)],
    ['padding over half the kernel', () => avgPoolBackward(dy, x.shape, { kernel: 2, padding: 2 }), () => pooling.avgPoolBackward(dy, x.shape, { kernel: 2, padding: 2 })],
    ['a zero divisor', () => avgPoolBackward(dy, x.shape, { kernel: 2, divisorOverride: 0 }), () => pooling.avgPoolBackward(dy, x.shape, { kernel: 2, divisorOverride: 0 })],
    ['no kernel', () => maxPoolBackward(dy, x, {} as never), () => pooling.maxPoolBackward(dy, x, {} as never)],
    ['an input shape that is not one', () => avgPoolBackward(dy, [1, -1, 4] as never, options), () => pooling.avgPoolBackward(dy, [1, -1, 4] as never, options)],
    ['dy that is not a tensor', () => avgPoolBackward(5 as never, x, options), () => pooling.avgPoolBackward(5 as never, x, options)],
  ];
  for (const [label, cpu, gpuCall] of cases) {
    const expected = cpuError(cpu);
    await rejectsWith(gpuCall, expected.code);
    await assert.rejects(gpuCall(), (error: PoolingError) => error.code === expected.code && (label.includes('not a tensor') || error.message === expected.message), label);
  }
  await rejectsWith(() => pooling.avgPoolBackward(tensor([1, 1, 2, 2], new Float64Array(4)) as never, x, options), 'UNSUPPORTED_DTYPE', /dy.data must be a Float32Array/);
  await rejectsWith(() => pooling.maxPoolBackward(dy, tensor([1, 1, 4, 4], new Float64Array(16)) as never, options), 'UNSUPPORTED_DTYPE', /x.data must be a Float32Array/);
  await rejectsWith(() => pooling.maxPoolBackward(dy, x, { ...options, backend: 'js' } as never), 'INVALID_PARAMETER', /unknown option "backend"/);
  const gpuDy: GpuTensor = { buffer: upload(new Float32Array(4)), shape: [1, 1, 2, 2], dtype: 'float32', layout: 'channels-last' };
  const gpuX: GpuTensor = { buffer: upload(new Float32Array(16)), shape: [1, 1, 4, 4], dtype: 'float32', layout: 'channels-first' };
  await rejectsWith(() => pooling.maxPoolBackward(gpuDy, gpuX, options), 'INVALID_PARAMETER', /x.layout "channels-first" contradicts dy.layout "channels-last"/);
  const notStorage = device.createBuffer({ size: 16, usage: USAGE.COPY_DST | USAGE.COPY_SRC });
  made.push(notStorage);
  await rejectsWith(() => pooling.avgPoolBackward({ buffer: notStorage, shape: [1, 1, 2, 2], dtype: 'float32' }, x, options), 'INVALID_PARAMETER', /dy.buffer needs GPUBufferUsage.STORAGE/);
  const short = upload(new Float32Array(3));
  await rejectsWith(() => pooling.avgPoolBackward({ buffer: short, shape: [1, 1, 2, 2], dtype: 'float32' }, x, options), 'DATA_LENGTH_MISMATCH', /dy.buffer has 12 bytes/);
  const destroyed = upload(new Float32Array(4));
  destroyed.destroy();
  await assert.rejects(pooling.avgPoolBackward({ buffer: destroyed, shape: [1, 1, 2, 2], dtype: 'float32' }, x, options), { code: 'INVALID_PARAMETER', message: /GPU refused/ });
});

test('createWebGpuPooling refuses what it cannot use with codes', async () => {
  await assert.rejects(createWebGpuPooling({ gpu: {} as GPU }), { code: 'UNSUPPORTED_OPTION', message: /no WebGPU here/ });
  await assert.rejects(createWebGpuPooling({ device: 5 as never }), { code: 'INVALID_PARAMETER', message: /must be a GPUDevice/ });
  await assert.rejects(createWebGpuPooling({ adapter } as never), { code: 'INVALID_PARAMETER', message: /unknown option "adapter"/ });
  const none = { requestAdapter: async () => null } as unknown as GPU;
  await assert.rejects(createWebGpuPooling({ gpu: none }), { code: 'UNSUPPORTED_OPTION', message: /no WebGPU adapter/ });
});

test('the probe passes this device and fails helpers that lose the error terms, as a reassociating compiler would', async () => {
  assert.equal(await probeTwoFloat(device), undefined);
  // (a + b) - a folded to b: TwoSum's error term is always 0.
  const reassociated = TWO_FLOAT_WGSL.replace('let bv = s - a;', 'let bv = b;');
  assert.notEqual(reassociated, TWO_FLOAT_WGSL);
  assert.match((await probeTwoFloat(device, reassociated))!, /TwoSum error/);
  // c - (c - a) folded to a: the split keeps no halves, TwoProduct's error term is wrong.
  const noSplit = TWO_FLOAT_WGSL.replace('let hi = c - (c - a);', 'let hi = a;');
  assert.notEqual(noSplit, TWO_FLOAT_WGSL);
  assert.match((await probeTwoFloat(device, noSplit))!, /TwoProduct error/);
});
