import assert from 'node:assert/strict';
import test from 'node:test';
import { avgPool, backendNames, headParameters, maxPool, observeRuns, planOfCall, PoolingError, poolOutputShape, tensor, torch } from '../../src/index.js';
import { runCountingAllocations } from '../helpers/allocations.js';

test('observeRuns: records each run with its plan and backend, and nothing outside the callback', () => {
  const x = tensor([1, 1, 4, 4], new Float32Array(16).fill(1));
  const { result, runs } = observeRuns(() => {
    avgPool(x, { kernel: 2 });
    return maxPool(x, { kernel: 4, backend: 'reference' });
  });
  assert.deepEqual(result.shape, [1, 1, 1, 1]);
  assert.equal(runs.length, 2);
  assert.equal(runs[0]!.plan.op, 'avgPool');
  assert.ok(backendNames().includes(runs[0]!.backend));
  assert.equal(runs[1]!.backend, 'reference');
  assert.ok(runs.every((r) => r.direction === 'forward' && r.milliseconds >= 0));
  assert.equal(observeRuns(() => 1).runs.length, 0);
});

test('observeRuns: a nested observer sees its own runs and the outer one sees them too; errors restore the state', () => {
  const x = tensor([1, 1, 2], new Float64Array(2));
  const outer = observeRuns(() => observeRuns(() => avgPool(x, { kernel: [2] })).runs.length);
  assert.equal(outer.result, 1);
  assert.equal(outer.runs.length, 1);
  assert.throws(() => observeRuns(() => avgPool(x, { kernel: [3] })), PoolingError);
  assert.equal(observeRuns(() => 0).runs.length, 0);
});

test('headParameters: ResNet-50, VGG-16 and MobileNetV2 at 224x224 with 1000 classes', () => {
  assert.deepEqual(headParameters([2048, 7, 7], 1000), {
    flattenInputs: 100352,
    flatten: 100_353_000,
    globalAverageInputs: 2048,
    globalAverage: 2_049_000,
  });
  assert.equal(headParameters([512, 7, 7], 1000).flatten, 25_089_000);
  assert.equal(headParameters([1280, 7, 7], 1000).globalAverage, 1_281_000);
  // The pooled head does not depend on the map's size; the flattened one grows with its area.
  assert.equal(headParameters([2048, 10, 10], 1000).globalAverage, 2_049_000);
  assert.equal(headParameters([2048, 10, 10], 1000).flattenInputs, 204_800);
  assert.deepEqual(poolOutputShape([1, 2048, 7, 7], { global: true }), [1, 2048]);
});

test('headParameters: bad shapes and class counts are errors naming the parameter', () => {
  for (const [shape, classes, pattern] of [
    [[2048], 10, /featureShape/],
    [[2048, 0, 7], 10, /featureShape/],
    [[2048, 7, 7], 0, /classes must be a positive integer; got 0/],
  ] as const) {
    assert.throws(
      () => headParameters(shape, classes),
      (e: unknown) => e instanceof PoolingError && e.code === 'INVALID_PARAMETER' && pattern.test(e.message),
    );
  }
});

test('planOfCall: the plan a dialect call would run, found without computing or allocating its output', () => {
  const x = tensor([1, 1, 4096, 4096], new Float32Array(4096 * 4096));
  const outcome = runCountingAllocations(() => planOfCall(() => torch.avgPool2d(x, { kernel_size: 3, stride: 2, ceil_mode: true })));
  assert.equal(outcome.error, undefined);
  assert.deepEqual(outcome.allocations, []);
  const plan = planOfCall(() => torch.avgPool2d(x, { kernel_size: 3, stride: 2, ceil_mode: true }))!;
  assert.equal(plan.op, 'avg_pool2d');
  assert.deepEqual(plan.outputShape, [1, 1, 2048, 2048]);
  // Errors before the run are the call's own; a call with no plan gives undefined.
  assert.throws(() => planOfCall(() => torch.avgPool2d(x, { kernel_size: 0 })), PoolingError);
  assert.equal(planOfCall(() => 1), undefined);
  assert.throws(() => planOfCall(null as never), PoolingError);
  // Nothing is left capturing: an ordinary call afterwards computes.
  assert.equal(avgPool(tensor([1, 1, 2, 2], Float32Array.of(1, 2, 3, 4)), { kernel: 2 }).data[0], 2.5);
});
