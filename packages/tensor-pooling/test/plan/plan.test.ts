import assert from 'node:assert/strict';
import test from 'node:test';
import { adaptiveEnd, adaptiveStart } from '../../src/plan/adaptive.js';
import { samePadding, slidingOutputSize } from '../../src/plan/output-size.js';
import { makePlan, planSliding, splitShape, windowsOf } from '../../src/plan/plan.js';
import { resolvePadding } from '../../src/plan/padding.js';

const geometry = (size: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation = 1) => ({
  size,
  kernel,
  stride,
  dilation,
  padBegin,
  padEnd,
});

test('output size: the ceil-mode case L=5, k=2, s=2, pad 1 drops the window that starts in the end padding', () => {
  // (5 + 2 - 2) / 2 = 2.5: floor gives 3 outputs, ceil 4, and the 4th would start at 6 >= 5 + 1.
  assert.equal(slidingOutputSize(geometry(5, 2, 2, 1, 1), 'floor', true), 3);
  assert.equal(slidingOutputSize(geometry(5, 2, 2, 1, 1), 'ceil', true), 3);
  // TF.js keeps it: its ceil rounding has no start-inside rule.
  assert.equal(slidingOutputSize(geometry(5, 2, 2, 1, 1), 'ceil', false), 4);
});

test('output size: ceil mode adds a window that starts inside the input', () => {
  // L=6, k=3, s=2: (6-3)/2 = 1.5 -> floor 2, ceil 3; the 3rd window starts at 4 < 6.
  assert.equal(slidingOutputSize(geometry(6, 3, 2, 0, 0), 'floor', true), 2);
  assert.equal(slidingOutputSize(geometry(6, 3, 2, 0, 0), 'ceil', true), 3);
});

test('output size: dilation uses the effective kernel', () => {
  // k=3, d=2 -> effective 5; L=7 -> 3 outputs at stride 1.
  assert.equal(slidingOutputSize(geometry(7, 3, 1, 0, 0, 2), 'floor', true), 3);
});

test('output size: TF.js rounding modes', () => {
  // L=2, k=2, s=3, pad 1: (2 - 2 + 2)/3 + 1 = 1.667 -> trunc 1, floor 1, round 2, ceil 2.
  const g = geometry(2, 2, 3, 1, 1);
  assert.equal(slidingOutputSize(g, 'trunc', false), 1);
  assert.equal(slidingOutputSize(g, 'floor', false), 1);
  assert.equal(slidingOutputSize(g, 'round', false), 2);
  assert.equal(slidingOutputSize(g, 'ceil', false), 2);
});

test("'same' padding puts the odd pad at the end (upper) or the start (lower)", () => {
  assert.deepEqual(samePadding(5, 2, 1, 'end'), [0, 1]);
  assert.deepEqual(samePadding(5, 2, 1, 'begin'), [1, 0]);
  assert.deepEqual(samePadding(7, 3, 2, 'end'), [1, 1]);
  assert.deepEqual(samePadding(4, 3, 2, 'end'), [0, 1]);
  // A stride larger than the kernel can need no padding at all.
  assert.deepEqual(samePadding(4, 1, 3, 'end'), [0, 0]);
});

test('adaptive bins overlap when the output does not divide the input', () => {
  const bins = (size: number, out: number) =>
    Array.from({ length: out }, (_, i) => [adaptiveStart(i, size, out), adaptiveEnd(i, size, out)]);
  assert.deepEqual(bins(5, 3), [
    [0, 2],
    [1, 4],
    [3, 5],
  ]);
  assert.deepEqual(bins(6, 3), [
    [0, 2],
    [2, 4],
    [4, 6],
  ]);
  assert.deepEqual(bins(2, 4), [
    [0, 1],
    [0, 1],
    [1, 2],
    [1, 2],
  ]);
});

test('adaptive bins stay exact beyond the safe-integer range of i*L', () => {
  const size = 2 ** 31 - 1;
  const out = 2 ** 30 + 3;
  const i = out - 1;
  const exactStart = Number((BigInt(i) * BigInt(size)) / BigInt(out));
  assert.equal(adaptiveStart(i, size, out), exactStart);
  assert.equal(adaptiveEnd(i, size, out), size);
});

test('windows: first in-bounds tap, in-bounds count and padded count per output', () => {
  const shape = [1, 1, 5];
  const split = splitShape('t', shape, 'channels-first', 1);
  const padding = resolvePadding('t', 'padding', 1, split.spatial, [2], [2]);
  const plan = planSliding({
    op: 't',
    inputShape: shape,
    layout: 'channels-first',
    split,
    kernel: [2],
    stride: [2],
    dilation: [1],
    padding,
    rounding: 'ceil',
    lastWindowStartsInside: true,
    reducer: { op: 'avg', divisor: 'padded', emptyWindow: 'zero' },
  });
  // Windows start at -1, 1, 3: [-1, 0] -> tap 0 only; [1, 2]; [3, 4].
  assert.deepEqual(plan.outputShape, [1, 1, 3]);
  assert.deepEqual([...windowsOf(plan)[0]!.first], [0, 1, 3]);
  assert.deepEqual([...windowsOf(plan)[0]!.count], [1, 2, 2]);
  assert.deepEqual([...windowsOf(plan)[0]!.padded], [2, 2, 2]);
  assert.ok(Object.isFrozen(plan) && Object.isFrozen(plan.axes));
});

test('windows: the ceil-mode overhang past the end padding is not in the padded count', () => {
  // L=4, k=3, s=2, pad 1, ceil: (4+2-3)/2 = 1.5 -> 3 outputs starting at -1, 1, 3. The last covers
  // 3, 4, 5: 3 in the input, 4 in the end padding, 5 past it -> padded count 2 (PyTorch's divisor).
  const shape = [4];
  const split = { batched: true, batch: 1, channels: 1, spatial: shape };
  const plan = planSliding({
    op: 't',
    inputShape: [1, 1, 4],
    layout: 'channels-first',
    split,
    kernel: [3],
    stride: [2],
    dilation: [1],
    padding: { pads: [[1, 1]], mode: 'explicit' },
    rounding: 'ceil',
    lastWindowStartsInside: true,
    reducer: { op: 'avg', divisor: 'padded', emptyWindow: 'zero' },
  });
  assert.deepEqual([...windowsOf(plan)[0]!.count], [2, 3, 1]);
  assert.deepEqual([...windowsOf(plan)[0]!.padded], [3, 3, 2]);
});

test('makePlan refuses an empty output with the derived values in the message', () => {
  assert.throws(
    () =>
      makePlan({
        op: 'avgPool2d',
        inputShape: [1, 1, 3, 3],
        layout: 'channels-first',
        split: { batched: true, batch: 1, channels: 1, spatial: [3, 3] },
        axes: [
          { kind: 'sliding', size: 3, out: 0, kernel: 5, stride: 1, dilation: 1, padBegin: 0, padEnd: 0 },
          { kind: 'sliding', size: 3, out: 1, kernel: 3, stride: 1, dilation: 1, padBegin: 0, padEnd: 0 },
        ],
        reducer: { op: 'avg', divisor: 'valid', emptyWindow: 'zero' },
      }),
    (e: Error & { code?: string }) =>
      e.code === 'OUTPUT_EMPTY' && /axis H would be 0 \(input 3, padding 0\+0, kernel 5, stride 1\)/.test(e.message),
  );
});
