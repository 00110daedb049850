/**
 * One test per PoolingError code. Each failing call must give the code, a message that names the
 * op, the parameter in the caller's own spelling, the value given and the derived values, throw
 * before allocating any buffer, and leave every input (data and frozen options) as it was.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import test from 'node:test';
import {
  adaptiveAvgPool,
  avgPool,
  avgPoolBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  keras,
  lpPool,
  maskedGlobalAvgPool,
  maxPool,
  maxPoolBackward,
  maxUnpool,
  maxUnpoolBackward,
  poolOutputShape,
  PoolingError,
  runOnnxNode,
  tensor,
  tfjs,
  torch,
  type PoolingErrorCode,
} from '../../src/index.js';
import { runCountingAllocations } from '../helpers/allocations.js';
import { assertSameBits, snapshot, type TypedNumbers } from '../helpers/ulp.js';

/** Freezes an options object all the way down, so any attempt to change it throws a TypeError. */
function frozen<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

function zeros(shape: readonly number[], dtype: 'float32' | 'float64' = 'float32') {
  const length = shape.reduce((p, d) => p * d, 1);
  return { shape: Object.freeze([...shape]), data: dtype === 'float32' ? new Float32Array(length) : new Float64Array(length) };
}

interface Failure {
  readonly code: PoolingErrorCode;
  readonly op: string;
  /** Pieces the message must contain: the parameter as spelled, its value, the derived values. */
  readonly mentions: readonly string[];
  /** Arrays the call must leave untouched. */
  readonly inputs?: readonly TypedNumbers[];
  /**
   * Largest buffer the call may allocate before failing: 0 for checks on the arguments alone; a
   * failure found only once the plan exists may have allocated the plan's per-axis windows.
   */
  readonly mayAllocatePlan?: boolean;
}

function expectFailure(run: () => unknown, failure: Failure): void {
  const before = (failure.inputs ?? []).map((data) => snapshot(data));
  const { allocations, error } = runCountingAllocations(run);
  const context = `${failure.op} (${failure.code})`;
  assert.ok(error instanceof PoolingError, `${context}: expected a PoolingError, got ${String(error)}`);
  assert.equal(error.code, failure.code, `${context}: code (message: ${error.message})`);
  assert.equal(error.op, failure.op, `${context}: op`);
  assert.ok(error.message.startsWith(`${failure.op}: `), `${context}: the message starts with the op: ${error.message}`);
  for (const piece of failure.mentions) {
    assert.ok(error.message.includes(piece), `${context}: the message should mention ${JSON.stringify(piece)}: ${error.message}`);
  }
  if (failure.mayAllocatePlan) {
    assert.ok(allocations.every((n) => n <= 16), `${context}: allocated ${allocations.join(', ')} elements before failing`);
  } else {
    assert.deepEqual(allocations, [], `${context}: allocated before failing`);
  }
  (failure.inputs ?? []).forEach((data, i) => assertSameBits(data, before[i]!, `${context}: input ${i} changed`));
}

test('the allocation counter sees the buffers of a call that succeeds', () => {
  const x = zeros([1, 1, 4, 4]);
  const { allocations, error } = runCountingAllocations(() => avgPool(x, { kernel: 2 }));
  assert.equal(error, undefined);
  assert.ok(allocations.includes(4), `the 2x2 output was not seen among ${allocations.join(', ')}`);
});

test('INVALID_RANK: the input has no room for batch, channels and the spatial axes', () => {
  const x = zeros([4]);
  expectFailure(() => avgPool(x, frozen({ kernel: 2 })), { code: 'INVALID_RANK', op: 'avgPool', mentions: ['rank 1', 'shape [4]'], inputs: [x.data] });
  const y = zeros([1, 4]);
  expectFailure(() => maxPool(y, frozen({ kernel: [2, 2] })), {
    code: 'INVALID_RANK',
    op: 'maxPool',
    mentions: ['rank 4 (N, C, H, W) or 3 (C, H, W)', '2 spatial axes', 'got rank 2', 'shape [1, 4]'],
    inputs: [y.data],
  });
  const z = zeros([3, 4]);
  expectFailure(() => globalAvgPool(z, frozen({ layout: 'channels-last' })), {
    code: 'INVALID_RANK',
    op: 'globalAvgPool',
    mentions: ['rank 3 or more', 'got rank 2', 'spatialDims'],
  });
});

test('DATA_LENGTH_MISMATCH: data whose length is not the product of the shape', () => {
  const x = { shape: [1, 1, 4], data: new Float32Array(3) };
  expectFailure(() => avgPool(x, frozen({ kernel: [2] })), {
    code: 'DATA_LENGTH_MISMATCH',
    op: 'avgPool',
    mentions: ['x.data has 3 elements', 'x.shape [1, 1, 4] needs 4'],
    inputs: [x.data],
  });
  const dy = { shape: [1, 1, 2], data: new Float64Array(5) };
  expectFailure(() => avgPoolBackward(dy, [1, 1, 4], frozen({ kernel: [2] })), {
    code: 'DATA_LENGTH_MISMATCH',
    op: 'avgPoolBackward',
    mentions: ['dy.data has 5 elements', 'dy.shape [1, 1, 2] needs 2'],
    inputs: [dy.data],
    mayAllocatePlan: true,
  });
  const mask = { shape: [1, 2, 3], data: new Uint8Array(5) };
  const map = zeros([1, 1, 2, 3]);
  expectFailure(() => maskedGlobalAvgPool(map, frozen({ mask })), {
    code: 'DATA_LENGTH_MISMATCH',
    op: 'maskedGlobalAvgPool',
    mentions: ['mask.data has 5 elements', 'mask.shape [1, 2, 3] needs 6'],
    inputs: [mask.data],
    mayAllocatePlan: true,
  });
});

test('UNSUPPORTED_DTYPE: data that is not float32 or float64, or gradients of another dtype', () => {
  const ints = { shape: [1, 1, 4], data: new Int32Array(4) };
  expectFailure(() => avgPool(ints as never, frozen({ kernel: [2] })), {
    code: 'UNSUPPORTED_DTYPE',
    op: 'avgPool',
    mentions: ['x.data must be a Float32Array or Float64Array', 'got Int32Array'],
    inputs: [ints.data],
  });
  expectFailure(() => lpPool({ shape: [1, 1, 2], data: [1, 2] } as never, frozen({ kernel: [2] })), {
    code: 'UNSUPPORTED_DTYPE',
    op: 'lpPool',
    mentions: ['x.data', 'got Array'],
  });
  const x = zeros([1, 1, 4], 'float64');
  const dy = zeros([1, 1, 2], 'float32');
  expectFailure(() => maxPoolBackward(dy, x as never, frozen({ kernel: [2] })), {
    code: 'UNSUPPORTED_DTYPE',
    op: 'maxPoolBackward',
    mentions: ['dy and x must have the same dtype', 'dy float32', 'x float64'],
    inputs: [x.data, dy.data],
    mayAllocatePlan: true,
  });
  const mask = { shape: [1, 2, 2], data: new Int32Array(4) };
  const map = zeros([1, 1, 2, 2]);
  expectFailure(() => maskedGlobalAvgPool(map, frozen({ mask }) as never), {
    code: 'UNSUPPORTED_DTYPE',
    op: 'maskedGlobalAvgPool',
    mentions: ['mask.data must be a Uint8Array, Float32Array or Float64Array', 'got Int32Array'],
    mayAllocatePlan: true,
  });
});

test('INVALID_PARAMETER: non-integer, zero, negative and NaN parameters, named as the caller spelled them', () => {
  const x = zeros([1, 1, 6, 6]);
  const cases: [string, object, readonly string[]][] = [
    ['avgPool', { kernel: 1.5 }, ['kernel must be a positive integer', 'got 1.5']],
    ['avgPool', { kernel: 0 }, ['kernel must be a positive integer', 'got 0']],
    ['avgPool', { kernel: [2, -2] }, ['kernel must hold only positive integers', 'got [2, -2]']],
    ['avgPool', { kernel: NaN }, ['kernel must be a positive integer', 'got NaN']],
    ['avgPool', { kernel: Infinity }, ['kernel', 'got Infinity']],
    ['avgPool', { kernel: 2, stride: 0 }, ['stride must be a positive integer', 'got 0']],
    ['avgPool', { kernel: [2, 2], stride: [1, 2, 3] }, ['stride must be one integer or 2 integers', 'got [1, 2, 3]']],
    ['avgPool', { kernel: 2, dilation: NaN }, ['dilation must be a positive integer', 'got NaN']],
    ['avgPool', { kernel: 2, padding: -1 }, ['padding must be a non-negative integer', 'got -1']],
    ['avgPool', { kernel: 2, padding: [[0, 1], [0.5, 0]] }, ['padding must hold only non-negative integers', 'got [[0, 1], [0.5, 0]]']],
    ['avgPool', { kernel: 2, padding: 'full' }, ["'valid', 'same' or 'same-lower'", 'got "full"']],
    ['avgPool', { kernel: 2, divisorOverride: 0 }, ['divisorOverride must be a non-zero number', 'got 0']],
    ['avgPool', { kernel: 2, divisorOverride: NaN }, ['divisorOverride', 'got NaN']],
    ['avgPool', { kernel: 2, countIncludePad: 1 }, ['countIncludePad must be true or false', 'got 1']],
    ['avgPool', { kernel: 2, ceilMode: 'yes' }, ['ceilMode must be true or false', 'got "yes"']],
    ['avgPool', { kernel: 2, layout: 'NCHW' }, ['layout must be one of "channels-first", "channels-last"', 'got "NCHW"']],
    ['avgPool', { kernal: 2 }, ['unknown option "kernal"', '"kernel"']],
    ['avgPool', { stride: 2 }, ['kernel is required']],
    ['lpPool', { kernel: 2, p: 0 }, ['p must be a positive finite number', 'got 0']],
    ['lpPool', { kernel: 2, p: -1 }, ['p must be a positive finite number', 'got -1']],
    ['adaptiveAvgPool', { outputSize: 0 }, ['outputSize must be a positive integer', 'got 0']],
    ['adaptiveAvgPool', { outputSize: [2, 2.5] }, ['outputSize must hold only positive integers', 'got [2, 2.5]']],
    ['avgPool', { kernel: 2, backend: 'gpu' }, ['backend must be \'auto\' or one of', '"js"', 'got "gpu"']],
  ];
  for (const [op, options, mentions] of cases) {
    const run = op === 'lpPool' ? () => lpPool(x, frozen(options) as never) : op === 'adaptiveAvgPool' ? () => adaptiveAvgPool(x, frozen(options) as never) : () => avgPool(x, frozen(options) as never);
    // Naming an unknown backend is found once the plan exists.
    expectFailure(run, { code: 'INVALID_PARAMETER', op, mentions, inputs: [x.data], mayAllocatePlan: 'backend' in options });
  }
  expectFailure(() => avgPool(x, 2 as never), { code: 'INVALID_PARAMETER', op: 'avgPool', mentions: ['options must be an object', 'got 2'] });
  // Each dialect names its own ecosystem's arguments.
  const channelsLast = zeros([1, 6, 6, 1]);
  expectFailure(() => torch.avgPool2d(x, frozen({ kernel_size: 0 })), { code: 'INVALID_PARAMETER', op: 'avg_pool2d', mentions: ['kernel_size', 'got 0'] });
  expectFailure(() => torch.maxPool2d(x, frozen({ kernel_size: 2, stride: 1.5 })), { code: 'INVALID_PARAMETER', op: 'max_pool2d', mentions: ['stride', 'got 1.5'] });
  expectFailure(() => runOnnxNode('AveragePool', frozen({ kernel_shape: [0, 2] }), [x]), { code: 'INVALID_PARAMETER', op: 'AveragePool', mentions: ['kernel_shape', 'got [0, 2]'] });
  expectFailure(() => runOnnxNode('AveragePool', frozen({ kernel_shape: [2, 2], pads: [0, 0, -1, 0] }), [x]), { code: 'INVALID_PARAMETER', op: 'AveragePool', mentions: ['pads', 'got [0, 0, -1, 0]'] });
  expectFailure(() => keras.averagePooling2d(channelsLast, frozen({ pool_size: -1 }) as never), { code: 'INVALID_PARAMETER', op: 'AveragePooling2D', mentions: ['pool_size', '-1'] });
  expectFailure(() => tfjs.avgPool(channelsLast, 0, 1, 'valid'), { code: 'INVALID_PARAMETER', op: 'avgPool', mentions: ['filterSize', 'got 0'] });
  expectFailure(() => tfjs.avgPool(channelsLast, 2, 1, 1, 'up' as never), { code: 'INVALID_PARAMETER', op: 'avgPool', mentions: ['dimRoundingMode', '"floor", "round", "ceil"', 'got "up"'] });
});

test('PAD_TOO_LARGE: padding over half the effective kernel, with the kernel, dilation and axis', () => {
  const x = zeros([1, 1, 4, 4]);
  expectFailure(() => avgPool(x, frozen({ kernel: 3, padding: [1, 2] })), {
    code: 'PAD_TOO_LARGE',
    op: 'avgPool',
    mentions: ['padding must be at most half the effective kernel size', 'padding 2+2', 'kernel 3', 'effective 3', 'axis W'],
    inputs: [x.data],
  });
  expectFailure(() => maxPool(x, frozen({ kernel: 2, dilation: [1, 2], padding: [[0, 1], [2, 0]] })), {
    code: 'PAD_TOO_LARGE',
    op: 'maxPool',
    mentions: ['padding 2+0', 'kernel 2', 'dilation 2', 'effective 3', 'axis W'],
  });
  expectFailure(() => torch.avgPool2d(x, frozen({ kernel_size: 2, padding: 2 })), {
    code: 'PAD_TOO_LARGE',
    op: 'avg_pool2d',
    mentions: ['padding', 'padding 2+2', 'kernel 2', 'axis H'],
  });
});

test('OUTPUT_EMPTY: a kernel that does not fit, an empty spatial axis, an unpooled size of 0', () => {
  const x = zeros([1, 1, 3, 3]);
  expectFailure(() => avgPool(x, frozen({ kernel: [2, 5] })), {
    code: 'OUTPUT_EMPTY',
    op: 'avgPool',
    mentions: ['output size on axis W would be 0', 'input 3', 'padding 0+0', 'kernel 5', 'stride 5', 'input shape [1, 1, 3, 3]'],
    inputs: [x.data],
  });
  const short = zeros([1, 1, 3]);
  expectFailure(() => maxPool(short, frozen({ kernel: [3], dilation: 2 })), {
    code: 'OUTPUT_EMPTY',
    op: 'maxPool',
    mentions: ['would be 0', 'input 3', 'padding 0+0', 'kernel 3 (dilation 2, effective 5)', 'stride 3'],
  });
  const empty = zeros([1, 2, 0]);
  expectFailure(() => globalAvgPool(empty, { spatialDims: 1 }), { code: 'OUTPUT_EMPTY', op: 'globalAvgPool', mentions: ['input size on axis W is 0', '[1, 2, 0]'] });
  const one = zeros([1, 1, 1]);
  const oneIndex = { shape: [1, 1, 1], data: new Int32Array(1) };
  expectFailure(() => maxUnpool(one, oneIndex, frozen({ kernel: [2], padding: 1 })), {
    code: 'OUTPUT_EMPTY',
    op: 'maxUnpool',
    mentions: ['output size on axis 0 would be 0', 'input 1', 'stride 2', 'padding 1+1', 'kernel 2'],
  });
});

test('MASK_SHAPE_MISMATCH: a mask or valid lengths that do not fit the input', () => {
  const x = zeros([2, 1, 3, 3]);
  const mask = { shape: [2, 3], data: new Uint8Array(6) };
  expectFailure(() => maskedGlobalAvgPool(x, frozen({ mask })), {
    code: 'MASK_SHAPE_MISMATCH',
    op: 'maskedGlobalAvgPool',
    mentions: ['mask must have shape [2, 3, 3]', "the input's shape [2, 1, 3, 3]", 'got [2, 3]'],
    inputs: [x.data, mask.data],
    mayAllocatePlan: true,
  });
  expectFailure(() => maskedGlobalAvgPool(x, frozen({ validLengths: [[3, 3]] })), {
    code: 'MASK_SHAPE_MISMATCH',
    op: 'maskedGlobalAvgPool',
    mentions: ['validLengths must hold 2 rows', '2 lengths', 'got [[3, 3]]'],
    mayAllocatePlan: true,
  });
  expectFailure(() => maskedGlobalAvgPool(x, frozen({ validLengths: [[3, 4], [1, 1]] })), {
    code: 'MASK_SHAPE_MISMATCH',
    op: 'maskedGlobalAvgPool',
    mentions: ['validLengths [3, 4] exceeds', 'spatial size [3, 3]'],
    mayAllocatePlan: true,
  });
});

test('SIZE_TOO_LARGE: shapes beyond what can be allocated fail before anything is allocated', () => {
  const x = zeros([1, 1, 2, 2]);
  // Planning the windows alone would take 98304 Int32 entries; the size check comes first.
  expectFailure(() => adaptiveAvgPool(x, frozen({ outputSize: [65536, 32768] })), {
    code: 'SIZE_TOO_LARGE',
    op: 'adaptiveAvgPool',
    mentions: ['the output of shape [1, 1, 65536, 32768]', '2147483648 elements', 'at most 2147483647'],
    inputs: [x.data],
  });
  // A backward op given only the input's shape: the gradient buffer would hold 2^40 elements.
  const dy = zeros([1, 1, 1, 1]);
  expectFailure(() => avgPoolBackward(dy, [1, 1, 2 ** 20, 2 ** 20], frozen({ kernel: 2 ** 20 })), {
    code: 'SIZE_TOO_LARGE',
    op: 'avgPoolBackward',
    mentions: ['the input of shape [1, 1, 1048576, 1048576]', '1099511627776 elements'],
  });
  const perChannel = zeros([1, 3]);
  expectFailure(() => globalAvgPoolBackward(perChannel, [1, 3, 2 ** 16, 2 ** 16]), {
    code: 'SIZE_TOO_LARGE',
    op: 'globalAvgPoolBackward',
    mentions: ['the input of shape [1, 3, 65536, 65536]'],
  });
  expectFailure(() => poolOutputShape([8, 64, 2 ** 14, 2 ** 14], frozen({ kernel: 1 })), {
    code: 'SIZE_TOO_LARGE',
    op: 'poolOutputShape',
    mentions: ['[8, 64, 16384, 16384]'],
  });
  const fourIndices = { shape: [1, 1, 2, 2], data: new Int32Array(4) };
  expectFailure(() => maxUnpool(x, fourIndices, frozen({ kernel: 65536 })), {
    code: 'SIZE_TOO_LARGE',
    op: 'maxUnpool',
    mentions: ['the output of shape [1, 1, 131072, 131072]'],
  });
  const four = new Float32Array(4);
  expectFailure(() => tensor([65536, 65536], four), { code: 'SIZE_TOO_LARGE', op: 'tensor', mentions: ['[65536, 65536]', '4294967296 elements'] });
});

test('INDEX_OUT_OF_RANGE: an unpooling index outside its output plane', () => {
  const x = zeros([1, 1, 2]);
  const indices = { shape: [1, 1, 2], data: Int32Array.of(0, 9) };
  expectFailure(() => maxUnpool(x, indices, frozen({ kernel: [2] })), {
    code: 'INDEX_OUT_OF_RANGE',
    op: 'maxUnpool',
    mentions: ['indices[1] = 9', 'output plane of 4 positions', 'output shape [1, 1, 4]'],
    inputs: [x.data, indices.data],
  });
  const negative = { shape: [1, 1, 2], data: Int32Array.of(-1, 0) };
  const unpooledGradient = zeros([1, 1, 4]);
  expectFailure(() => maxUnpoolBackward(unpooledGradient, negative, frozen({ kernel: [2] })), {
    code: 'INDEX_OUT_OF_RANGE',
    op: 'maxUnpoolBackward',
    mentions: ['indices[0] = -1'],
    inputs: [negative.data],
  });
});

test('SHAPE_MISMATCH: gradients and indices of the wrong shape', () => {
  const dy = zeros([1, 1, 3]);
  expectFailure(() => avgPoolBackward(dy, [1, 1, 4], frozen({ kernel: [2] })), {
    code: 'SHAPE_MISMATCH',
    op: 'avgPoolBackward',
    mentions: ["dy must have the forward output's shape [1, 1, 2]", 'input [1, 1, 4]', 'got [1, 1, 3]'],
    inputs: [dy.data],
    mayAllocatePlan: true,
  });
  const flat = zeros([1, 2]);
  expectFailure(() => globalAvgPoolBackward(flat, [1, 2, 3, 3], frozen({ keepDims: true })), {
    code: 'SHAPE_MISMATCH',
    op: 'globalAvgPoolBackward',
    mentions: ['[1, 2, 1, 1]', 'got [1, 2]'],
    mayAllocatePlan: true,
  });
  const indices = { shape: [1, 1, 3], data: new Int32Array(3) };
  const pooled = zeros([1, 1, 2]);
  expectFailure(() => maxUnpool(pooled, indices, frozen({ kernel: [2] })), {
    code: 'SHAPE_MISMATCH',
    op: 'maxUnpool',
    mentions: ["indices must be an Int32Array tensor of the input's shape [1, 1, 2]", 'got [1, 1, 3]'],
  });
});

test('UNSUPPORTED_OPTION: a backend asked for a plan it cannot run, a layout a dialect does not offer', () => {
  const x = zeros([1, 1, 2, 2, 2, 2]);
  expectFailure(() => avgPool(x, frozen({ kernel: 1, backend: 'js' })), {
    code: 'UNSUPPORTED_OPTION',
    op: 'avgPool',
    mentions: ['backend "js" cannot run this plan', '4 spatial axes', "use backend 'auto'"],
    inputs: [x.data],
    mayAllocatePlan: true,
  });
  const volume = zeros([1, 2, 2, 2, 1]);
  expectFailure(() => tfjs.avgPool3d(volume, 1, 1, 'valid', undefined, 'NCDHW' as never), {
    code: 'UNSUPPORTED_OPTION',
    op: 'avgPool3d',
    mentions: ['dataFormat "NDHWC"', 'got "NCDHW"'],
  });
});

test('every PoolingError code declared in src/plan/errors.ts has a test above', () => {
  const errors = fileURLToPath(new URL('../../../src/plan/errors.ts', import.meta.url));
  const declared = [...readFileSync(errors, 'utf8').matchAll(/\|\s*'([A-Z_]+)'/g)].map((m) => m[1]!);
  const source = readFileSync(fileURLToPath(new URL('../../../test/errors/codes.test.ts', import.meta.url)), 'utf8');
  assert.ok(declared.length >= 11, `found only ${declared.join(', ')}`);
  for (const code of declared) assert.ok(source.includes(`test('${code}: `), `no test for ${code}`);
});
