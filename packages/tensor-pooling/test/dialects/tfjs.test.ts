/** TF.js rules the conformance vectors do not pin; each expected value was checked against tfjs-backend-cpu 4.22. */
import assert from 'node:assert/strict';
import test from 'node:test';
import { PoolingError, tfjs } from '../../src/index.js';
import { makePlan, splitShape, type SlidingAxis } from '../../src/plan/plan.js';
import { runBackward } from '../../src/ops/run.js';
import { assertReadOnce, counting, flipping, hugeLists, label, refuses, revoked, WRONG_TYPES } from './hostile.js';

const code = (c: string) => (e: unknown) => e instanceof PoolingError && e.code === c;

test('a numeric pad sizes the width with the height filter and stride, as computeOutputShape2D does', () => {
  const x = { shape: [1, 5, 9, 1], data: new Float32Array(45).fill(1) };
  // Height: trunc((5 - 2 + 2) / 2 + 1) = 3. Width: trunc((9 - 2 + 2) / 2 + 1) = 5 with the height's
  // filter 2 and stride 2, where its own filter 3 and stride 3 would give 3.
  const y = tfjs.avgPool(x, [2, 3], [2, 3], 1);
  assert.deepEqual(y.shape, [1, 3, 5, 1]);
  // Width windows start at 3w - 1: the 5th (start 11) lies wholly past the input and pad: 0/0.
  assert.deepEqual([...y.data.slice(0, 5)], [1, 1, 1, 1, NaN]);
});

test('a 1x1 filter whose output keeps the input shape returns the input (the cpu identity shortcut)', () => {
  const x = { shape: [2, 2, 1], data: Float32Array.of(1, 2, 3, 4) };
  // Stride 2, pad 1: trunc((2 - 1 + 2) / 2 + 1) = 2 rows and columns, but the windows would start at -1 and 1.
  assert.deepEqual([...tfjs.avgPool(x, 1, 2, 1).data], [1, 2, 3, 4]);
  // The 3-D ops have no shortcut: window starts -1 and 1 per axis leave only the last corner with
  // input; the 3-D cpu kernel divides by max(count, 1), so the empty windows give 0 (2-D gives NaN).
  const x3 = { shape: [2, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8) };
  assert.deepEqual([...tfjs.avgPool3d(x3, 1, 2, 1).data], [0, 0, 0, 0, 0, 0, 0, 8]);
});

test('pool with dilations: a numeric pad is dropped, "same" zeros count in the average', () => {
  const x = { shape: [4, 4, 1], data: Float32Array.from({ length: 16 }, (_, i) => i + 1) };
  // Dilation 2, window 2: taps (r, c), (r, c+2), (r+2, c), (r+2, c+2); pad 1 is ignored (valid: 2x2 out).
  const dropped = tfjs.pool(x, 2, 'avg', 1, 2);
  assert.deepEqual(dropped.shape, [2, 2, 1]);
  // Output (0, 0): (1 + 3 + 9 + 11) / 4 = 6.
  assert.equal(dropped.data[0], 6);
  // 'same': effective kernel 3, pads [1, 1]; output (0, 0) taps rows/cols -1 and 1: only x[1][1] = 6 is real, / 4.
  const same = tfjs.pool(x, 2, 'avg', 'same', 2);
  assert.deepEqual(same.shape, [4, 4, 1]);
  assert.equal(same.data[0], 6 / 4);
  assert.throws(() => tfjs.pool(x, 2, 'max', 'same', 2), code('UNSUPPORTED_OPTION'));
});

test('maxPoolWithArgmax: NHWC flat indexes, with the batch term only when asked', () => {
  const x = { shape: [2, 2, 2, 2], data: Float32Array.from({ length: 16 }, (_, i) => i) };
  // One 2x2 window per sample and channel; the maximum is at (1, 1): (1 * 2 + 1) * 2 + c.
  assert.deepEqual([...tfjs.maxPoolWithArgmax(x, 2, 2, 'valid').indexes.data], [6, 7, 6, 7]);
  // Sample 1 adds 1 * H * W * C = 8.
  assert.deepEqual([...tfjs.maxPoolWithArgmax(x, 2, 2, 'valid', true).indexes.data], [6, 7, 14, 15]);
});

test('gradient ties: the 2-D max keeps the first maximum, the 3-D max the last, on every backend', () => {
  const dy2 = { shape: [1, 1, 1], data: Float32Array.of(5) };
  assert.deepEqual([...tfjs.maxPoolGrad(dy2, { shape: [2, 2, 1], data: new Float32Array(4).fill(1) }, 2, 1, 'valid').data], [5, 0, 0, 0]);
  const dy3 = { shape: [1, 1, 1, 1], data: Float32Array.of(5) };
  const x3 = { shape: [2, 2, 2, 1], data: new Float32Array(8).fill(1) };
  assert.deepEqual([...tfjs.maxPool3dGrad(dy3, x3, 2, 1, 'valid').data], [0, 0, 0, 0, 0, 0, 0, 5]);

  // The same tie rule straight through each backend: a 1-D window of three equal values.
  const split = splitShape('ties', [1, 1, 3], 'channels-first', 1);
  const axis: SlidingAxis = { kind: 'sliding', size: 3, out: 1, kernel: 3, stride: 1, dilation: 1, padBegin: 0, padEnd: 0 };
  const ones = { shape: [1, 1, 3], data: Float64Array.of(2, 2, 2) };
  for (const ties of ['first', 'last'] as const) {
    const plan = makePlan({ op: 'ties', inputShape: [1, 1, 3], layout: 'channels-first', split, axes: [axis], reducer: { op: 'max', nan: 'ignore', ties } });
    for (const backend of ['reference', 'js']) {
      const dx = runBackward(plan, { shape: [1, 1, 1], data: Float64Array.of(1) }, ones, backend);
      assert.deepEqual([...dx.data], ties === 'first' ? [1, 0, 0] : [0, 0, 1], `${backend}, ties ${ties}`);
    }
  }
});

test('TF.js argument errors', () => {
  const x = { shape: [3, 3, 1], data: new Float32Array(9) };
  assert.throws(() => tfjs.avgPool(x, 2, 1, 'same', 'round'), code('INVALID_PARAMETER'));
  assert.throws(() => tfjs.avgPool({ shape: [3, 3, 1], data: new Int32Array(9) }, 2, 1, 0), code('UNSUPPORTED_DTYPE'));
  assert.throws(() => tfjs.maxPool3d(x, 2, 1, 'valid'), code('INVALID_RANK'));
  assert.throws(() => tfjs.avgPool3d({ shape: [1, 2, 2, 2, 1], data: new Float32Array(8) }, 1, 3, 'same'), code('UNSUPPORTED_OPTION'));
  // maxPool carries int32 data through (max selects, it does not combine).
  const ints = tfjs.maxPool({ shape: [2, 2, 1], data: Int32Array.of(4, -7, 9, 1) }, 2, 1, 'valid');
  assert.ok(ints.data instanceof Int32Array);
  assert.deepEqual([...ints.data], [9]);
  // Nested arrays are accepted as TF.js's "tensor like" inputs.
  assert.deepEqual([...tfjs.avgPool([[[1], [3]], [[5], [7]]], 2, 1, 'valid').data], [4]);
});

test('an axis that sizes to 0 gives TF.js\'s empty tensor; a negative size is TF.js\'s error', () => {
  const ones = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((p, d) => p * d, 1)).fill(1) });
  const x2 = ones([1, 3, 5, 1]);
  const x3 = ones([1, 2, 3, 4, 1]);
  const empty = (t: { shape: readonly number[]; data: ArrayLike<number> }, shape: number[]) => {
    assert.deepEqual(t.shape, shape);
    assert.equal(t.data.length, 0);
  };
  // 'valid' 2-D: ceil((3 - 4 + 1) / 1) = 0 rows; the width keeps ceil((5 - 2 + 1) / 1) = 4.
  empty(tfjs.avgPool(x2, [4, 2], 1, 'valid'), [1, 0, 4, 1]);
  empty(tfjs.maxPool(x2, [4, 2], 1, 'valid'), [1, 0, 4, 1]);
  empty(tfjs.pool(x2, [4, 2], 'avg', 'valid'), [1, 0, 4, 1]);
  empty(tfjs.pool(x2, [4, 2], 'max', 'valid'), [1, 0, 4, 1]);
  // A numeric pad sizes the width with the height's filter too: trunc((5 - 4) / 1 + 1) = 2.
  empty(tfjs.avgPool(x2, [4, 2], 1, 0), [1, 0, 2, 1]);
  // 3-D: computeOutputShape4D gives 0 on an axis the filter does not fit, however far.
  empty(tfjs.avgPool3d(x3, [3, 2, 2], 1, 'valid'), [1, 0, 2, 3, 1]);
  empty(tfjs.maxPool3d(x3, [9, 1, 1], 1, 'valid'), [1, 0, 3, 4, 1]);
  empty(tfjs.avgPool3d({ shape: [2, 3, 4, 1], data: new Float32Array(24) }, [3, 2, 2], 1, 0), [0, 2, 3, 1]);
  // The container follows the input: int32 max pooling stays int32.
  const ints = tfjs.maxPool({ shape: [1, 3, 5, 1], data: new Int32Array(15) }, [4, 2], 1, 'valid');
  assert.ok(ints.data instanceof Int32Array);
  empty(ints, [1, 0, 4, 1]);
  const argmax = tfjs.maxPoolWithArgmax(x2, [4, 2], 1, 0);
  empty(argmax.result, [1, 0, 2, 1]);
  empty(argmax.indexes, [1, 0, 2, 1]);
  // tf.pool with dilation 2 cuts H=3 into sub-images of ceil(3 / 2) = 2 rows: a 3-row filter leaves
  // 2 - 3 + 1 = 0 windows (empty), although 3 - 5 + 1 = -1 by the dilated size.
  empty(tfjs.pool(x2, [3, 1], 'avg', 'valid', [2, 1]), [1, 0, 5, 1]);
  // Negative sizes: TF.js throws ("Tensor must have a shape comprised of positive integers").
  refuses(() => tfjs.avgPool(x2, [5, 1], 1, 'valid'), 'OUTPUT_EMPTY');
  refuses(() => tfjs.maxPoolWithArgmax(x2, [5, 2], 1, 'valid'), 'OUTPUT_EMPTY');
  refuses(() => tfjs.pool({ shape: [1, 2, 5, 1], data: new Float32Array(10) }, [3, 1], 'avg', 'valid', [2, 1]), 'OUTPUT_EMPTY');
  // Math.ceil(-1 / 2) is -0: a size of 0, so an empty tensor (k=5, s=2 on 3 rows).
  empty(tfjs.avgPool(x2, [5, 1], 2, 'valid'), [1, 0, 3, 1]);
  // The gradient of an empty output is zero everywhere, after dy's shape is checked.
  const dy = { shape: [1, 0, 4, 1], data: new Float32Array(0) };
  assert.deepEqual([...tfjs.avgPoolGrad(dy, x2, [4, 2], 1, 'valid').data], new Array(15).fill(0));
  assert.deepEqual([...tfjs.maxPoolGrad(dy, x2, [4, 2], 1, 'valid').data], new Array(15).fill(0));
  assert.deepEqual([...tfjs.poolGrad(dy, x2, [4, 2], 'avg', 'valid').data], new Array(15).fill(0));
  assert.deepEqual([...tfjs.avgPool3dGrad({ shape: [1, 0, 2, 3, 1], data: new Float32Array(0) }, x3, [3, 2, 2], 1, 'valid').data], new Array(24).fill(0));
  refuses(() => tfjs.avgPoolGrad({ shape: [1, 1, 4, 1], data: new Float32Array(4) }, x2, [4, 2], 1, 'valid'), 'SHAPE_MISMATCH');
});

test('every tfjs function refuses arguments of the wrong type with a coded error', () => {
  const x = { shape: [1, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4) };
  const x3 = { shape: [1, 2, 2, 2, 1], data: new Float32Array(8) };
  const dy = { shape: [1, 1, 1, 1], data: Float32Array.of(1) };
  const dy3 = { shape: [1, 1, 1, 1, 1], data: Float32Array.of(1) };
  type Call = readonly unknown[];
  const calls: [string, (...args: unknown[]) => unknown, Call, readonly number[]][] = [
    ['avgPool', tfjs.avgPool as never, [x, 2, 1, 'valid'], [0, 1, 2, 3]],
    ['maxPool', tfjs.maxPool as never, [x, 2, 1, 'valid'], [0, 1, 2, 3]],
    ['avgPool3d', tfjs.avgPool3d as never, [x3, 2, 1, 'valid'], [0, 1, 2, 3]],
    ['maxPool3d', tfjs.maxPool3d as never, [x3, 2, 1, 'valid'], [0, 1, 2, 3]],
    ['maxPoolWithArgmax', tfjs.maxPoolWithArgmax as never, [x, 2, 1, 'valid'], [0, 1, 2, 3]],
    ['pool', tfjs.pool as never, [x, 2, 'avg', 'valid'], [0, 1, 2, 3]],
    ['avgPoolGrad', tfjs.avgPoolGrad as never, [dy, x, 2, 1, 'valid'], [0, 1, 2, 3, 4]],
    ['maxPoolGrad', tfjs.maxPoolGrad as never, [dy, x, 2, 1, 'valid'], [0, 1, 2, 3, 4]],
    ['avgPool3dGrad', tfjs.avgPool3dGrad as never, [dy3, x3, 2, 1, 'valid'], [0, 1, 2, 3, 4]],
    ['maxPool3dGrad', tfjs.maxPool3dGrad as never, [dy3, x3, 2, 1, 'valid'], [0, 1, 2, 3, 4]],
    ['poolGrad', tfjs.poolGrad as never, [dy, x, 2, 'avg', 'valid'], [0, 1, 2, 3, 4]],
  ];
  // Only values no TF.js argument accepts: [1, 2] is a valid filter, 1 a valid stride.
  const bad = WRONG_TYPES.filter((v) => typeof v !== 'number' && !(Array.isArray(v) && v.length === 2));
  for (const [name, fn, args, positions] of calls) {
    assert.doesNotThrow(() => fn(...args), name);
    for (const at of positions) {
      for (const value of [...bad, revoked(), ...hugeLists()]) {
        const withBad = args.map((a, i) => (i === at ? value : a));
        refuses(() => fn(...withBad), undefined, `${name} argument ${at} = ${label(value)}`);
      }
    }
    // The optional trailing arguments: dimRoundingMode, dataFormat, includeBatchInIndex, dilations, strides.
    if (name === 'avgPoolGrad') continue;
    for (const value of ['x', {}, [], revoked()]) refuses(() => fn(...args, value), undefined, `${name} trailing ${label(value)}`);
  }
  refuses(() => tfjs.pool(x, 2, 'avg', 'valid', 1, 1, 'x' as never), 'INVALID_PARAMETER');
  refuses(() => tfjs.avgPool(x, 2, 1, [[0, 0], [0, 2 ** 40], [0, 0], [0, 0]]), 'INVALID_PARAMETER');
  // A nested array that claims 2**40 rows is refused on its length, not walked.
  refuses(() => tfjs.avgPool(hugeLists()[1] as never, 2, 1, 'valid'), 'SIZE_TOO_LARGE');
  const rows = new Proxy([[[0]]], { get: (t, key) => (key === 'length' ? 2 ** 20 : Reflect.get(t, key)) });
  refuses(() => tfjs.avgPool([rows, rows] as never, 2, 1, 'valid'), 'INVALID_PARAMETER');
});

test('tfjs arguments are read once: filterSize, pad and the tensor, whatever their getters answer later', () => {
  const x = { shape: [1, 2, 2, 1], data: Float32Array.of(1, 2, 3, 4) };
  const filter = counting([2, 2]);
  const pad = counting([[0, 0], counting([0, 0]).proxy, [0, 0], [0, 0]]);
  const input = counting({ shape: counting([1, 2, 2, 1]).proxy, data: x.data });
  assert.deepEqual([...tfjs.avgPool(input.proxy, filter.proxy as never, 1, pad.proxy as never).data], [2.5]);
  for (const [reads, name] of [[filter.reads, 'filterSize'], [pad.reads, 'pad'], [input.reads, 'x']] as const) assertReadOnce(reads, name);
  const fickle = flipping({ data: x.data }, 'shape', [1, 2, 2, 1], [1, 4, 1, 1]);
  assert.deepEqual(tfjs.maxPool(fickle as never, 2, 1, 'valid').shape, [1, 1, 1, 1]);
});
