/**
 * Differential tests: the ONNX dialect against onnxruntime-node (CPU provider) on random
 * AveragePool, MaxPool, LpPool and global pooling nodes. Max pooling and its indices must match
 * exactly; averages and Lp norms within the error of onnxruntime's float32 accumulation (we
 * accumulate in float64, so the peer is the less exact side). Cases where the peer is wrong are
 * pinned in onnx-runtime-differences.test.ts and described in docs/peer-differences.md.
 */
import { after, test } from 'node:test';
import fc from 'fast-check';
import { runOnnxNode } from '../../src/index.js';
import { releaseOrtSessions, runOrtNode, sessionCount } from '@tensor-pooling/test-kit/onnx-runtime';
import { globalCase, windowCase, type GlobalCase, type WindowCase } from '@tensor-pooling/test-kit/onnx-cases';
import {
  assertIdentical,
  assertWithinBound,
  float32SumBound,
  product,
  checkProperty,
  differentialSeed,
  FLOAT32_MAX,
  seededValues,
} from '@tensor-pooling/test-kit/compare';

const SEED = differentialSeed(0x5eed_0a11);

after(releaseOrtSessions);

function describeCase(c: WindowCase | GlobalCase): string {
  return `${c.opType} ${JSON.stringify(c.attributes)} on ${JSON.stringify(c.shape)} (${c.values} data, seed ${c.dataSeed})`;
}

/** |x| in float64: our average of it is sum|x| / divisor, the scale of the peer's rounding error. */
function absolute64(x: Float32Array): Float64Array {
  return Float64Array.from(x, Math.abs);
}

/**
 * onnxruntime starts a max at the dtype's lowest finite value, so a window with no input position
 * gives -FLT_MAX (or -DBL_MAX) where we give -Infinity as PyTorch does (docs/peer-differences.md).
 * Our data is finite, so -Infinity marks exactly those windows: the difference is asserted, not skipped.
 */
function withLowestForEmptyWindows(t: { shape: readonly number[]; data: ArrayLike<number | bigint> }) {
  const lowest = t.data instanceof Float64Array ? -Number.MAX_VALUE : -FLOAT32_MAX;
  return { shape: t.shape, data: Array.from(t.data as ArrayLike<number>, (v) => (v === -Infinity ? lowest : v)) };
}

/**
 * For a window with no input position onnxruntime writes the flat index of the coordinates
 * (-1, ..., -1) in its plane: plane * planeSize - (sum of the spatial strides), in the storage
 * order asked for. We write -1. The exact peer value is asserted (docs/peer-differences.md).
 */
function withPeerEmptyWindowIndices(
  t: { shape: readonly number[]; data: ArrayLike<number | bigint> },
  inputShape: readonly number[],
  columnMajor: boolean,
) {
  const spatial = inputShape.slice(2);
  const axisOrder = spatial.map((_, a) => a);
  if (!columnMajor) axisOrder.reverse();
  let stride = 1;
  let strideSum = 0;
  for (const a of axisOrder) {
    strideSum += stride;
    stride *= spatial[a]!;
  }
  const planeSize = stride;
  const outputPlane = product(t.shape.slice(2));
  return {
    shape: t.shape,
    data: Array.from(t.data as ArrayLike<bigint>, (v, i) =>
      v === -1n ? BigInt(Math.floor(i / outputPlane) * planeSize - strideSum) : v,
    ),
  };
}

async function compareWindowCase(c: WindowCase): Promise<number> {
  const x = { shape: c.shape, data: seededValues(c.dataSeed, product(c.shape), c.values) };
  const context = describeCase(c);
  const kernelTaps = product(c.attributes['kernel_shape'] as number[]);
  if (c.opType === 'MaxPool') {
    // onnxruntime's CPU provider runs MaxPool in float64 too (its other pooling kernels are float32 only).
    const input = c.dataSeed % 2 === 0 ? x : { shape: c.shape, data: Float64Array.from(x.data) };
    const [peerValues, peerIndices] = await runOrtNode({
      opType: c.opType,
      attributes: c.attributes,
      inputs: [input],
      outputTypes: [input.data instanceof Float64Array ? 'float64' : 'float32', 'int64'],
    });
    const [values, indices] = runOnnxNode(c.opType, c.attributes, [input]);
    assertIdentical(withLowestForEmptyWindows(values!), peerValues!, `${context}, values`);
    const columnMajor = c.attributes['storage_order'] === 1;
    assertIdentical(withPeerEmptyWindowIndices(indices!, c.shape, columnMajor), peerIndices!, `${context}, indices`);
    return 0;
  }
  const [peer] = await runOrtNode({ opType: c.opType, attributes: c.attributes, inputs: [x], outputTypes: ['float32'] });
  const [ours] = runOnnxNode(c.opType, c.attributes, [x]);
  if (c.opType === 'AveragePool') {
    const [scale] = runOnnxNode(c.opType, c.attributes, [{ shape: c.shape, data: absolute64(x.data) }]);
    return assertWithinBound(ours!, peer!, (i) => float32SumBound(kernelTaps, Number(scale!.data[i])), context);
  }
  // LpPool: the peer sums |x|^p in float32 (each power rounded too) and takes the p-th root.
  return assertWithinBound(ours!, peer!, (i) => float32SumBound(2 * kernelTaps, Math.abs(Number(ours!.data[i]))), context);
}

test('AveragePool, MaxPool and LpPool agree with onnxruntime on random configurations', async (t) => {
  let worst = 0;
  await checkProperty(
    fc.asyncProperty(
      windowCase({
        opTypes: ['AveragePool', 'MaxPool', 'LpPool'],
        // onnxruntime's own rule: each pad smaller than the kernel (pool_attributes.h).
        maxPad: (kernel) => kernel - 1,
      }),
      async (c) => {
        worst = Math.max(worst, await compareWindowCase(c));
      },
    ),
    { seed: SEED, numRuns: 3000 },
  );
  t.diagnostic(`largest difference / float32 bound: ${worst.toFixed(3)}; sessions: ${sessionCount()}`);
});

test('GlobalAveragePool, GlobalMaxPool and GlobalLpPool agree with onnxruntime', async () => {
  await checkProperty(
    fc.asyncProperty(globalCase, async (c) => {
      const x = { shape: c.shape, data: seededValues(c.dataSeed, product(c.shape), c.values) };
      const context = describeCase(c);
      const [peer] = await runOrtNode({
        opType: c.opType,
        attributes: c.attributes,
        inputs: [x],
        outputTypes: ['float32'],
        // onnxruntime 1.30 implements GlobalLpPool only up to opset 21 (22 only added bfloat16).
        ...(c.opType === 'GlobalLpPool' ? { opset: 21 } : {}),
      });
      const [ours] = runOnnxNode(c.opType, c.attributes, [x]);
      const taps = product(c.shape.slice(2));
      if (c.opType === 'GlobalMaxPool') return assertIdentical(ours!, peer!, context);
      if (c.opType === 'GlobalAveragePool') {
        const [scale] = runOnnxNode(c.opType, c.attributes, [{ shape: c.shape, data: absolute64(x.data) }]);
        assertWithinBound(ours!, peer!, (i) => float32SumBound(taps, Number(scale!.data[i])), context);
        return;
      }
      assertWithinBound(ours!, peer!, (i) => float32SumBound(2 * taps, Math.abs(Number(ours!.data[i]))), context);
    }),
    { seed: SEED, numRuns: 200 },
  );
});
