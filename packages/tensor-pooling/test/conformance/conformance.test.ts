import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'node:test';
import { runConformance, runVector, type Vector } from './runner.js';

// Compiled to build/test/conformance/: the repository root is three levels up.
/** The library's package folder, and the repository's, from this test's build folder. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REPOSITORY = join(ROOT, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/conformance');
const SHARED = join(REPOSITORY, '../shared/conformance');

function assertAllPass(folder: string): void {
  const results = runConformance(folder);
  const failures = results.filter((r) => !r.passed).map((r) => `${r.name}: ${r.message}`);
  assert.deepEqual(failures, []);
  // The copy holds 164 vectors; a runner that found none would otherwise pass vacuously.
  assert.ok(results.length >= 164, `only ${results.length} vectors found under ${folder}`);
}

test('every conformance vector in the repository copy passes', () => assertAllPass(FIXTURES));

test('every conformance vector in ../shared/conformance passes', { skip: !existsSync(SHARED) && 'no ../shared/conformance here' }, () =>
  assertAllPass(SHARED),
);

function load(relativePath: string): Vector {
  return JSON.parse(readFileSync(join(FIXTURES, relativePath), 'utf8')) as Vector;
}

test('the runner fails a vector whose expected value is off by more than its tolerance', () => {
  const v = load('onnx-backend-node-test/test_maxpool_2d_precomputed_strides.json');
  assert.equal(runVector(v, 'original').passed, true);
  const data = [...v.outputs[0]!.data!];
  data[1] = (data[1] as number) + 0.01;
  const tampered: Vector = { ...v, outputs: [{ ...v.outputs[0]!, data }] };
  const result = runVector(tampered, 'tampered');
  assert.equal(result.passed, false);
  assert.ok(Math.abs(result.maxError - 0.01) < 1e-6, `largest error ${result.maxError}`);
  assert.match(result.message!, /index 1/);
});

test('the runner fails a wrong shape, a wrong index and an error vector that does not throw', () => {
  const argmax = load('tfjs-core-test/forward/maxPoolWithArgmax_x_1_4_4_1_f_2_2_s_2.json');
  const indexes = argmax.outputs[1]!;
  const shifted: Vector = {
    ...argmax,
    outputs: [argmax.outputs[0]!, { ...indexes, data: indexes.data!.map((i, k) => (k === 0 ? (i as number) + 1 : i)) }],
  };
  assert.equal(runVector(shifted, 'shifted').passed, false);

  const reshaped: Vector = { ...argmax, outputs: [{ ...argmax.outputs[0]!, shape: [1, 4, 1, 1] }] };
  assert.match(runVector(reshaped, 'reshaped').message!, /shape/);

  const error = load('tfjs-core-test/error/maxPool_throws_when_dimRoundingMode_is_set_and_pad_is_valid.json');
  const fixed: Vector = { ...error, attrs: { ...error.attrs, dimRoundingMode: null as never } };
  delete (fixed.attrs as Record<string, unknown>).dimRoundingMode;
  const result = runVector(fixed, 'fixed');
  assert.equal(result.passed, false);
  assert.match(result.message!, /expected a PoolingError/);
});
