/**
 * Max unpooling: the partial inverse of max pooling. Each value goes back to the position its
 * index names (PyTorch's per-plane flat spatial index); every other position is 0. The output size
 * defaults to (in - 1) * stride - padBegin - padEnd + kernel per axis, as in PyTorch and ONNX.
 */
import { PoolingError, show } from '../plan/errors.js';
import { splitShape } from '../plan/plan.js';
import { checkInteger, perAxis, readOptions } from '../plan/validate.js';
import { resolvePadding } from '../plan/padding.js';
import {
  BYTES_PER_ELEMENT,
  allocate,
  checkAllocation,
  dtypeOf,
  elementCount,
  readShape,
  readTensor,
  readTensorOf,
  sameShape,
  stillCovers,
  type ArrayKind,
  type FloatArray,
  type Tensor,
  type TensorOf,
} from '../tensor.js';
import { COMMON_KEYS, layoutOf, spatialRankOf, type CommonOptions } from './options.js';
import type { IndexTensor } from './run.js';

/**
 * {@link maxUnpool}'s options: the geometry of the max pooling it undoes.
 * @category Options
 */
export interface MaxUnpoolOptions extends CommonOptions {
  /** The pooling's window size: one positive integer for every spatial axis or one per axis. Required. */
  readonly kernel: number | readonly number[];
  /** The pooling's stride. Default: the kernel. */
  readonly stride?: number | readonly number[];
  /** The pooling's padding: one number, one per axis, or one [begin, end] pair per axis. Default 0. */
  readonly padding?: number | readonly number[] | readonly (readonly [number, number])[];
  /**
   * Spatial output size, or the whole output shape (keeping the input's batch and channels);
   * default (in - 1) * stride - padBegin - padEnd + kernel per axis. As in PyTorch, each size must
   * lie strictly within one stride of that default.
   */
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

const UNPOOL_KEYS = [...COMMON_KEYS, 'kernel', 'stride', 'padding', 'outputSize'] as const;

function unpoolOptions(op: string, raw: unknown): MaxUnpoolOptions {
  return readOptions(op, raw, UNPOOL_KEYS) as unknown as MaxUnpoolOptions;
}

/** The unpooling of an input of `inputShape`: output shape and plane sizes, options read once. */
export function planMaxUnpool(op: string, inputShape: readonly number[], raw: MaxUnpoolOptions): UnpoolPlan {
  const options = unpoolOptions(op, raw);
  return unpoolPlan(op, readShape(op, 'the input shape', inputShape), options);
}

function unpoolPlan(op: string, shape: readonly number[], options: MaxUnpoolOptions): UnpoolPlan {
  const rank = spatialRankOf(op, shape, options, [options.kernel, options.stride, options.padding, options.outputSize], 'kernel');
  const layout = layoutOf(op, options);
  const split = splitShape(op, shape, layout, rank);
  if (options.kernel === undefined) {
    throw new PoolingError('INVALID_PARAMETER', op, `kernel is required (one positive integer or one per spatial axis)`);
  }
  const kernel = perAxis(op, 'kernel', options.kernel, rank, 1);
  const stride = options.stride === undefined ? kernel : perAxis(op, 'stride', options.stride, rank, 1);
  const { pads } = resolvePadding(op, 'padding', options.padding === undefined ? 0 : options.padding, split.spatial, kernel, stride);
  const defaultSize = split.spatial.map((s, a) => (s - 1) * stride[a]! - pads[a]![0] - pads[a]![1] + kernel[a]!);
  let outSpatial = defaultSize;
  if (options.outputSize !== undefined) {
    const given = options.outputSize;
    // A whole output shape is accepted too; its spatial sizes sit where the layout puts them.
    const spatialEnd = layout === 'channels-first' ? shape.length : shape.length - 1;
    const whole = Array.isArray(given) && given.length === shape.length;
    if (whole && given.some((d, i) => (i < spatialEnd - rank || i >= spatialEnd) && d !== shape[i])) {
      throw new PoolingError(
        'SHAPE_MISMATCH',
        op,
        `outputSize ${show(given)} as a whole output shape must keep the input's batch and channel sizes (input shape ${show(shape)})`,
      );
    }
    const spatialGiven = whole ? given.slice(spatialEnd - rank, spatialEnd) : given;
    if (!Array.isArray(spatialGiven) || spatialGiven.length !== rank) {
      throw new PoolingError('INVALID_PARAMETER', op, `outputSize must give ${rank} spatial sizes; got ${show(given)}`);
    }
    outSpatial = spatialGiven.map((s: number, a: number) => {
      checkInteger(op, 'outputSize', s, 1, given);
      // PyTorch accepts sizes strictly within one stride of the default (max_unpool's open interval).
      if (s <= defaultSize[a]! - stride[a]! || s >= defaultSize[a]! + stride[a]!) {
        throw new PoolingError(
          'INVALID_PARAMETER',
          op,
          `outputSize ${show(given)} must lie strictly within one stride of the default ${show(defaultSize)} on every axis`,
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

const INDEX_KINDS: readonly ArrayKind[] = ['Int32Array'];

/** The caller's index tensor read once (see readTensorOf): an Int32Array whose real length matches its shape. */
function readIndexTensor(op: string, indices: unknown): TensorOf<Int32Array> {
  return readTensorOf(op, 'indices', indices, INDEX_KINDS, 'an Int32Array') as TensorOf<Int32Array>;
}

/** Indices of exactly the input's shape, every one inside the output plane. */
function checkIndices(plan: UnpoolPlan, indices: TensorOf<Int32Array>): Int32Array {
  if (!sameShape(indices.shape, plan.inputShape)) {
    throw new PoolingError(
      'SHAPE_MISMATCH',
      plan.op,
      `indices must be an Int32Array tensor of the input's shape ${show(plan.inputShape)}; got ${show(indices.shape)}`,
    );
  }
  const data = indices.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < 0 || v >= plan.outputSpatialSize) {
      throw new PoolingError(
        'INDEX_OUT_OF_RANGE',
        plan.op,
        `indices[${i}] = ${v} is outside the output plane of ${plan.outputSpatialSize} positions (output shape ${show(plan.outputShape)})`,
      );
    }
  }
  return data;
}

/** Right before the scatter: the tensors read at the door still cover their memory (see run.ts). */
function checkStillCovered(op: string, ...tensors: { shape: readonly number[]; data: FloatArray | Int32Array }[]): void {
  if (tensors.some((t) => !stillCovers(t as Tensor))) {
    throw new PoolingError('DATA_LENGTH_MISMATCH', op, `a tensor's buffer was resized or detached during the call`);
  }
}

/**
 * Max unpooling, the partial inverse of max pooling: each value goes back to the position its index
 * names (PyTorch's per-plane flat spatial index, as {@link maxPoolWithIndices} returns it); every
 * other position is 0. (ONNX's MaxUnpool, whose indices span the whole tensor, is
 * {@link runOnnxNode}'s.)
 *
 * @param x - The pooled values: (N, C, ...spatial), channels-last with `layout`, or unbatched.
 * @param indices - An Int32Array tensor of `x`'s shape: where each value goes in its plane.
 * @param options - The pooling's `kernel` (required), `stride`, `padding`, and `outputSize`,
 *   `layout`, `spatialDims`. Read once.
 * @returns A new tensor of `x`'s dtype, of the unpooled shape.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` or `indices` is not a `{ shape, data }` tensor, an option has the wrong
 *   type or value, is unknown, or is missing (`kernel`), or `outputSize` does not give one size per
 *   spatial axis within one stride of the default;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array, or `indices.data` not an
 *   Int32Array;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `indices` does not have `x`'s shape, or a whole-shape `outputSize` changes the
 *   batch or channels;
 * - `INDEX_OUT_OF_RANGE`: an index lies outside its output plane;
 * - `INVALID_RANK`: `x`'s rank does not fit the options (a rank-3 input needs `spatialDims` or a
 *   per-axis option);
 * - `OUTPUT_EMPTY`: an output axis would have size 0 or less;
 * - `SIZE_TOO_LARGE`: the result would be over {@link setMaxBytes}'s limit or {@link MAX_ELEMENTS}.
 * @example
 * Max pooling and back: the maxima return to where they were, zeros elsewhere:
 * ```js
 * import { maxPoolWithIndices, maxUnpool, tensor } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 2, 4], Float32Array.of(1, 5, 2, 0, 3, 4, 8, 7));
 * const { values, indices } = maxPoolWithIndices(x, { kernel: 2 });
 * console.log(Array.from(values.data), Array.from(indices.data));
 * // prints: [ 5, 8 ] [ 1, 6 ]
 * const y = maxUnpool(values, indices, { kernel: 2 });
 * console.log(y.shape, Array.from(y.data).join(' '));
 * // prints: [ 1, 1, 2, 4 ] 0 5 0 0 0 0 8 0
 * ```
 * @category Pooling
 */
export function maxUnpool<T extends FloatArray>(x: Tensor<T>, indices: IndexTensor, options: MaxUnpoolOptions): Tensor<T> {
  return maxUnpoolAs('maxUnpool', x, indices, options);
}

/** maxUnpool for a caller of another name (the PyTorch dialect's max_unpool2d names itself). */
export function maxUnpoolAs<T extends FloatArray>(op: string, x: Tensor<T>, indices: IndexTensor, options: MaxUnpoolOptions): Tensor<T> {
  const o = unpoolOptions(op, options);
  const t = readTensor<T>(op, 'x', x);
  const index = readIndexTensor(op, indices);
  const plan = unpoolPlan(op, t.shape, o);
  const at = checkIndices(plan, index);
  const dtype = dtypeOf(t.data);
  checkAllocation(op, 'the output', plan.planes * plan.outputSpatialSize, BYTES_PER_ELEMENT[dtype]);
  checkStillCovered(op, t, index);
  const y = allocate(dtype, plan.planes * plan.outputSpatialSize);
  for (let plane = 0; plane < plan.planes; plane++) {
    for (let s = 0; s < plan.inputSpatialSize; s++) {
      const from = planeOffset(plan, plan.inputSpatialSize, plane, s);
      y[planeOffset(plan, plan.outputSpatialSize, plane, at[from]!)] = t.data[from]!;
    }
  }
  return { shape: plan.outputShape, data: y as T };
}

/**
 * The gradient of {@link maxUnpool}: each input takes the gradient at the position its index sent
 * it to.
 *
 * @param dy - The gradient of the unpooled output.
 * @param indices - The forward call's indices.
 * @param options - The forward call's options.
 * @returns dL/dx, of `indices`' shape and `dy`'s dtype.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`, `UNSUPPORTED_DTYPE`, `DATA_LENGTH_MISMATCH`, `INDEX_OUT_OF_RANGE`,
 *   `INVALID_RANK`, `OUTPUT_EMPTY`: as the forward op would throw them (for `dy` too);
 * - `SHAPE_MISMATCH`: `dy`'s shape is not the unpooled output's;
 * - `SIZE_TOO_LARGE`: the gradient would be over {@link setMaxBytes}'s limit.
 * @category Gradients
 */
export function maxUnpoolBackward<T extends FloatArray>(
  dy: Tensor<T>,
  indices: IndexTensor,
  options: MaxUnpoolOptions,
): Tensor<T> {
  return maxUnpoolBackwardAs('maxUnpoolBackward', dy, indices, options);
}

/** maxUnpoolBackward for a caller of another name. */
export function maxUnpoolBackwardAs<T extends FloatArray>(
  op: string,
  dy: Tensor<T>,
  indices: IndexTensor,
  options: MaxUnpoolOptions,
): Tensor<T> {
  const o = unpoolOptions(op, options);
  const gradient = readTensor<T>(op, 'dy', dy);
  const index = readIndexTensor(op, indices);
  const plan = unpoolPlan(op, index.shape, o);
  if (!sameShape(gradient.shape, plan.outputShape)) {
    throw new PoolingError('SHAPE_MISMATCH', op, `dy must have the output's shape ${show(plan.outputShape)}; got ${show(gradient.shape)}`);
  }
  const positions = checkIndices(plan, index);
  const dtype = dtypeOf(gradient.data);
  checkAllocation(op, 'the gradient', plan.planes * plan.inputSpatialSize, BYTES_PER_ELEMENT[dtype]);
  checkStillCovered(op, gradient, index);
  const dx = allocate(dtype, plan.planes * plan.inputSpatialSize);
  for (let plane = 0; plane < plan.planes; plane++) {
    for (let s = 0; s < plan.inputSpatialSize; s++) {
      const at = planeOffset(plan, plan.inputSpatialSize, plane, s);
      dx[at] = gradient.data[planeOffset(plan, plan.outputSpatialSize, plane, positions[at]!)]!;
    }
  }
  return { shape: plan.inputShape, data: dx as T };
}
