/**
 * Seeded test data: a generated case carries a seed, not thousands of numbers, so fast-check stays
 * fast and a counterexample is still reproducible from what it prints.
 */
import { Random } from '@tensor-pooling/test-kit/random';
import type { DType, FloatArray } from '../../src/index.js';

export { Random };

/**
 * What the values look like:
 * - 'uniform': in [-4, 4), no structure;
 * - 'ties': small integers, so windows hold equal maxima and the tie rule matters;
 * - 'special': uniform with NaN, +Infinity and -Infinity sprinkled in (about 1 value in 8);
 * - 'distinct': distinct values at least 1/8 apart and away from 0, for finite differences
 *   (max pooling has no derivative at a tie, Lp pooling none at 0).
 */
export type ValueKind = 'uniform' | 'ties' | 'special' | 'distinct';

export const VALUE_KINDS: readonly ValueKind[] = ['uniform', 'ties', 'special', 'distinct'];


export function allocateLike(dtype: DType, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
}

export function randomValues(seed: number, length: number, kind: ValueKind, dtype: DType): FloatArray {
  const random = new Random(seed);
  const out = allocateLike(dtype, length);
  if (kind === 'distinct') {
    // A shuffled ladder of 1/8 steps that skips the rungs near zero, then a small jitter.
    const order = random.permutation(length);
    for (let i = 0; i < length; i++) {
      const rung = order[i]! - Math.floor(length / 2);
      const magnitude = (Math.abs(rung) + 2) / 8 + random.next() / 64;
      out[i] = rung < 0 ? -magnitude : magnitude;
    }
    return out;
  }
  for (let i = 0; i < length; i++) {
    const u = random.next();
    if (kind === 'ties') {
      out[i] = Math.floor(u * 7) - 3;
    } else if (kind === 'special' && u < 0.125) {
      out[i] = u < 0.05 ? NaN : u < 0.09 ? Infinity : -Infinity;
    } else {
      out[i] = (random.next() - 0.5) * 8;
    }
  }
  return out;
}
