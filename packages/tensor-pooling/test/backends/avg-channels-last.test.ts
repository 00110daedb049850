/**
 * Float32 channels-last averages on the wasm backend. Those whose windows add enough taps per
 * input element run the channels-first kernel of their windows on their channels transposed into
 * planes, so they must give exactly the channels-first bits on the transposed data. The data makes
 * that checkable: values of ±2^60 among small ones cancel, so that a float64 sum depends on the
 * order of its additions and a channels-last kernel adding taps in scan order gives other bits.
 * Every plan, the fast or the direct one, is also held within 1 ulp of the reference on ordinary
 * data with NaN and infinities planted: channel counts and widths not multiples of four, one
 * channel, more channels than one pass transposes, padding on every side, ceil mode, every
 * divisor rule, dilation, 1-D to 3-D, adaptive bins, host arrays and WasmTensors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adaptiveAvgPool,
  allocWasmTensor,
  avgPool,
  init,
  planAvgPool,
  poolInto,
  toWasmTensor,
  type AvgPoolOptions,
  type Tensor,
} from '../../src/index.js';
import { compareToReference, randomTensor, rng, type Random } from './compare.js';

/** (N, C, ...spatial) to (N, ...spatial, C). */
function toChannelsLast(x: Tensor): Tensor {
  const [n, c, ...spatial] = x.shape as number[];
  const size = spatial.reduce((p, d) => p * d, 1);
  const data = new Float32Array(x.data.length);
  for (let b = 0; b < n!; b++) {
    for (let ch = 0; ch < c!; ch++) {
      for (let s = 0; s < size; s++) data[(b * size + s) * c! + ch] = x.data[(b * c! + ch) * size + s]!;
    }
  }
  return { shape: [n!, ...spatial, c!], data };
}

/** Values whose float64 sums depend on the order of the additions: ±2^60 among small ones. */
function cancellingTensor(r: Random, shape: readonly number[]): Tensor {
  const length = shape.reduce((p, d) => p * d, 1);
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = r.pick([2 ** 60, -(2 ** 60), 1, 0.5, -0.25, 3, 0.125]);
  return { shape, data };
}

/** Two values drawn from NaN, both infinities, -0 and 1 at random places of every plane of a channels-first tensor. */
function plant(r: Random, x: Tensor): void {
  const size = (x.shape as number[]).slice(2).reduce((p, d) => p * d, 1);
  const specials = [NaN, Infinity, -Infinity, -0, 1];
  for (let plane = 0; plane < x.data.length; plane += size) {
    for (const v of [r.pick(specials), r.pick(specials)]) x.data[plane + r.int(0, size - 1)] = v;
  }
}

function sameBits(got: Tensor, expected: Tensor, label: string): void {
  assert.deepEqual([...got.shape], [...expected.shape], `shape ${label}`);
  for (let i = 0; i < expected.data.length; i++) {
    if (!Object.is(got.data[i], expected.data[i])) {
      assert.fail(`${label}: element ${i} is ${got.data[i]}, channels-first gives ${expected.data[i]}`);
    }
  }
}

/** Channels-first shapes (N, C, ...spatial) and options; several taps per input element. */
const THROUGH_PLANES: [number[], AvgPoolOptions][] = [
  [[2, 5, 9, 11], { kernel: 3, stride: 1, padding: 1 }],
  [[1, 6, 9, 7], { kernel: 3, stride: 1, padding: 1, countIncludePad: true }],
  [[1, 3, 10, 13], { kernel: [3, 4], stride: 1, padding: [1, 2], ceilMode: true }],
  [[1, 7, 12, 9], { kernel: 4, stride: 1, padding: 2, divisorOverride: 7 }],
  [[2, 16, 20, 21], { kernel: 7, stride: 1 }],
  [[1, 17, 19, 18], { kernel: [9, 5], stride: 1, padding: [4, 2], countIncludePad: true }],
  [[1, 4, 33, 34], { kernel: 31, stride: 1, padding: 3 }],
  [[1, 20, 128, 128], { kernel: 5, stride: 1, padding: 2 }],
  [[1, 70, 64, 64], { kernel: [3, 7], stride: 1, padding: [1, 0] }],
  [[2, 1, 14, 15], { kernel: 5, stride: 1, padding: 2 }],
  [[1, 9, 6, 4, 5], { kernel: 3, stride: 1, padding: 1 }],
  [[3, 6, 40], { kernel: [9], stride: 1, padding: 4 }],
  [[1, 6, 16, 16], { kernel: [4, 4], stride: [2, 2], padding: 1 }],
  [[1, 6, 12, 16], { kernel: [5, 2], stride: [1, 2], padding: [2, 0] }],
];

/** Plans the direct kernel keeps: few taps per element, dilation (channels-first: tap by tap). */
const DIRECT: [number[], AvgPoolOptions][] = [
  [[2, 6, 11, 9], { kernel: 3, stride: 2, padding: 1 }],
  [[1, 5, 8, 8], { kernel: 2, stride: 2 }],
  [[1, 5, 12, 13], { kernel: 3, stride: 1, dilation: 2, padding: 2 }],
  [[1, 3, 7, 7], { kernel: 2, stride: 2, ceilMode: true, padding: 1, countIncludePad: true }],
];

test('channels-last averages through planes give the channels-first bits on the transposed data', async () => {
  await init();
  const r = rng(1601);
  for (const [shape, options] of THROUGH_PLANES) {
    const x = cancellingTensor(r, shape);
    const label = `${JSON.stringify(shape)} ${JSON.stringify(options)}`;
    const first = avgPool(x, { ...options, backend: 'wasm' });
    const last = avgPool(toChannelsLast(x), { ...options, layout: 'channels-last', backend: 'wasm' });
    sameBits(last, toChannelsLast(first), label);
  }
});

test('channels-last averages are within 1 ulp of the reference, NaN and infinities as it gives them', async () => {
  await init();
  const r = rng(1602);
  for (const [shape, options] of [...THROUGH_PLANES, ...DIRECT]) {
    const x = randomTensor(r, shape, 'float32');
    plant(r, x);
    const last = toChannelsLast(x);
    const label = `${JSON.stringify(shape)} ${JSON.stringify(options)}`;
    const run = (backend: string) => avgPool(last, { ...options, layout: 'channels-last', backend });
    compareToReference(run('wasm'), run('reference'), label);
  }
});

test('adaptive channels-last averages with several taps per input element take the channels-first bits too', async () => {
  await init();
  const r = rng(1603);
  for (const [shape, outputSize] of [
    [[1, 6, 30, 29], [20, 20]],
    [[2, 5, 17, 23], [12, 16]],
  ] as const) {
    const x = cancellingTensor(r, shape);
    const first = adaptiveAvgPool(x, { outputSize, backend: 'wasm' });
    const last = adaptiveAvgPool(toChannelsLast(x), { outputSize, layout: 'channels-last', backend: 'wasm' });
    sameBits(last, toChannelsLast(first), `${JSON.stringify(shape)} -> ${JSON.stringify(outputSize)}`);
  }
});

test('channels-last averages through planes on WasmTensors: the channels-first bits, in place', async () => {
  await init();
  const r = rng(1604);
  for (const [shape, options] of THROUGH_PLANES.slice(4, 9)) {
    const first = cancellingTensor(r, shape);
    const last = toChannelsLast(first);
    const opts = { ...options, layout: 'channels-last' as const };
    const expected = toChannelsLast(avgPool(first, { ...options, backend: 'wasm' }));
    const plan = planAvgPool(last.shape, opts);
    const x = toWasmTensor(last);
    const y = allocWasmTensor(plan.outputShape);
    try {
      poolInto(plan, x, y);
      sameBits({ shape: y.shape, data: y.data }, expected, `${JSON.stringify(shape)} ${JSON.stringify(options)}`);
    } finally {
      x.free();
      y.free();
    }
  }
});
