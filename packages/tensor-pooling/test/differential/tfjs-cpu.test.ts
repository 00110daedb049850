/**
 * Differential tests: the TF.js dialect against TensorFlow.js's cpu backend on random calls of
 * tf.avgPool, maxPool, avgPool3d, maxPool3d and tf.pool (with dilations), forward and through
 * tf.grad. The dialect reproduces TF.js, quirks included, so results must agree: max pooling and
 * its gradient exactly, averages within one float32 rounding (TF.js also sums in float64), and a
 * call TF.js refuses must be refused too. Where TF.js's result is wrong the dialect still matches
 * it; tfjs-cpu-differences.test.ts pins those cases against the library's own semantics.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type * as TfTypes from '@tensorflow/tfjs-core';
import { PoolingError, tfjs } from '../../src/index.js';
import { gradTf, runTf, tf, tfReady, type PlainTensor } from '@tensor-pooling/test-kit/tfjs';
import { tfjsCase, type TfjsCase } from '@tensor-pooling/test-kit/tfjs-cases';
import {
  assertIdentical,
  assertWithinBound,
  checkProperty,
  differentialSeed,
  FLOAT32_ROUNDOFF,
  product,
  seededValues,
  type Numbers,
} from '@tensor-pooling/test-kit/compare';

const SEED = differentialSeed(0x7f_c0de);

type Float32Tensor = { shape: readonly number[]; data: Float32Array };

/** One side's outcome: its tensors, or what it threw. */
type Outcome = { readonly ok: true; readonly value: Numbers } | { readonly ok: false; readonly error: unknown };

function attempt(run: () => Numbers): Outcome {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error };
  }
}

// TF.js's signatures are stricter than the random cases' types; the dialect takes the same values.
type Loose = never;

function tfForward(c: TfjsCase, x: TfTypes.Tensor): TfTypes.Tensor {
  const { filter, strides, pad, dimRoundingMode: mode } = c;
  switch (c.family) {
    case 'pool2d':
      return c.poolingType === 'avg'
        ? tf.avgPool(x as Loose, filter as Loose, strides as Loose, pad as Loose, mode)
        : tf.maxPool(x as Loose, filter as Loose, strides as Loose, pad as Loose, mode);
    case 'pool3d':
      return c.poolingType === 'avg'
        ? tf.avgPool3d(x as Loose, filter as Loose, strides as Loose, pad as Loose, mode)
        : tf.maxPool3d(x as Loose, filter as Loose, strides as Loose, pad as Loose, mode);
    case 'pool':
      return tf.pool(x as Loose, filter as Loose, c.poolingType, pad as Loose, c.dilations as Loose, strides as Loose, mode);
  }
}

function oursForward(c: TfjsCase, x: Float32Tensor): Numbers {
  const { filter, strides, pad, dimRoundingMode: mode } = c;
  switch (c.family) {
    case 'pool2d':
      return c.poolingType === 'avg'
        ? tfjs.avgPool(x, filter as Loose, strides as Loose, pad as Loose, mode)
        : tfjs.maxPool(x, filter as Loose, strides as Loose, pad as Loose, mode);
    case 'pool3d':
      return c.poolingType === 'avg'
        ? tfjs.avgPool3d(x, filter as Loose, strides as Loose, pad as Loose, mode)
        : tfjs.maxPool3d(x, filter as Loose, strides as Loose, pad as Loose, mode);
    case 'pool':
      return tfjs.pool(x, filter as Loose, c.poolingType, pad as Loose, c.dilations as Loose, strides as Loose, mode);
  }
}

/**
 * The dialect's gradient called as tf.grad calls TF.js's: the 2-D gradient functions (AvgPool,
 * MaxPool, and tf.pool, which runs through them) pass no dimRoundingMode; the 3-D ones pass it.
 */
function gradientOfOurs(c: TfjsCase, dy: Float32Tensor, x: Float32Tensor): Numbers {
  const { filter, strides, pad, dimRoundingMode: mode } = c;
  switch (c.family) {
    case 'pool2d':
      return c.poolingType === 'avg'
        ? tfjs.avgPoolGrad(dy, x, filter as Loose, strides as Loose, pad as Loose)
        : tfjs.maxPoolGrad(dy, x, filter as Loose, strides as Loose, pad as Loose);
    case 'pool3d':
      return c.poolingType === 'avg'
        ? tfjs.avgPool3dGrad(dy, x, filter as Loose, strides as Loose, pad as Loose, mode)
        : tfjs.maxPool3dGrad(dy, x, filter as Loose, strides as Loose, pad as Loose, mode);
    case 'pool':
      return tfjs.poolGrad(dy, x, filter as Loose, c.poolingType, pad as Loose, c.dilations as Loose, strides as Loose);
  }
}

/**
 * Averages: TF.js sums in float64 and rounds once to float32, as we do, but in another order, so
 * the two can straddle a float32 rounding boundary: one ulp of the result, plus the float64
 * reordering error (far smaller for these small windows and values under 10 in magnitude).
 */
const averageBound = (ours: Numbers) => (i: number) => 2 * FLOAT32_ROUNDOFF * Math.abs(Number(ours.data[i])) + 1e-12;

function compareOutcomes(ours: Outcome, peer: Outcome, exact: boolean, context: string, stats: Stats): boolean {
  if (!peer.ok) {
    assert.ok(!ours.ok, `${context}: TF.js threw (${String(peer.error)}) but the dialect returned a result`);
    assert.ok(ours.error instanceof PoolingError, `${context}: the dialect failed with ${String(ours.error)}`);
    stats.bothRefused++;
    return false;
  }
  // TF.js returns an empty tensor where an axis sizes to 0 (e.g. through computeOutputShape2D's
  // use of the first axis's filter for both axes); the dialect must return the same empty shape.
  if (peer.value.data.length === 0) stats.peerEmpty++;
  if (!ours.ok) {
    // The dialect declines a few TF.js routes it does not reproduce; they are listed in the docs.
    const declined = ours.error instanceof PoolingError && ours.error.code === 'UNSUPPORTED_OPTION';
    assert.ok(declined, `${context}: the dialect threw (${String(ours.error)}) but TF.js returned a result`);
    stats.declined++;
    return false;
  }
  if (exact) assertIdentical(ours.value, peer.value, context);
  else assertWithinBound(ours.value, peer.value, averageBound(ours.value), context);
  stats.compared++;
  return true;
}

/**
 * TF.js's 2-D gradients drop dimRoundingMode: when the rounding changed the output size, tf.grad
 * reads dy with the unrounded geometry and returns a wrong result without complaint. The dialect
 * refuses such a dy (SHAPE_MISMATCH, or OUTPUT_EMPTY where the unrounded size is 0);
 * tfjs-cpu-differences.test.ts pins TF.js's output.
 */
function refusesDroppedRounding(c: TfjsCase, ours: Outcome, peer: Outcome): boolean {
  return (
    peer.ok &&
    !ours.ok &&
    ours.error instanceof PoolingError &&
    (ours.error.code === 'SHAPE_MISMATCH' || ours.error.code === 'OUTPUT_EMPTY') &&
    c.family !== 'pool3d' &&
    c.dimRoundingMode !== undefined
  );
}

interface Stats {
  peerEmpty: number;
  peerScrambled: number;
  refusedWrongGradient: number;
  compared: number;
  bothRefused: number;
  declined: number;
  gradients: number;
}

function describe(c: TfjsCase): string {
  return JSON.stringify(c);
}

/**
 * A fault of TF.js's 3-D max gradient, pinned in tfjs-cpu-differences.test.ts and kept out of the
 * random comparison: maxPool3dPositions flattens a window position as wRow * filterHeight + wCol
 * where MaxPool3DGrad reads wRow * filterWidth + wCol, so with filterHeight != filterWidth dy lands
 * on the wrong element or nowhere. (Its tie rule, the last of equal maxima, the dialect follows.)
 */
function tfjs3dMaxGradientIsScrambled(c: TfjsCase): boolean {
  return c.family === 'pool3d' && c.poolingType === 'max' && c.filter[1] !== c.filter[2];
}

/** One random call: forward on both sides, then, where both gave an output, the gradient. */
function agreementProperty(stats: Stats) {
  return fc.asyncProperty(tfjsCase, async (c) => {
    const x = { shape: c.shape, data: seededValues(c.dataSeed, product(c.shape), c.values) };
    const context = describe(c);
    const exact = c.poolingType === 'max';
    const peer = attempt(() => runTf([x], (t) => tfForward(c, t))[0]!);
    const ours = attempt(() => oursForward(c, x));
    if (!compareOutcomes(ours, peer, exact, `${context}, forward`, stats)) return;
    const out = (peer as unknown as { readonly value: PlainTensor }).value;
    if (out.data.length === 0) return;
    if (tfjs3dMaxGradientIsScrambled(c)) {
      stats.peerScrambled++;
      return;
    }
    const dy = { shape: out.shape, data: seededValues(c.dataSeed + 1, out.data.length, 'continuous') };
    const peerGradient = attempt(() => gradTf(x, dy, (t) => tfForward(c, t)));
    const oursGradient = attempt(() => gradientOfOurs(c, dy, x));
    if (refusesDroppedRounding(c, oursGradient, peerGradient)) {
      stats.refusedWrongGradient++;
      return;
    }
    if (compareOutcomes(oursGradient, peerGradient, exact, `${context}, gradient`, stats)) stats.gradients++;
  });
}

test('TF.js dialect agrees with tfjs-backend-cpu forward and through tf.grad on random calls', async (t) => {
  await tfReady();
  const stats: Stats = { peerEmpty: 0, peerScrambled: 0, refusedWrongGradient: 0, compared: 0, bothRefused: 0, declined: 0, gradients: 0 };
  await checkProperty(agreementProperty(stats), { seed: SEED, numRuns: 3000 });
  t.diagnostic(
    `compared ${stats.compared} results (${stats.gradients} of them gradients); both refused ${stats.bothRefused}; ` +
      `declined by the dialect ${stats.declined}; TF.js gradients with a dropped dimRoundingMode refused ${stats.refusedWrongGradient}; ` +
      `3-D max gradients with filterHeight != filterWidth not compared ${stats.peerScrambled}; ` +
      `empty TF.js outputs reproduced ${stats.peerEmpty}`,
  );
  assert.ok(stats.compared > 3000 && stats.gradients > 1200, 'most cases must reach a comparison');
});
