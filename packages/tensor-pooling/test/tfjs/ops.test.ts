/**
 * tensor-pooling/tfjs ops against the core: the forward value and the gradient TF.js computes
 * through tf.grad must be exactly the core op and its *Backward function, for the options TF.js
 * lacks (countIncludePad, ceilMode, dilation with padding, 1-D, 3-D, channels-first).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import * as core from '../../src/index.js';
import * as tfPool from '../../src/tfjs/index.js';
import { gradTf, runTf, tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
import { seededValues } from '@tensor-pooling/test-kit/compare';

type Float32Tensor = core.Tensor<Float32Array>;

interface OpCase {
  readonly name: string;
  readonly shape: readonly number[];
  readonly tfOp: (x: ReturnType<typeof tf.tensor>) => ReturnType<typeof tf.tensor>;
  readonly forward: (x: Float32Tensor) => Float32Tensor;
  readonly backward: (dy: Float32Tensor, x: Float32Tensor) => Float32Tensor;
}

function windowCase<O extends core.AvgPoolOptions>(
  name: string,
  shape: readonly number[],
  options: O,
  kind: 'avg' | 'max',
): OpCase {
  // The core defaults to channels-first and refuses to guess the rank of a rank-3 input; the TF.js
  // entry defaults to channels-last with a batch axis. Pass the same reading to both.
  const coreOptions = { layout: 'channels-last' as const, spatialDims: shape.length - 2, ...options };
  return kind === 'avg'
    ? {
        name,
        shape,
        tfOp: (x) => tfPool.avgPool(x, options),
        forward: (x) => core.avgPool(x, coreOptions),
        backward: (dy, x) => core.avgPoolBackward(dy, x, coreOptions),
      }
    : {
        name,
        shape,
        tfOp: (x) => tfPool.maxPool(x, options),
        forward: (x) => core.maxPool(x, coreOptions),
        backward: (dy, x) => core.maxPoolBackward(dy, x, coreOptions),
      };
}

const mask = { shape: [2, 4, 3], data: new Uint8Array([1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]) };

const CASES: readonly OpCase[] = [
  windowCase('avg 2-D, ceilMode with the PyTorch rule, countIncludePad', [2, 5, 5, 3], { kernel: 2, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }, 'avg'),
  windowCase('avg 2-D, dilation with padding', [1, 7, 6, 2], { kernel: [3, 2], dilation: [2, 3], padding: [2, 1] }, 'avg'),
  windowCase('avg 1-D', [2, 9, 4], { kernel: 3, stride: 2, padding: 1 }, 'avg'),
  windowCase('avg 3-D, same padding', [1, 4, 5, 3, 2], { kernel: [2, 3, 2], stride: 2, padding: 'same' }, 'avg'),
  windowCase('avg channels-first, divisorOverride', [2, 3, 6, 6], { kernel: 3, stride: 3, layout: 'channels-first', divisorOverride: 4 }, 'avg'),
  windowCase('max 2-D, ceilMode and dilation', [2, 7, 7, 2], { kernel: 3, stride: 2, dilation: 2, padding: 1, ceilMode: true }, 'max'),
  windowCase('max 3-D channels-first', [1, 2, 4, 4, 4], { kernel: 2, layout: 'channels-first' }, 'max'),
  {
    name: 'global average, keepDims',
    shape: [2, 4, 3, 5],
    tfOp: (x) => tfPool.globalAvgPool(x, { keepDims: true }),
    forward: (x) => core.globalAvgPool(x, { layout: 'channels-last', keepDims: true }),
    backward: (dy, x) => core.globalAvgPoolBackward(dy, x, { layout: 'channels-last', keepDims: true }),
  },
  {
    name: 'global max 1-D',
    shape: [3, 7, 2],
    tfOp: (x) => tfPool.globalMaxPool(x),
    forward: (x) => core.globalMaxPool(x, { layout: 'channels-last', spatialDims: 1 }),
    backward: (dy, x) => core.globalMaxPoolBackward(dy, x, { layout: 'channels-last', spatialDims: 1 }),
  },
  {
    name: 'adaptive average to 3x2 (uneven bins)',
    shape: [2, 7, 5, 3],
    tfOp: (x) => tfPool.adaptiveAvgPool(x, { outputSize: [3, 2] }),
    forward: (x) => core.adaptiveAvgPool(x, { layout: 'channels-last', outputSize: [3, 2] }),
    backward: (dy, x) => core.adaptiveAvgPoolBackward(dy, x, { layout: 'channels-last', outputSize: [3, 2] }),
  },
  {
    name: 'adaptive max, channels-first',
    shape: [1, 2, 5, 7],
    tfOp: (x) => tfPool.adaptiveMaxPool(x, { outputSize: 3, layout: 'channels-first' }),
    forward: (x) => core.adaptiveMaxPool(x, { outputSize: 3 }),
    backward: (dy, x) => core.adaptiveMaxPoolBackward(dy, x, { outputSize: 3 }),
  },
  {
    name: 'masked global average with a TF.js bool mask',
    shape: [2, 4, 3, 2],
    tfOp: (x) => tfPool.maskedGlobalAvgPool(x, { mask: tf.tensor(Array.from(mask.data, Boolean), mask.shape as number[], 'bool') }),
    forward: (x) => core.maskedGlobalAvgPool(x, { layout: 'channels-last', mask }),
    backward: (dy, x) => core.maskedGlobalAvgPoolBackward(dy, x, { layout: 'channels-last', mask }),
  },
];

function seeded(shape: readonly number[], seed: number): Float32Tensor {
  return core.tensor(shape, seededValues(seed, shape.reduce((p, d) => p * d, 1), 'ties'));
}

CASES.forEach((c, index) => {
  test(`tfjs op equals the core, forward and gradient: ${c.name}`, async () => {
    await tfReady();
    const x = seeded(c.shape, 101 + index);
    const expected = c.forward(x);
    const [actual] = runTf([x], (xt) => c.tfOp(xt!));
    assert.deepEqual(actual!.shape, expected.shape);
    assert.deepEqual(actual!.data, expected.data);

    const dy = core.tensor(expected.shape, seededValues(7 + index, expected.data.length, 'continuous'));
    const dx = gradTf(x, dy, (xt) => c.tfOp(xt));
    assert.deepEqual(dx.shape, x.shape);
    assert.deepEqual(dx.data, c.backward(dy, x).data);
  });
});

test('tfjs ops refuse bad arguments with a PoolingError naming them', async () => {
  await tfReady();
  const x = tf.zeros([1, 4, 4, 1]);
  assert.throws(() => tfPool.avgPool(x, { kernel: 0 }), { name: 'PoolingError', code: 'INVALID_PARAMETER', message: /kernel/ });
  assert.throws(() => tfPool.avgPool(x, { kernel: 5 }), { name: 'PoolingError', code: 'OUTPUT_EMPTY' });
  assert.throws(() => tfPool.maxPool(tf.zeros([1, 4, 4, 1], 'int32'), { kernel: 2 }), {
    name: 'PoolingError',
    code: 'UNSUPPORTED_DTYPE',
    message: /int32/,
  });
  assert.throws(() => tfPool.globalAvgPool([1, 2, 3] as never), { name: 'PoolingError', code: 'INVALID_PARAMETER', message: /TF\.js tensor/ });
  assert.throws(() => tfPool.maskedGlobalAvgPool(x, { mask: tf.ones([1, 3, 4]) }), { name: 'PoolingError', code: 'MASK_SHAPE_MISMATCH' });
  // An unknown name is answered with what that op takes, not with every name some op takes.
  assert.throws(() => tfPool.globalAvgPool(x, { kernel: 2 } as never), {
    code: 'INVALID_PARAMETER',
    message: /^globalAvgPool: unknown option "kernel"; globalAvgPool takes "layout", "spatialDims", "backend", "threads", "keepDims"$/,
  });
  tf.dispose(x);
});

/** An import, dynamic import or require of a TF.js package (comments may name them freely). */
const LOADS_TFJS = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]@tensorflow\//;

test('the core library never loads TF.js: only src/tfjs imports it', () => {
  assert.ok(LOADS_TFJS.test(`import * as tf from '@tensorflow/tfjs-core';`) && !LOADS_TFJS.test('// see @tensorflow/tfjs-core'));
  const buildSrc = fileURLToPath(new URL('../../src/', import.meta.url));
  const offenders: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(buildSrc, 'tfjs')) visit(path);
      } else if (entry.name.endsWith('.js') && LOADS_TFJS.test(readFileSync(path, 'utf8'))) {
        offenders.push(path);
      }
    }
  };
  visit(buildSrc);
  assert.deepEqual(offenders, []);
  // The scan must have seen the tfjs entry's sibling folders, or it proves nothing.
  assert.ok(readdirSync(buildSrc).includes('plan'));
});

test('options are read once: the gradient, computed later, plans from what the forward pass read', async () => {
  await tfReady;
  const x = { shape: [1, 4, 4, 1], data: seededValues(3, 16, 'continuous') };
  const dy = { shape: [1, 2, 2, 1], data: new Float32Array(4).fill(1) };
  let reads = 0;
  const fickle = {
    kernel: 3,
    stride: 2,
    padding: 1,
    get countIncludePad() {
      reads++;
      return reads === 1;
    },
  };
  const dx = gradTf(x, dy, (t) => tfPool.avgPool(t, fickle));
  assert.equal(reads, 1);
  const steady = { kernel: 3, stride: 2, padding: 1, countIncludePad: true };
  const expected = core.avgPoolBackward(dy, x.shape, { ...steady, layout: 'channels-last' });
  assert.deepEqual([...dx.data], [...expected.data]);
  assert.throws(() => runTf([x], (t) => tfPool.avgPool(t!, null as never)), core.PoolingError);
});
