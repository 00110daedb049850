/**
 * The checks every op faces in the property suites: on every backend, within 1 ulp of the naive
 * oracle and the same bits when run again.
 */
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';
import { onEveryBackend } from './cases.js';
import type { Gradient } from './naive.js';
import { assertSameBits, assertWithinUlps, ulpDistance } from './ulp.js';

/**
 * Within 1 ulp; in float64, where terms of both signs met in a sum, within a few float64 roundings
 * of the sum of their magnitudes instead (Lp gradients go through powers in an order the oracle
 * cannot share, and cancellation magnifies the last bits). Float32 results are rounded once from
 * float64, so the float64 differences stay below their last place.
 */
export function assertGradientClose(actual: Tensor, expected: Gradient, context: string): void {
  const dtype = expected.dx.data instanceof Float64Array ? 'float64' : 'float32';
  assert.deepEqual([...actual.shape], [...expected.dx.shape], `${context}: shape`);
  for (let i = 0; i < expected.dx.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.dx.data[i]!;
    if (ulpDistance(a, e, dtype) <= 1) continue;
    if (dtype === 'float64' && Math.abs(a - e) <= 8 * 2 ** -53 * expected.magnitude[i]!) continue;
    assert.fail(`${context}: dx[${i}] is ${a}, expected ${e} (${ulpDistance(a, e, dtype)} ulps apart)`);
  }
}

/** `run(backend)` on every backend against `expected`: within 1 ulp (or `compare`), and deterministic. */
export function assertEveryBackend(
  run: (backend: string | undefined) => Tensor,
  check: (actual: Tensor, context: string) => void,
  context: string,
): void {
  for (const { backend, result } of onEveryBackend(run)) {
    const where = `${context} [${backend}]`;
    check(result, where);
    assertSameBits(run(backend === 'auto' ? undefined : backend).data, result.data, `${where} run twice`);
  }
}

export function withinOneUlpOf(expected: Tensor): (actual: Tensor, context: string) => void {
  return (actual, context) => assertWithinUlps(actual, expected, 1, context);
}
