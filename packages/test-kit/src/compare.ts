/**
 * Comparisons for differential tests: exact (max pooling, indices) and within a float32 summation
 * bound (averages, Lp norms), with messages that say where and by how much two results differ.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

export interface Numbers {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number> | ArrayLike<bigint>;
}

/** Unit roundoff of float32 (half an ulp of 1). */
export const FLOAT32_ROUNDOFF = 2 ** -24;

/** The largest finite float32, (2 - 2^-23) * 2^127. */
export const FLOAT32_MAX = (2 - 2 ** -23) * 2 ** 127;

function assertSameShape(ours: Numbers, theirs: Numbers, context: string): void {
  assert.deepEqual([...ours.shape], [...theirs.shape], `${context}: shapes differ`);
  assert.equal(ours.data.length, theirs.data.length, `${context}: lengths differ`);
}

/** Element by element with Object.is, so NaN equals NaN and 0 differs from -0 only if both are zero-signed. */
export function assertIdentical(ours: Numbers, theirs: Numbers, context: string): void {
  assertSameShape(ours, theirs, context);
  for (let i = 0; i < ours.data.length; i++) {
    const a = ours.data[i]!;
    const b = theirs.data[i]!;
    if (!(Object.is(a, b) || (a === 0 && b === 0))) {
      assert.fail(`${context}: element ${i} differs: ours ${String(a)}, peer ${String(b)}`);
    }
  }
}

/**
 * |ours - peer| <= bound[i] for every element, NaN matching NaN. Returns the largest ratio
 * |difference| / bound seen, so callers can report how close to the bound a run came.
 */
export function assertWithinBound(
  ours: Numbers,
  theirs: Numbers,
  bound: (i: number) => number,
  context: string,
): number {
  assertSameShape(ours, theirs, context);
  let worst = 0;
  for (let i = 0; i < ours.data.length; i++) {
    const a = Number(ours.data[i]!);
    const b = Number(theirs.data[i]!);
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (!(Number.isNaN(a) && Number.isNaN(b))) assert.fail(`${context}: element ${i}: ours ${a}, peer ${b}`);
      continue;
    }
    if (a === b) continue;
    const limit = bound(i);
    const difference = Math.abs(a - b);
    if (!(difference <= limit)) {
      assert.fail(`${context}: element ${i}: ours ${a}, peer ${b}, difference ${difference} over the bound ${limit}`);
    }
    worst = Math.max(worst, difference / limit);
  }
  return worst;
}

/**
 * Error bound of a float32 sum of `terms` values whose absolute values sum to `absoluteSum`,
 * then divided and rounded once more: recursive summation errs by at most (terms - 1) * u * sum|x|
 * (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., eq. 4.4), and each of the
 * division and the final rounding adds u relative. Our side is exact to half an ulp.
 */
export function float32SumBound(terms: number, absoluteSumOverDivisor: number): number {
  return (terms + 3) * FLOAT32_ROUNDOFF * absoluteSumOverDivisor + Number.MIN_VALUE;
}

/** A small deterministic generator (mulberry32) so each generated case carries its data as a seed. */
export function seededValues(seed: number, length: number, kind: ValueKind): Float32Array {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const u = next();
    // 'ties' draws from seven integers so max pooling meets equal values and must keep the first.
    out[i] = kind === 'ties' ? Math.floor(u * 7) - 3 : (u - 0.5) * 20;
  }
  return out;
}

export type ValueKind = 'ties' | 'continuous';

export function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

/**
 * The fast-check seed of a differential suite: fixed so CI is reproducible; DIFFERENTIAL_SEED
 * explores other cases locally (`DIFFERENTIAL_SEED=7 node --test build/test/differential`).
 */
export function differentialSeed(fixed: number): number {
  const chosen = process.env['DIFFERENTIAL_SEED'];
  return chosen === undefined ? fixed : Number(chosen);
}

/**
 * fc.assert, but a failure message that carries the counterexample's own assertion message (the
 * node test runner does not print an error's cause), so a failing run says what differed.
 */
export async function checkProperty<T>(
  property: fc.IAsyncPropertyWithHooks<T> | fc.IAsyncProperty<T>,
  parameters: fc.Parameters<T>,
): Promise<void> {
  const details = await fc.check(property, parameters);
  if (!details.failed) return;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  assert.fail(
    `property failed after ${details.numRuns} runs (seed ${details.seed}, path ${details.counterexamplePath}):\n` +
      `${JSON.stringify(details.counterexample)}\n${cause}`,
  );
}
