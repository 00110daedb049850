import assert from 'node:assert/strict';
import test from 'node:test';
import { avgPool, explainPlan, explainWindow, observeRuns, planAvgPool, planMaxPool, PoolingError, tensor, tfjs, torch } from '../../src/index.js';

test('explainPlan: the ceil-mode case L=5, k=2, s=2, pad 1 (PyTorch) names the dropped window', () => {
  const plan = planAvgPool([1, 1, 5], { kernel: [2], stride: 2, padding: 1, ceilMode: true, countIncludePad: true });
  const explained = explainPlan(plan);
  const axis = explained.axes[0]!;
  assert.equal(axis.out, 3);
  assert.match(axis.formula, /\(5 \+ 1 \+ 1 - 2\) \/ 2 \+ 1/);
  assert.match(
    axis.formula,
    /ceil\(2\.5\) \+ 1 = 4 \(ceil mode\), but window 3 would start at 5, inside the end padding, and PyTorch and ONNX drop it: out = 3/,
  );
  // Without ceil mode the same size comes from rounding down, and the formula says what ceil mode would do.
  const floorAxis = explainPlan(planAvgPool([1, 1, 5], { kernel: [2], stride: 2, padding: 1 })).axes[0]!;
  assert.match(floorAxis.formula, /floor\(2\.5\) \+ 1 = 3 \(rounded down; rounding up \(ceil mode\) would add window 3, but it would start at 5/);
  assert.deepEqual(
    axis.windows.map((w) => w.taps.map((t) => `${t.position}:${t.kind}`)),
    [['-1:padding', '0:input'], ['1:input', '2:input'], ['3:input', '4:input']],
  );
  assert.deepEqual(explained.warnings, []);
});

test('explainPlan: TF.js keeps the window that starts in the padding and warns that it holds no input', () => {
  const { runs } = observeRuns(() => tfjs.avgPool(tensor([1, 5, 5, 1], new Float32Array(25).fill(1)), 2, 2, 1, 'ceil'));
  const plan = runs[0]!.plan;
  const explained = explainPlan(plan);
  const width = explained.axes[1]!;
  assert.equal(width.out, 4);
  assert.match(width.formula, /ceil\(2\.5\) \+ 1 = 4 \(rounded up\)/);
  assert.deepEqual(width.windows[3]!.taps, [
    { position: 5, kind: 'padding' },
    { position: 6, kind: 'overhang' },
  ]);
  assert.equal(width.windows[3]!.inInput, 0);
  assert.ok(explained.warnings.some((w) => /axis W: window 3 lies only in the padding.*NaN/.test(w)));
  const window = explainWindow(plan, [0, 3]);
  assert.equal(window.divisor, 0);
  assert.match(window.reason, /no input: the average is NaN/);
});

test('explainWindow: the divisor with and without count_include_pad matches the op', () => {
  const x = tensor([1, 1, 3, 3], Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  for (const countIncludePad of [true, false]) {
    const options = { kernel: 3, stride: 2, padding: 1, countIncludePad };
    const plan = planAvgPool(x.shape, options);
    const y = avgPool(x, options);
    const corner = explainWindow(plan, [0, 0]);
    assert.equal(corner.inInput, 4);
    assert.equal(corner.inPadded, 9);
    assert.equal(corner.divisor, countIncludePad ? 9 : 4);
    // The corner window holds 1, 2, 4, 5: the op's value is that sum over the explained divisor.
    assert.equal(y.data[0], (1 + 2 + 4 + 5) / corner.divisor!);
    assert.match(corner.reason, /4 of its 9 taps lie in the input, 5 in the padding/);
  }
});

test('explainWindow: the PyTorch ceil-mode overhang is never in the divisor', () => {
  const x = tensor([1, 1, 4], Float64Array.from([1, 2, 3, 4]));
  const { result, runs } = observeRuns(() =>
    torch.avgPool1d(x, { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: true }),
  );
  const plan = runs[0]!.plan;
  const last = explainWindow(plan, [plan.axes[0]!.out - 1]);
  assert.deepEqual(last.taps[0]!.map((t) => t.kind), ['input', 'padding', 'overhang']);
  assert.equal(last.divisor, 2);
  assert.match(last.reason, /1 overhang taps past the padding never count/);
  assert.equal(result.data[plan.axes[0]!.out - 1], 4 / 2);
});

test('explainWindow: max plans have no divisor; an index outside the output is an error', () => {
  const plan = planMaxPool([1, 1, 4, 4], { kernel: 2 });
  const w = explainWindow(plan, [1, 1]);
  assert.equal(w.divisor, null);
  assert.match(w.reason, /maximum/);
  assert.throws(
    () => explainWindow(plan, [2, 0]),
    (e: unknown) => e instanceof PoolingError && e.code === 'INDEX_OUT_OF_RANGE' && /\[2, 0\]/.test(e.message),
  );
});

test('explainPlan: warns about input positions no window reads', () => {
  const explained = explainPlan(planAvgPool([1, 1, 7], { kernel: [2], stride: 3 }));
  assert.deepEqual(explained.warnings, ['axis W: 3 of 7 input positions are in no window']);
});
