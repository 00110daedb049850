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
  globalAvgPool,
  maxPool,
  maxPoolWithIndices,
  registerBackend,
  tensor,
  type AvgPoolOptions,
  type FloatArray,
  type Layout,
  type Tensor,
} from '../../src/index.js';
import { referenceForward } from '../../src/kernels/reference/reference.js';
import type { PoolPlan, Reducer } from '../../src/plan/plan.js';
import { planAvgPool, planMaxPool } from '../../src/ops/window-ops.js';
import { webGpuSupports } from '../../src/kernels/webgpu/plan-words.js';
import { probeTwoFloat } from '../../src/kernels/webgpu/probe.js';
import { PlanRunner, USAGE } from '../../src/kernels/webgpu/runner.js';
import { TWO_FLOAT_WGSL } from '../../src/kernels/webgpu/shaders.js';
import { createWebGpuPooling, type GpuTensor, type WebGpuPooling } from '../../src/webgpu/index.js';
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

test('global average pooling: random shapes, both layouts, keepDims, within 1 ulp', async () => {
  const r = rng(1403);
  for (let i = 0; i < 30; i++) {
    const rank = r.int(1, 3);
    const layout: Layout = r.int(0, 1) ? 'channels-last' : 'channels-first';
    const spatial = Array.from({ length: rank }, () => r.int(1, 40));
    const channels = r.int(1, 6);
    const shape = layout === 'channels-first' ? [r.int(1, 3), channels, ...spatial] : [r.int(1, 3), ...spatial, channels];
    const x = tensor(shape, values(r, shape.reduce((p, s) => p * s, 1), i % 4 === 3 ? 'special' : 'uniform'));
    const options = { layout, spatialDims: rank, keepDims: r.int(0, 1) === 1 };
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
