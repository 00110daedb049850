/**
 * Regression tests for the adversarial review (issue 11): hostile or odd values at the public
 * doors must give a coded PoolingError or the right result, never poison the plan cache, reach
 * memory outside the call's tensors, allocate what a small input does not justify, or hang.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import {
  WasmTensor,
  headParameters,
  torch,
  adaptiveEnd,
  adaptiveStart,
  effectiveKernel,
  maskedGlobalAvgPool,
  planOfCall,
  reserveWasmMemory,
  samePadding,
  slidingOutputSize,
  allocSharedTensor,
  allocWasmTensor,
  avgPool,
  avgPoolBackward,
  explainPlan,
  explainWindow,
  getMaxBytes,
  globalAvgPool,
  init,
  maxPool,
  maxUnpool,
  maxUnpoolBackward,
  planAvgPool,
  planMaxPool,
  planRowBands,
  poolInto,
  poolOutputShape,
  PoolingError,
  registerBackend,
  selectBackend,
  setMaxBytes,
  startWorkers,
  toSharedTensor,
  toWasmTensor,
  type PoolPlan,
} from '../../src/index.js';
import { runCountingAllocations } from '../helpers/allocations.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PoolingError, `expected a PoolingError, got ${String(error)}`);
    assert.ok(error.message.length < 1000, `a short message, got ${error.message.length} characters`);
    return error.code;
  }
  assert.fail('expected a PoolingError, but the call returned');
}

const map = () => ({ shape: [1, 1, 4, 4], data: Float32Array.from({ length: 16 }, (_, i) => i * i) });

test('inherited options are read once and consistently; they never poison the plan cache', () => {
  const x = map();
  const expected2 = [...avgPool(x, { kernel: 2 }).data];
  const expected4 = [...avgPool(x, { kernel: 4 }).data];
  assert.deepEqual([...avgPool(x, Object.create({ kernel: 4 })).data], expected4);
  assert.deepEqual([...avgPool(x, { kernel: 2 }).data], expected2);
  // An inherited kernel and an own one of another value are different calls.
  assert.deepEqual([...avgPool(x, Object.create({ kernel: 2 })).data], expected2);
  assert.deepEqual([...avgPool(x, { kernel: 4 }).data], expected4);
});

test('an options getter that changes its answer is read once: the plan, the result and the cache agree', () => {
  const x = map();
  const expected = new Map([2, 4].map((k) => [k, [...avgPool(x, { kernel: k }).data]]));
  for (const first of [2, 4]) {
    let reads = 0;
    const fickle = {
      get kernel() {
        reads++;
        return reads === 1 ? first : 6 - first;
      },
    };
    const y = avgPool(x, fickle);
    assert.equal(reads, 1, 'the getter is called once');
    assert.deepEqual([...y.data], expected.get(first));
    for (const k of [2, 4]) assert.deepEqual([...avgPool(x, { kernel: k }).data], expected.get(k), `kernel ${k} after a fickle call`);
  }
  // A proxy that answers differently on every read.
  let n = 0;
  const proxy = new Proxy({ kernel: 2 }, { get: (_, key) => (key === 'kernel' ? (n++ % 2 === 0 ? 4 : 2) : undefined) });
  assert.deepEqual([...avgPool(x, proxy).data], expected.get(4));
  assert.deepEqual([...avgPool(x, { kernel: 2 }).data], expected.get(2));
});

test('options that cannot be read give a coded error naming them', () => {
  const x = map();
  const throwing = {
    get kernel(): number {
      throw new TypeError('no');
    },
  };
  assert.equal(codeOf(() => avgPool(x, throwing)), 'INVALID_PARAMETER');
  const revoked = Proxy.revocable({ kernel: 2 }, {});
  revoked.revoke();
  assert.equal(codeOf(() => avgPool(x, revoked.proxy)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => avgPool(x, { __proto__: null, kernel: 1n } as never)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => avgPool(x, { kernel: 2, bogus: { __proto__: null, a: 1n } } as never)), 'INVALID_PARAMETER');
});

test("a plan's window tables are the library's own: not on the plan, and look-alike plans are refused", async () => {
  await init();
  const plan = planMaxPool([1, 1, 6, 6], { kernel: 2 });
  assert.equal((plan as unknown as { windows?: unknown }).windows, undefined);
  assert.ok(Object.isFrozen(plan) && Object.isFrozen(plan.axes) && Object.isFrozen(plan.axes[0]) && Object.isFrozen(plan.inputShape));
  const lookAlike = { ...plan, outputShape: [1, 1, 3, 3] } as PoolPlan;
  const x = toWasmTensor({ shape: [1, 1, 6, 6], data: new Float32Array(36).fill(1) });
  const y = allocWasmTensor([1, 1, 3, 3]);
  assert.equal(codeOf(() => poolInto(lookAlike, x, y)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => explainPlan(lookAlike)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => planRowBands(lookAlike, 1)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => selectBackend(lookAlike)), 'INVALID_PARAMETER');
  poolInto(plan, x, y);
  assert.deepEqual([...y.data], new Array(9).fill(1));
  x.free();
  y.free();
});

test('poolInto never writes into its input or into wasm memory outside a WasmTensor', async () => {
  await init();
  const plan = planAvgPool([1, 1, 4, 4], { kernel: 2 });
  const x = toWasmTensor({ shape: [1, 1, 4, 4], data: new Float32Array(16).fill(3) });
  const wholeMemory = { shape: [1, 1, 2, 2], data: new Float32Array(x.data.buffer, 0, 4) };
  assert.equal(codeOf(() => poolInto(plan, x, wholeMemory)), 'INVALID_PARAMETER');
  const intoInput = { shape: [1, 1, 2, 2], data: x.data.subarray(0, 4) };
  assert.equal(codeOf(() => poolInto(plan, x, intoInput)), 'INVALID_PARAMETER');
  assert.deepEqual([...x.data], new Array(16).fill(3));
  x.free();
});

test("a typed array whose length lies is read at its real extent, on every backend", async () => {
  await init();
  class Lying extends Float32Array {
    override get length(): number {
      return 16;
    }
  }
  const lying = new Lying(4).fill(1);
  for (const backend of ['reference', 'js', 'wasm']) {
    assert.equal(codeOf(() => avgPool({ shape: [1, 1, 4, 4], data: lying }, { kernel: 2, backend })), 'DATA_LENGTH_MISMATCH');
    const y = avgPool({ shape: [1, 1, 2, 2], data: lying }, { kernel: 2, backend });
    assert.deepEqual([...y.data], [1], backend);
  }
  // An index tensor shorter than its shape says.
  const values = { shape: [1, 1, 2, 2], data: new Float32Array(4) };
  assert.equal(codeOf(() => maxUnpool(values, { shape: [1, 1, 2, 2], data: new Int32Array(2) }, { kernel: 2 })), 'DATA_LENGTH_MISMATCH');
  class ShortIndices extends Int32Array {
    override get length(): number {
      return 4;
    }
  }
  assert.equal(codeOf(() => maxUnpool(values, { shape: [1, 1, 2, 2], data: new ShortIndices(2) }, { kernel: 2 })), 'DATA_LENGTH_MISMATCH');
});

test('a rank-3 input with no per-axis option is refused with both readings, and each way of saying it works', () => {
  const image = { shape: [4, 4, 3], data: new Float32Array(48).fill(2) };
  let message = '';
  try {
    avgPool(image, { kernel: 2 });
  } catch (error) {
    assert.ok(error instanceof PoolingError && error.code === 'INVALID_RANK');
    message = error.message;
  }
  assert.match(message, /\(N=4, C=4, W=3\)/);
  assert.match(message, /\(C=4, H=4, W=3\)/);
  assert.match(message, /spatialDims/);
  assert.match(message, /channels-last/);
  assert.deepEqual(avgPool(image, { kernel: 2, layout: 'channels-last', spatialDims: 2 }).shape, [2, 2, 3]);
  assert.deepEqual(avgPool(image, { kernel: [2, 2], layout: 'channels-last' }).shape, [2, 2, 3]);
  assert.deepEqual(avgPool(image, { kernel: 2, spatialDims: 1 }).shape, [4, 4, 1]);
  assert.equal(codeOf(() => globalAvgPool(image)), 'INVALID_RANK');
  // Shape errors say how the input was read.
  assert.throws(() => avgPool(image, { kernel: 5, layout: 'channels-last', spatialDims: 2 }), /read as unbatched \(H=4, W=4, C=3\), channels-last/);
});

test('hostile sizes are refused in arithmetic, before any loop or allocation', () => {
  const x = map();
  for (const spatialDims of [1e7, 2 ** 31 - 1, 2 ** 32, 2 ** 53]) {
    const outcome = runCountingAllocations(() => avgPool(x, { kernel: 1, spatialDims }));
    assert.ok(outcome.error instanceof PoolingError && ['INVALID_RANK', 'INVALID_PARAMETER'].includes(outcome.error.code), String(outcome.error));
    assert.deepEqual(outcome.allocations, []);
  }
  // Shapes are arithmetic: no window table for a plan nobody runs.
  for (const shape of [
    [1, 1, 1, 2 ** 26],
    [0, 1, 1, 2 ** 30],
  ]) {
    const outcome = runCountingAllocations(() => poolOutputShape(shape, { kernel: 1 }));
    assert.equal(outcome.error, undefined);
    assert.deepEqual(outcome.allocations, []);
  }
  // An empty tensor with a huge axis pools to an empty result without building tables.
  const nothing = { shape: [0, 1, 1, 2 ** 30], data: new Float32Array(0) };
  const empty = runCountingAllocations(() => avgPool(nothing, { kernel: [1, 2] }));
  assert.equal(empty.error, undefined);
  assert.deepEqual(empty.allocations, [0]);
  assert.equal(codeOf(() => avgPool({ shape: [0, 1, 2 ** 40], data: new Float32Array(0) }, { kernel: [2] })), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => avgPool(x, { kernel: [2 ** 20, 1], dilation: [2 ** 20, 1] })), 'INVALID_PARAMETER');
  let deep: unknown = [2];
  for (let i = 0; i < 20_000; i++) deep = [deep];
  assert.equal(codeOf(() => avgPool(x, { kernel: deep as number[] })), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => avgPool(x, { kernel: 2, padding: 'x'.repeat(1e6) as never })), 'INVALID_PARAMETER');
});

test('a call that would allocate more than setMaxBytes allows is refused before allocating, and the limit can be raised', () => {
  const dy = { shape: [1, 1, 1, 1], data: new Float32Array(1) };
  // 2^29 float64 gradient elements: 4 GiB for a one-element gradient.
  const outcome = runCountingAllocations(() => avgPoolBackward(dy, [1, 1, 2 ** 15, 2 ** 14], { kernel: [2 ** 15, 2 ** 14] }));
  assert.ok(outcome.error instanceof PoolingError && outcome.error.code === 'SIZE_TOO_LARGE');
  assert.match(outcome.error.message, /setMaxBytes/);
  assert.deepEqual(outcome.allocations, []);
  const unpooled = runCountingAllocations(() =>
    maxUnpool({ shape: [1, 1, 1, 1], data: new Float32Array(1) }, { shape: [1, 1, 1, 1], data: new Int32Array(1) }, { kernel: [2 ** 15, 2 ** 15] }),
  );
  assert.ok(unpooled.error instanceof PoolingError && unpooled.error.code === 'SIZE_TOO_LARGE');
  const previous = setMaxBytes(64);
  try {
    assert.equal(codeOf(() => avgPool({ shape: [1, 1, 8, 8], data: new Float64Array(64) }, { kernel: 1 })), 'SIZE_TOO_LARGE');
    assert.deepEqual(avgPool({ shape: [1, 1, 4, 4], data: new Float32Array(16) }, { kernel: 1 }).shape, [1, 1, 4, 4]);
  } finally {
    setMaxBytes(previous);
  }
  assert.equal(getMaxBytes(), previous);
  assert.equal(codeOf(() => setMaxBytes(0)), 'INVALID_PARAMETER');
});

test('the reference backend costs the taps inside the input, not a huge kernel of padding', () => {
  const x = { shape: [1, 1, 3, 3, 3, 3], data: Float64Array.from({ length: 81 }, (_, i) => i) };
  const y = avgPool(x, { kernel: 2 ** 20, stride: 1, padding: 'same' });
  assert.deepEqual(y.shape, [1, 1, 3, 3, 3, 3]);
  assert.ok(y.data.every((v) => v === 40));
});

test('worker counts are validated before anything starts, and no more threads start than the machine has cores (at least 4)', async () => {
  for (const count of [1.5, 0, -1, 1e6, NaN, '2' as never]) {
    await assert.rejects(startWorkers(count), (error: unknown) => error instanceof PoolingError && error.code === 'INVALID_PARAMETER');
  }
  const ready = await startWorkers(256);
  assert.ok(ready <= Math.max(availableParallelism(), 4) - 1, `${ready} workers on ${availableParallelism()} cores`);
});

test('null and odd values where a tensor, index tensor, plan, shape or backend belongs are coded errors', async () => {
  await init();
  const plan = planAvgPool([1, 1, 2, 2], { kernel: 2 });
  const x = { shape: [1, 1, 2, 2], data: new Float32Array(4) };
  const cases: [string, () => unknown][] = [
    ['poolInto(null plan)', () => poolInto(null as never, x, x)],
    ['poolInto(null x)', () => poolInto(plan, null as never, x)],
    ['poolInto(null out)', () => poolInto(plan, x, null as never)],
    ['poolInto(bad options)', () => poolInto(plan, x, { shape: [1, 1, 1, 1], data: new Float32Array(1) }, { threads: 1.5 })],
    ['explainPlan(null)', () => explainPlan(null as never)],
    ['explainWindow(plan, null)', () => explainWindow(plan, null as never)],
    ['planRowBands(null)', () => planRowBands(null as never, 1)],
    ['planRowBands(NaN rows)', () => planRowBands(plan, NaN)],
    ['maxUnpool(null indices)', () => maxUnpool(x, null as never, { kernel: 2 })],
    ['maxUnpoolBackward(null indices)', () => maxUnpoolBackward(x, null as never, { kernel: 2 })],
    ['maxUnpool(null x)', () => maxUnpool(null as never, { shape: [1], data: new Int32Array(1) }, { kernel: 2 })],
    ['allocSharedTensor(string)', () => allocSharedTensor('1,1,4' as never)],
    ['allocSharedTensor(dtype)', () => allocSharedTensor([1], 'int8' as never)],
    ['toSharedTensor(null)', () => toSharedTensor(null as never)],
    ['allocWasmTensor(negative)', () => allocWasmTensor([-1])],
    ['registerBackend(null)', () => registerBackend(null as never)],
    ['registerBackend(no methods)', () => registerBackend({ name: 'x' } as never)],
    ['maxPool(null)', () => maxPool(null as never, { kernel: 2 })],
    ['maxPool(shape getter throws)', () => maxPool({ get shape(): number[] { throw new Error('no'); }, data: new Float32Array(1) } as never, { kernel: 2 })],
    ['avgPool(tensor of 20,000 axes)', () => avgPool({ shape: new Array(20_000).fill(1), data: new Float32Array(1) }, { kernel: 1 })],
  ];
  for (const [name, run] of cases) {
    try {
      run();
      assert.fail(`${name}: expected a PoolingError`);
    } catch (error) {
      assert.ok(error instanceof PoolingError, `${name}: ${String(error)}`);
    }
  }
});

test('explanations of a plan over a huge input list what fits and count the rest', () => {
  const plan = planAvgPool([1, 1, 1, 1e9], { kernel: [1, 2] });
  const outcome = runCountingAllocations(() => explainPlan(plan));
  assert.equal(outcome.error, undefined);
  assert.deepEqual(outcome.allocations, []);
  const explained = explainPlan(plan, { maxWindows: 3, maxTaps: 1 });
  const width = explained.axes[1]!;
  assert.equal(width.windows.length, 3);
  assert.equal(width.omittedWindows, 5e8 - 3);
  assert.equal(width.windows[0]!.taps.length, 1);
  assert.equal(width.windows[0]!.omittedTaps, 1);
  assert.match(explained.warnings.join('\n'), /too many to check/);
  const window = explainWindow(planAvgPool([1, 1, 1, 8], { kernel: [1, 2 ** 20], stride: 1, padding: 'same' }), [0, 0], { maxTaps: 4 });
  assert.equal(window.taps[1]!.length, 4);
  assert.equal(window.omittedTaps[1], 2 ** 20 - 4);
  assert.equal(window.inInput, 8);
});

test('a buffer shrunk or detached by a getter after its tensor was read never reaches a kernel', async () => {
  await init();
  // Fill the wasm staging memory with a marker an unchecked kernel would read back.
  maxPool({ shape: [1, 1, 64, 64], data: new Float32Array(4096).fill(777) }, { kernel: 1, backend: 'wasm' });
  for (const backend of ['wasm', 'js', 'reference']) {
    const Resizable = ArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(bytes: number): void };
    const buffer = new Resizable(16384, { maxByteLength: 16384 });
    const x = { shape: [1, 1, 64, 64], data: new Float32Array(buffer, 0, 4096) };
    const shrinking = {
      kernel: 1,
      backend,
      get stride() {
        buffer.resize(0);
        return 1;
      },
    };
    try {
      const y = maxPool(x, shrinking);
      assert.ok(!y.data.includes(777), `${backend}: read stale memory`);
    } catch (error) {
      assert.ok(error instanceof PoolingError, `${backend}: ${String(error)}`);
    }
    const detaching = new ArrayBuffer(64);
    const options = {
      kernel: 2,
      backend,
      get stride() {
        structuredClone(detaching, { transfer: [detaching] });
        return 2;
      },
    };
    assert.equal(codeOf(() => avgPool({ shape: [1, 1, 4, 4], data: new Float32Array(detaching) }, options)), 'DATA_LENGTH_MISMATCH', backend);
  }
});

test('a revoked proxy or a throwing prototype trap where a tensor belongs is a coded error, and read tensors cannot be forged', () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.equal(codeOf(() => avgPool(revoked.proxy as never, { kernel: 2 })), 'INVALID_PARAMETER');
  const trap = new Proxy({}, { getPrototypeOf: () => { throw 44; } });
  assert.ok(['INVALID_PARAMETER', 'UNSUPPORTED_DTYPE'].includes(codeOf(() => maxPool(trap as never, { kernel: 2 }))));
  // A backend sees the tensors the library read; an object made from their prototype is not one.
  let prototype: object | undefined;
  let spying = true;
  registerBackend({
    name: 'spy',
    // Only for this test: 'auto' tries registered backends first.
    supports: () => spying,
    forward: (_plan, x) => {
      prototype = Object.getPrototypeOf(x) as object;
      return { y: new Float32Array(1) };
    },
    backward: () => new Float32Array(1),
  });
  avgPool({ shape: [1, 1, 1, 1], data: new Float32Array(1) }, { kernel: 1, backend: 'spy' });
  spying = false;
  const forged = Object.create(prototype!, { shape: { value: [1, 1, 64, 64] }, data: { value: new Float32Array(1) } }) as never;
  assert.equal(codeOf(() => maxPool(forged, { kernel: 1, backend: 'wasm' })), 'DATA_LENGTH_MISMATCH');
});

test('per-sample lengths are read by index, never through an iterator of their own', () => {
  const row = [1, 1] as number[] & { [Symbol.iterator]: () => Iterator<number> };
  row[Symbol.iterator] = function* endless() {
    for (;;) yield 1;
  };
  const y = maskedGlobalAvgPool({ shape: [1, 1, 2, 2], data: Float32Array.of(1, 2, 3, 4) }, { validLengths: [row] });
  assert.deepEqual([...y.data], [1]);
});

test('explanations have one budget for all their axes', () => {
  const plan = planAvgPool([0, 1, ...new Array<number>(30).fill(2 ** 20)], { kernel: 1024 });
  const outcome = runCountingAllocations(() => explainPlan(plan));
  assert.equal(outcome.error, undefined);
  const explained = explainPlan(plan);
  const listed = explained.axes.reduce((sum, axis) => sum + axis.windows.reduce((s, w) => s + w.taps.length, 0), 0);
  assert.ok(listed <= 65536, `${listed} taps listed`);
});

test('a view of wasm memory taken before the memory grew is still wasm memory outside every WasmTensor', async () => {
  await init();
  const plan = planAvgPool([1, 1, 4, 4], { kernel: 2 });
  const x = { shape: [1, 1, 4, 4], data: new Float32Array(16).fill(1) };
  const holder = allocWasmTensor([4]);
  const old = new Float32Array(holder.data.buffer);
  reserveWasmMemory(64 << 20);
  assert.equal(codeOf(() => poolInto(plan, x, { shape: [1, 1, 2, 2], data: old.subarray(4, 8) })), 'INVALID_PARAMETER');
  holder.free();
});

test('poolInto under planOfCall stops at its plan and writes nothing', async () => {
  await init();
  const plan = planAvgPool([1, 1, 2, 2], { kernel: 2 });
  const out = { shape: [1, 1, 1, 1], data: Float32Array.of(-5) };
  assert.equal(planOfCall(() => poolInto(plan, { shape: [1, 1, 2, 2], data: new Float32Array(4).fill(1) }, out)), plan);
  assert.equal(out.data[0], -5);
});

test('non-enumerable options of a plain object are read like the others', () => {
  const options = { kernel: 2, padding: 1 };
  Object.defineProperty(options, 'countIncludePad', { value: true, enumerable: false });
  const y = avgPool({ shape: [1, 1, 2, 2], data: new Float32Array(4).fill(4) }, options);
  assert.deepEqual([...y.data], [1, 1, 1, 1]);
});

test("the exported formulas check their arguments as every other door does", () => {
  assert.equal(codeOf(() => adaptiveStart(2 ** 40, 2 ** 40, 0)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => adaptiveEnd(1n as never, 4, 2)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => adaptiveStart(5, 10, 3)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => samePadding(5, 2, 0, 'end')), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => slidingOutputSize({ size: 5, kernel: 2, stride: 2, dilation: 1, padBegin: 0, padEnd: 0 }, 'bogus' as never, false)), 'INVALID_PARAMETER');
  assert.equal(codeOf(() => effectiveKernel(2, 0)), 'INVALID_PARAMETER');
  assert.equal(slidingOutputSize({ size: 5, kernel: 2, stride: 2, dilation: 1, padBegin: 1, padEnd: 1 }, 'ceil', true), 3);
  assert.deepEqual(samePadding(5, 2, 1, 'begin'), [1, 0]);
  assert.equal(adaptiveEnd(2, 5, 3), 5);
});

test('public constructors and helpers found by the fuzzer: coded errors, right op names, no garbage', () => {
  assert.match(new PoolingError('INVALID_PARAMETER', 'x', { __proto__: null, a: 1n } as never).message, /^x: /);
  assert.equal(codeOf(() => new (WasmTensor as unknown as new (...args: unknown[]) => unknown)([4], 'float32', 0, 4, null)), 'INVALID_PARAMETER');
  assert.deepEqual(headParameters([2048, 2 ** 26], 10).globalAverageInputs, 2048);
  const x = { shape: [1, 1, 1, 1], data: new Float32Array(1) };
  assert.throws(() => torch.maxUnpool2d(x, { shape: [1, 1, 1, 1], data: new Int32Array(1) }, { kernel_size: 1, padding: 1 } as never), /^PoolingError: max_unpool2d: /);
  // A hidden property of another purpose is not an unknown option.
  const options = { kernel: 2 };
  Object.defineProperty(options, 'hidden', { value: 1, enumerable: false });
  assert.deepEqual(avgPool({ shape: [1, 1, 2, 2], data: new Float32Array(4).fill(2) }, options).data[0], 2);
  assert.equal(codeOf(() => slidingOutputSize({ size: 5, kernel: 2, stride: 2, dilation: 1, padBegin: 0 } as never, 'floor', true)), 'INVALID_PARAMETER');
  assert.equal(adaptiveEnd(3, 1, 597490542494), 1);
});
