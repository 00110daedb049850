/**
 * What a dialect's door computes, beyond its result: only the outputs the caller asked for, and one
 * plan per distinct call (a repeated call runs the plan the first one made, as the library's own ops
 * do), never a second plan or an output nobody reads.
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { keras, observeRuns, registerBackend, runOnnxNode, selectBackend, tfjs, torch, planMaxPool } from '../../src/index.js';
import type { PoolPlan } from '../../src/index.js';
import { randomValues } from '../helpers/random.js';
import { counting, refuses } from './hostile.js';

const randomArray = (length: number, seed: number) => randomValues(seed, length, 'uniform', 'float32') as Float32Array;

test('runOnnxNode computes MaxPool Indices only when outputs asks for them', () => {
  // A backend that runs MaxPool nodes alone and counts how often a run asks it where the maxima were.
  const reference = selectBackend(planMaxPool([1, 1, 2, 2], { kernel: 1 }), 'reference');
  let active = true;
  let indexReads = 0;
  registerBackend({
    name: 'counts-index-reads',
    available: () => active,
    supports: (plan: PoolPlan) => plan.op === 'MaxPool',
    forward: (plan: PoolPlan, x) => {
      const { y, indices } = reference.forward(plan, x);
      return {
        y,
        get indices() {
          indexReads++;
          return indices;
        },
      };
    },
    backward: (plan: PoolPlan, dy, x) => reference.backward(plan, dy, x),
  });
  try {
    const x = { shape: [1, 2, 4, 4], data: randomArray(32, 1) };
    const attrs = { kernel_shape: [2, 2], strides: [2, 2] };
    const valuesOnly = runOnnxNode('MaxPool', attrs, [x], { outputs: ['Y'] });
    assert.equal(valuesOnly.length, 1);
    assert.equal(indexReads, 0, 'Y alone never asks for the indices');
    const both = runOnnxNode('MaxPool', attrs, [x]);
    assert.equal(both.length, 2);
    assert.equal(indexReads, 1, 'the default, every output, asks once');
    assert.deepEqual(valuesOnly[0]!.data, both[0]!.data);
  } finally {
    active = false;
  }
});

test('outputs chooses which outputs come back and in what order; the values are the default call\'s', () => {
  const x = { shape: [2, 3, 5, 6], data: randomArray(180, 2) };
  for (const storage_order of [0, 1]) {
    const attrs = { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], storage_order };
    const [y, indices] = runOnnxNode('MaxPool', attrs, [x]);
    const [onlyIndices] = runOnnxNode('MaxPool', attrs, [x], { outputs: ['Indices'] });
    assert.deepEqual(onlyIndices, indices);
    const reversed = runOnnxNode('MaxPool', attrs, [x], { outputs: ['Indices', 'Y'] });
    assert.deepEqual(reversed, [indices, y]);
    assert.deepEqual(runOnnxNode('MaxPool', attrs, [x], { outputs: ['Y', 'Indices'] }), [y, indices]);
    assert.deepEqual(runOnnxNode('MaxPool', attrs, [x], {}), [y, indices]);
  }
  // Integer data keeps its container whichever outputs are asked for.
  const bytes = { shape: [1, 1, 4], data: Uint8Array.of(3, 9, 200, 7) };
  const [maxima] = runOnnxNode('MaxPool', { kernel_shape: [2], strides: [2] }, [bytes], { outputs: ['Y'] });
  assert.ok(maxima!.data instanceof Uint8Array);
  assert.deepEqual([...maxima!.data], [9, 200]);
  // Every other op has Y alone.
  const [avg] = runOnnxNode('AveragePool', { kernel_shape: [2, 2] }, [x], { outputs: ['Y'] });
  assert.deepEqual(avg, runOnnxNode('AveragePool', { kernel_shape: [2, 2] }, [x])[0]);
});

/** Per-plane row-major position of each window's first maximum (-1 for a window of padding only), by brute force. */
function naiveArgmax(x: Float32Array, shape: readonly number[], kernel: readonly number[], strides: readonly number[], pads: readonly number[]): number[] {
  const sizes = shape.slice(2);
  const rank = sizes.length;
  const plane = sizes.reduce((p, d) => p * d, 1);
  const outSizes = sizes.map((size, a) => Math.floor((size + pads[a]! + pads[a + rank]! - kernel[a]!) / strides[a]!) + 1);
  const outPlane = outSizes.reduce((p, d) => p * d, 1);
  const taps = kernel.reduce((p, d) => p * d, 1);
  const found: number[] = [];
  for (let planeIndex = 0; planeIndex < shape[0]! * shape[1]!; planeIndex++) {
    for (let o = 0; o < outPlane; o++) {
      const out = outSizes.map((_, a) => Math.floor(o / outSizes.slice(a + 1).reduce((p, d) => p * d, 1)) % outSizes[a]!);
      let best = -1;
      for (let t = 0; t < taps; t++) {
        const tap = kernel.map((_, a) => Math.floor(t / kernel.slice(a + 1).reduce((p, d) => p * d, 1)) % kernel[a]!);
        const at = out.map((o, a) => o * strides[a]! - pads[a]! + tap[a]!);
        if (at.some((i, a) => i < 0 || i >= sizes[a]!)) continue;
        const spatial = at.reduce((flat, i, a) => flat * sizes[a]! + i, 0);
        if (best < 0 || x[planeIndex * plane + spatial]! > x[planeIndex * plane + best]!) best = spatial;
      }
      found.push(best);
    }
  }
  return found;
}

test('Indices are ONNX\'s int64 whole-tensor positions: flat over N, C and the spatial axes, -1 for a window of padding only', () => {
  // Written from the spec, independently of the dialect: n*C*plane + c*plane + the spatial index,
  // the spatial index row-major, or column-major (first spatial axis fastest) with storage_order 1.
  const cases = [
    { shape: [2, 3, 7], kernel: [2], strides: [3], pads: [2, 3] },
    { shape: [3, 2, 5, 4], kernel: [2, 3], strides: [1, 2], pads: [1, 0, 1, 2] },
    { shape: [1, 2, 3, 4, 5], kernel: [2, 1, 3], strides: [2, 2, 1], pads: [0, 1, 1, 1, 0, 2] },
    // Kernel 1 with padding: windows made of padding alone, whose index is -1.
    { shape: [1, 2, 2, 2], kernel: [1, 1], strides: [1, 1], pads: [1, 1, 1, 1] },
  ];
  cases.forEach((c, n) => {
    const size = c.shape.reduce((p, d) => p * d, 1);
    const x = { shape: c.shape, data: randomArray(size, 10 + n) };
    const sizes = c.shape.slice(2);
    const plane = sizes.reduce((p, d) => p * d, 1);
    const argmax = naiveArgmax(x.data, c.shape, c.kernel, c.strides, c.pads);
    const outPlane = argmax.length / (c.shape[0]! * c.shape[1]!);
    assert.ok(n < 3 || argmax.includes(-1), 'the last case has windows of padding only');
    for (const storage_order of [0, 1]) {
      const expected = argmax.map((spatial, i) => {
        if (spatial < 0) return -1n;
        const coords = sizes.map((_, a) => Math.floor(spatial / sizes.slice(a + 1).reduce((p, d) => p * d, 1)) % sizes[a]!);
        const local = storage_order === 1 ? coords.reduce((flat, coord, a) => flat + coord * sizes.slice(0, a).reduce((p, d) => p * d, 1), 0) : spatial;
        return BigInt(Math.floor(i / outPlane)) * BigInt(plane) + BigInt(local);
      });
      const [indices] = runOnnxNode('MaxPool', { kernel_shape: c.kernel, strides: c.strides, pads: c.pads, storage_order }, [x], { outputs: ['Indices'] });
      assert.ok(indices!.data instanceof BigInt64Array);
      assert.deepEqual([...indices!.data], expected, `case ${n}, storage_order ${storage_order}`);
    }
  });
});

test('outputs is read once and checked like every argument: a coded error naming it, before anything runs', () => {
  const x = { shape: [1, 1, 4], data: Float32Array.of(1, 2, 3, 4) };
  const attrs = { kernel_shape: [2], strides: [2] };
  const bad: [string, unknown][] = [
    ['a number', 3],
    ['null', null],
    ['an array', ['Y']],
    ['an unknown key', { output: ['Y'] }],
    ['outputs a string', { outputs: 'Y' }],
    ['no outputs', { outputs: [] }],
    ['an unknown name', { outputs: ['Z'] }],
    ['a name twice', { outputs: ['Y', 'Y'] }],
    ['more names than outputs', { outputs: ['Y', 'Indices', 'Y'] }],
    ['a name of another case', { outputs: ['y'] }],
  ];
  for (const [what, options] of bad) {
    const { runs } = observeRuns(() => refuses(() => runOnnxNode('MaxPool', attrs, [x], options as never), 'INVALID_PARAMETER', what));
    assert.equal(runs.length, 0, what);
  }
  // Indices are MaxPool's alone.
  const e = refuses(() => runOnnxNode('AveragePool', attrs, [x], { outputs: ['Indices'] }), 'INVALID_PARAMETER', 'AveragePool Indices');
  assert.match(e.message, /^AveragePool: outputs must be .*"Y".*; got \["Indices"\]/);
  // A list claiming 2**40 names is refused on its length, without reading a name.
  const claims = new Proxy(['Y'], { get: (t, key) => (key === 'length' ? 2 ** 40 : Reflect.get(t, key)) });
  refuses(() => runOnnxNode('MaxPool', attrs, [x], { outputs: claims as never }), 'INVALID_PARAMETER', 'huge outputs');
  // Read once: a list whose items are read twice could validate one name and run another.
  const outputs = counting(['Indices']);
  const options = counting({ outputs: outputs.proxy });
  const [indices] = runOnnxNode('MaxPool', attrs, [x], options.proxy as never);
  assert.deepEqual([...indices!.data], [1n, 3n]);
  for (const [key, reads] of [...outputs.reads, ...options.reads]) assert.ok(reads <= 1, `${String(key)} read ${reads} times`);
});

test('a repeated call runs the plan its first call made, in every dialect', () => {
  const x = { shape: [2, 3, 8, 8], data: randomArray(384, 3) };
  const xl = { shape: [2, 8, 8, 3], data: randomArray(384, 4) };
  const doors: [string, () => unknown][] = [
    ['runOnnxNode AveragePool', () => runOnnxNode('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, [x])],
    ['runOnnxNode MaxPool', () => runOnnxNode('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }, [x], { outputs: ['Y'] })],
    ['runOnnxNode GlobalAveragePool', () => runOnnxNode('GlobalAveragePool', {}, [x])],
    ['torch.avgPool2d', () => torch.avgPool2d(x, { kernel_size: 3, stride: 1, padding: 1 })],
    ['torch.maxPool2d', () => torch.maxPool2d(x, { kernel_size: 3, stride: 2, padding: 1 })],
    ['torch.adaptiveAvgPool2d', () => torch.adaptiveAvgPool2d(x, 1)],
    ['torch.lpPool2d', () => torch.lpPool2d(x, { norm_type: 2, kernel_size: 2 })],
    ['keras.averagePooling2d', () => keras.averagePooling2d(xl, { pool_size: 3, strides: 1, padding: 'same' })],
    ['keras.globalAveragePooling2d', () => keras.globalAveragePooling2d(xl)],
    ['tfjs.avgPool', () => tfjs.avgPool(xl, 3, 1, 1)],
    ['tfjs.maxPool', () => tfjs.maxPool(xl, 2, 2, 'same')],
  ];
  for (const [door, call] of doors) {
    const { runs } = observeRuns(() => [call(), call()]);
    assert.equal(runs.length, 2, door);
    assert.equal(runs[1]!.plan, runs[0]!.plan, `${door}: the second call made a plan of its own`);
  }
  // Other arguments are another plan; an equal shape of another tensor is the same one.
  const { runs } = observeRuns(() => [
    torch.avgPool2d(x, { kernel_size: 3 }),
    torch.avgPool2d(x, { kernel_size: 2 }),
    torch.avgPool2d({ shape: [2, 3, 8, 8], data: randomArray(384, 5) }, { kernel_size: 3 }),
    torch.avgPool2d(x, { kernel_size: 3, ceil_mode: true }),
  ]);
  assert.notEqual(runs[1]!.plan, runs[0]!.plan);
  assert.equal(runs[2]!.plan, runs[0]!.plan);
  assert.notEqual(runs[3]!.plan, runs[0]!.plan);
  assert.deepEqual(runs[3]!.plan.outputShape, [2, 3, 3, 3]);
});

test('a call that reuses a plan still checks its own tensor and arguments', () => {
  const x = { shape: [1, 1, 4, 4], data: randomArray(16, 6) };
  torch.avgPool2d(x, { kernel_size: 2 });
  refuses(() => torch.avgPool2d({ shape: [1, 1, 4, 4], data: new Float32Array(15) }, { kernel_size: 2 }), 'DATA_LENGTH_MISMATCH');
  refuses(() => torch.avgPool2d(x, { kernel_size: 2, ceil_mode: 1 } as never), 'INVALID_PARAMETER');
  runOnnxNode('MaxPool', { kernel_shape: [2, 2], storage_order: 0 }, [x]);
  refuses(() => runOnnxNode('MaxPool', { kernel_shape: [2, 2], storage_order: 2 }, [x]), 'INVALID_PARAMETER');
  keras.averagePooling2d({ shape: [1, 4, 4, 1], data: x.data });
  refuses(() => keras.averagePooling2d({ shape: [1, 4, 4, 1], data: new Int32Array(16) } as never), 'UNSUPPORTED_DTYPE');
  tfjs.avgPool({ shape: [1, 4, 4, 1], data: x.data }, 2, 2, 'valid');
  refuses(() => tfjs.avgPool({ shape: [1, 4, 4, 1], data: x.data }, 2, 2, 'valid', 'floor'), 'INVALID_PARAMETER');
});
