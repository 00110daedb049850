/**
 * Max unpooling: the partial inverse of max pooling. Each value goes back to the position its
 * index names (PyTorch's per-plane flat spatial index); every other position is 0. The output size
 * defaults to (in - 1) * stride - padBegin - padEnd + kernel per axis, as in PyTorch and ONNX.
 */
import { PoolingError, show } from '../plan/errors.js';
import { splitShape } from '../plan/plan.js';
import { checkKnownKeys, checkInteger, perAxis } from '../plan/validate.js';
import { resolvePadding } from '../plan/padding.js';
import { allocate, checkTensor, dtypeOf, elementCount, type FloatArray, type Tensor } from '../tensor.js';
import { COMMON_KEYS, checkOptionsObject, layoutOf, spatialRankOf, type CommonOptions } from './options.js';
import type { IndexTensor } from './run.js';

export interface MaxUnpoolOptions extends CommonOptions {
  readonly kernel: number | readonly number[];
  readonly stride?: number | readonly number[];
  readonly padding?: number | readonly number[] | readonly (readonly [number, number])[];
  /** Spatial output size; default (in - 1) * stride - padBegin - padEnd + kernel. */
  readonly outputSize?: readonly number[];
}

export interface UnpoolPlan {
  readonly op: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly planes: number;
  readonly inputSpatialSize: number;
  readonly outputSpatialSize: number;
  readonly layout: 'channels-first' | 'channels-last';
  readonly channels: number;
}

export function planMaxUnpool(op: string, shape: readonly number[], options: MaxUnpoolOptions): UnpoolPlan {
  checkOptionsObject(op, options);
  checkKnownKeys(op, options, [...COMMON_KEYS, 'kernel', 'stride', 'padding', 'outputSize']);
  const rank = spatialRankOf(op, shape, options, [options.kernel, options.stride, options.padding, options.outputSize]);
  const layout = layoutOf(op, options);
  const split = splitShape(op, shape, layout, rank);
  const kernel = perAxis(op, 'kernel', options.kernel, rank, 1);
  const stride = options.stride === undefined ? kernel : perAxis(op, 'stride', options.stride, rank, 1);
  const { pads } = resolvePadding(op, 'padding', options.padding ?? 0, split.spatial, kernel, stride);
  const defaultSize = split.spatial.map((s, a) => (s - 1) * stride[a]! - pads[a]![0] - pads[a]![1] + kernel[a]!);
  let outSpatial = defaultSize;
  if (options.outputSize !== undefined) {
    const given = options.outputSize;
    // A whole output shape is accepted too; its spatial sizes sit where the layout puts them.
    const spatialEnd = layout === 'channels-first' ? shape.length : shape.length - 1;
    const spatialGiven =
      Array.isArray(given) && given.length === shape.length ? given.slice(spatialEnd - rank, spatialEnd) : given;
    if (!Array.isArray(spatialGiven) || spatialGiven.length !== rank) {
      throw new PoolingError('INVALID_PARAMETER', op, `outputSize must give ${rank} spatial sizes; got ${show(given)}`);
    }
    outSpatial = spatialGiven.map((s: number, a: number) => {
      checkInteger(op, 'outputSize', s, 1, given);
      // PyTorch accepts sizes within one stride of the default.
      if (s < defaultSize[a]! - stride[a]! || s > defaultSize[a]! + stride[a]!) {
        throw new PoolingError(
          'INVALID_PARAMETER',
          op,
          `outputSize ${show(given)} must lie within one stride of the default ${show(defaultSize)} on every axis`,
        );
      }
      return s;
    });
  }
  outSpatial.forEach((s, a) => {
    if (s < 1) {
      throw new PoolingError(
        'OUTPUT_EMPTY',
        op,
        `output size on axis ${a} would be ${s} (input ${split.spatial[a]}, stride ${stride[a]}, padding ${pads[a]![0]}+${pads[a]![1]}, kernel ${kernel[a]})`,
      );
    }
  });
  const rest = layout === 'channels-first' ? [split.channels, ...outSpatial] : [...outSpatial, split.channels];
  const outputShape = split.batched ? [split.batch, ...rest] : rest;
  elementCount(op, 'the output', outputShape);
  return {
    op,
    inputShape: shape,
    outputShape,
    planes: split.batch * split.channels,
    inputSpatialSize: split.spatial.reduce((p, s) => p * s, 1),
    outputSpatialSize: outSpatial.reduce((p, s) => p * s, 1),
    layout,
    channels: split.channels,
  };
}

function planeOffset(plan: UnpoolPlan, spatialSize: number, plane: number, s: number): number {
  if (plan.layout === 'channels-first') return plane * spatialSize + s;
  const n = Math.floor(plane / plan.channels);
  const c = plane % plan.channels;
  return (n * spatialSize + s) * plan.channels + c;
}

function checkIndices(plan: UnpoolPlan, indices: IndexTensor): void {
  if (!(indices.data instanceof Int32Array) || indices.shape.length !== plan.inputShape.length || indices.shape.some((d, i) => d !== plan.inputShape[i])) {
    throw new PoolingError(
      'SHAPE_MISMATCH',
      plan.op,
      `indices must be an Int32Array tensor of the input's shape ${show(plan.inputShape)}; got ${show(indices?.shape)}`,
    );
  }
  for (let i = 0; i < indices.data.length; i++) {
    const v = indices.data[i]!;
    if (v < 0 || v >= plan.outputSpatialSize) {
      throw new PoolingError(
        'INDEX_OUT_OF_RANGE',
        plan.op,
        `indices[${i}] = ${v} is outside the output plane of ${plan.outputSpatialSize} positions (output shape ${show(plan.outputShape)})`,
      );
    }
  }
}

export function maxUnpool<T extends FloatArray>(x: Tensor<T>, indices: IndexTensor, options: MaxUnpoolOptions): Tensor<T> {
  const op = 'maxUnpool';
  checkTensor(op, 'x', x);
  const plan = planMaxUnpool(op, x.shape, options);
  checkIndices(plan, indices);
  const y = allocate(dtypeOf(x.data), plan.planes * plan.outputSpatialSize);
  for (let plane = 0; plane < plan.planes; plane++) {
    for (let s = 0; s < plan.inputSpatialSize; s++) {
      const from = planeOffset(plan, plan.inputSpatialSize, plane, s);
      y[planeOffset(plan, plan.outputSpatialSize, plane, indices.data[from]!)] = x.data[from]!;
    }
  }
  return { shape: plan.outputShape, data: y as T };
}

/** d(maxUnpool)/dx: each input takes the gradient at the position it was sent to. */
export function maxUnpoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  indices: IndexTensor,
  options: MaxUnpoolOptions,
): Tensor<T> {
  const op = 'maxUnpoolBackward';
  checkTensor(op, 'dy', dy);
  const plan = planMaxUnpool(op, indices.shape, options);
  if (dy.shape.length !== plan.outputShape.length || dy.shape.some((d, i) => d !== plan.outputShape[i])) {
    throw new PoolingError('SHAPE_MISMATCH', op, `dy must have the output's shape ${show(plan.outputShape)}; got ${show(dy.shape)}`);
  }
  checkIndices(plan, indices);
  const dx = allocate(dtypeOf(dy.data), plan.planes * plan.inputSpatialSize);
  for (let plane = 0; plane < plan.planes; plane++) {
    for (let s = 0; s < plan.inputSpatialSize; s++) {
      const at = planeOffset(plan, plan.inputSpatialSize, plane, s);
      dx[at] = dy.data[planeOffset(plan, plan.outputSpatialSize, plane, indices.data[at]!)]!;
    }
  }
  return { shape: plan.inputShape, data: dx as T };
}
