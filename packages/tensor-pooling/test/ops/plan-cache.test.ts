/**
 * The plan cache: equal calls share one frozen plan; anything the planner would refuse is still
 * refused (the cache never answers for a call it cannot tell apart from a valid one).
 */
import assert from 'node:assert/strict';
import test from 'node:test';
import { avgPool, globalAvgPool, globalLpPool, maxPool, planAvgPool, planMaxPool, PoolingError, poolOutputShape } from '../../src/index.js';
import { cachedPlan, clearPlanCache, planCacheSize, planKey } from '../../src/ops/plan-cache.js';

const shape = [1, 2, 6, 6];

test('plan cache: equal calls (fresh option objects) get the same frozen plan; run options are not part of it', () => {
  clearPlanCache();
  const a = planAvgPool(shape, { kernel: [2, 2], stride: 2 });
  const b = planAvgPool([...shape], { kernel: [2, 2], stride: 2, backend: 'js', threads: 2 });
  assert.equal(a, b);
  assert.ok(Object.isFrozen(a));
  assert.notEqual(planAvgPool(shape, { kernel: [2, 2], stride: 2, padding: 1 }), a);
  assert.notEqual(planAvgPool(shape, { kernel: [2, 2], stride: 2, countIncludePad: true }), a);
  assert.notEqual(planMaxPool(shape, { kernel: [2, 2], stride: 2 }), a, 'another planner');
  assert.notEqual(planAvgPool([1, 2, 6, 7], { kernel: [2, 2], stride: 2 }), a, 'another shape');
});

test('plan cache: results are those of a fresh plan, call after call', () => {
  clearPlanCache();
  const x = { shape, data: Float32Array.from({ length: 72 }, (_, i) => (i * 7) % 11) };
  const first = avgPool(x, { kernel: 3, stride: 1, padding: 1 });
  const again = avgPool(x, { kernel: 3, stride: 1, padding: 1 });
  assert.deepEqual(again.data, first.data);
  assert.deepEqual(maxPool(x, { kernel: 2 }).data, maxPool(x, { kernel: 2 }).data);
  assert.equal(globalAvgPool(x, {}).data[0], globalAvgPool(x, {}).data[0]);
  // Two reducers under one op name: global Lp plans p into its reducer.
  assert.notDeepEqual(globalLpPool(x, { p: 1 }).data, globalLpPool(x, { p: 3 }).data);
});

test('plan cache: a refused call is refused every time, even after a valid look-alike was cached', () => {
  clearPlanCache();
  planAvgPool(shape, { kernel: [2, 2] });
  const refuses = (fn: () => unknown, code: string) =>
    assert.throws(fn, (e: unknown) => e instanceof PoolingError && e.code === code);
  refuses(() => planAvgPool(shape, { kernel: '2,2' as never }), 'INVALID_PARAMETER');
  refuses(() => planAvgPool(shape.map(String) as never, { kernel: [2, 2] }), 'INVALID_PARAMETER');
  refuses(() => planAvgPool(shape, { kernel: [2, 2], bogus: 1 } as never), 'INVALID_PARAMETER');
  refuses(() => planAvgPool(shape, { kernel: [2, 2], padding: '1' as never }), 'INVALID_PARAMETER');
  // poolOutputShape plans global and window ops under one op name.
  assert.deepEqual(poolOutputShape(shape, { global: true }), [1, 2]);
  refuses(() => poolOutputShape(shape, {} as never), 'INVALID_PARAMETER');
});

test('plan cache: keys keep types and signs apart, and uncacheable calls have none', () => {
  const key = (options: unknown, s: unknown = shape) => planKey('avg', 'avgPool', s, options);
  assert.notEqual(key({ kernel: 2 }), key({ kernel: '2' }));
  assert.notEqual(key({ kernel: [2, 2] }), key({ kernel: '2,2' }));
  assert.notEqual(key({ padding: 0 }), key({ padding: -0 }));
  assert.notEqual(key({ ceilMode: true }), key({ ceilMode: 'true' }));
  assert.notEqual(key({ padding: [[1, 0]] }), key({ padding: [1, 0] }));
  assert.equal(key({ kernel: 2, backend: 'js' }), key({ kernel: 2, threads: 4 }));
  assert.equal(key({ kernel: { length: 2 } }), undefined);
  assert.equal(key({ kernel: new Array(100).fill(1) }), undefined);
  assert.equal(key({ kernel: 2 }, ['1', 2, 6, 6]), undefined);
  assert.equal(key(null), undefined);
});

test('plan cache: bounded; the least recently used plan goes first', () => {
  clearPlanCache();
  const build = (n: number) => () => planAvgPool([1, 1, 8, 8 + n], { kernel: 2 });
  const kept = cachedPlan('test', 'op', [0], {}, build(0));
  for (let n = 1; n < 200; n++) {
    cachedPlan('test', 'op', [n], {}, build(n));
    assert.equal(cachedPlan('test', 'op', [0], {}, build(0)), kept, 'used again, so kept');
  }
  assert.ok(planCacheSize() <= 64, `${planCacheSize()} plans cached`);
  assert.notEqual(cachedPlan('test', 'op', [1], {}, build(1)), undefined);
});
