/** The zero-copy path: tensors in WebAssembly memory, pooled in place; views after memory.grow. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  PoolingError,
  allocWasmTensor,
  avgPool,
  maxPoolWithIndices,
  planAvgPool,
  planMaxPool,
  poolInto,
  reserveWasmMemory,
  toWasmTensor,
} from '../../src/index.js';
import { compareToReference, randomTensor, rng } from './compare.js';

test('poolInto writes the pooled result into a wasm tensor, equal to the reference', () => {
  const r = rng(3);
  for (const dtype of ['float32', 'float64'] as const) {
    const host = randomTensor(r, [2, 3, 12, 10], dtype);
    const x = toWasmTensor(host);
    const plan = planAvgPool(x.shape, { kernel: 2 });
    const out = allocWasmTensor(plan.outputShape, dtype);
    assert.equal(poolInto(plan, x, out), undefined);
    compareToReference({ shape: out.shape, data: out.data }, avgPool(host, { kernel: 2, backend: 'reference' }), `avg ${dtype}`);

    const maxPlan = planMaxPool(x.shape, { kernel: 3, stride: 2, padding: 1 });
    const maxOut = allocWasmTensor(maxPlan.outputShape, dtype);
    assert.equal(poolInto(maxPlan, x, maxOut), undefined);
    const indices = poolInto(maxPlan, x, maxOut, true);
    const expected = maxPoolWithIndices(host, { kernel: 3, stride: 2, padding: 1, backend: 'reference' });
    assert.deepEqual(indices, expected.indices.data);
    assert.deepEqual(maxOut.data, expected.values.data);
    for (const t of [x, out, maxOut]) t.free();
  }
});

test('a wasm tensor survives memory.grow: data re-creates the view (old views of unshared memory detach)', () => {
  const x = allocWasmTensor([1, 2, 4, 4]);
  x.data.set(Array.from({ length: 32 }, (_, i) => i));
  const before = x.data;
  const shared = before.buffer instanceof SharedArrayBuffer;
  const big = allocWasmTensor([1, 1, 4096, 4096 + 17]); // 64 MiB more: the memory must grow
  assert.equal(before.length, shared ? 32 : 0, shared ? 'a view of shared memory stays valid' : 'the old view is detached');
  assert.equal(x.data.length, 32);
  assert.deepEqual([...x.data.slice(0, 4)], [0, 1, 2, 3]);
  const plan = planAvgPool(x.shape, { kernel: 2 });
  const out = allocWasmTensor(plan.outputShape);
  poolInto(plan, x, out);
  assert.deepEqual([...out.data], [2.5, 4.5, 10.5, 12.5, 18.5, 20.5, 26.5, 28.5]);
  big.free();
  // After a reservation, allocations within it never detach views.
  reserveWasmMemory(8 << 20);
  const view = out.data;
  const t = allocWasmTensor([1 << 20]);
  assert.equal(view.length, 8);
  for (const tensor of [x, out, t]) tensor.free();
  assert.throws(() => x.data, (e: unknown) => e instanceof PoolingError && e.code === 'INVALID_PARAMETER');
});

test('poolInto checks shapes and dtypes', () => {
  const x = allocWasmTensor([1, 1, 4, 4]);
  const plan = planAvgPool(x.shape, { kernel: 2 });
  const wrongShape = allocWasmTensor([1, 1, 3, 3]);
  const wrongType = allocWasmTensor(plan.outputShape, 'float64');
  assert.throws(() => poolInto(plan, x, wrongShape), (e: unknown) => e instanceof PoolingError && e.code === 'SHAPE_MISMATCH' && /out must have/.test(e.message));
  assert.throws(() => poolInto(plan, x, wrongType), (e: unknown) => e instanceof PoolingError && e.code === 'UNSUPPORTED_DTYPE');
  assert.throws(() => allocWasmTensor([2, -1]), (e: unknown) => e instanceof PoolingError && e.code === 'INVALID_PARAMETER');
  assert.throws(() => reserveWasmMemory(2 ** 33), (e: unknown) => e instanceof PoolingError && e.code === 'SIZE_TOO_LARGE');
  assert.throws(() => allocWasmTensor([2 ** 20, 2 ** 10], 'float64'), (e: unknown) => e instanceof PoolingError && e.code === 'SIZE_TOO_LARGE');
  for (const t of [x, wrongShape, wrongType]) t.free();
});

test('poolInto from a host tensor into a wasm tensor, through chunks and a streamed global average', () => {
  const r = rng(9);
  const host = randomTensor(r, [1, 3, 600, 300], 'float32', 1000);
  for (const options of [{ kernel: 3, stride: 2 }, { kernel: [600, 300] }]) {
    const plan = planAvgPool(host.shape, options);
    const out = allocWasmTensor(plan.outputShape);
    poolInto(plan, host, out);
    compareToReference({ shape: out.shape, data: out.data }, avgPool(host, { ...options, backend: 'js' }), JSON.stringify(options));
    out.free();
  }
});
