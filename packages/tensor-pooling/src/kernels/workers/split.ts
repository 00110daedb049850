/**
 * How a plan is cut into parts that threads run independently, each through its own sub-plan made
 * by the plan constructor (`makePlan`), so every part is the same per-plane computation as the
 * single-thread run and the results are the same bits.
 *
 * - channels-first: the (n, c) planes are contiguous, so a range of planes is a tensor
 *   (1, planes, ...spatial) of its own.
 * - channels-last with a batch: a range of samples is a tensor (samples, ...spatial, C).
 * - a single image in channels-last, or a single plane, forward only: a range of output rows on
 *   the outermost axis reads a contiguous band of input rows. Gradients of neighbouring bands
 *   overlap, so backward never splits rows.
 * - a global average whose backend sums planes in fixed chunks (the wasm kernels, float32
 *   channels-first): a range of the planes' chunks, which may cut a plane (3 planes on 2 threads
 *   split evenly). Each chunk's sum is the same wherever it is computed, and the calling thread
 *   adds them in chunk order afterwards, as the single-thread kernel does: the same bits.
 *
 * `splitWork` picks among these; nothing else decides how a plan is cut.
 */
import { makePlan, windowsOf, type PlanRequest, type PoolPlan, type SlidingAxis } from '../../plan/plan.js';

export type Direction = 'forward' | 'backward';

/** A contiguous element range of a flat array. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

export interface Part {
  /** What `makePlan` needs to rebuild the sub-plan on another thread (plain data). */
  readonly request: PlanRequest;
  readonly plan: PoolPlan;
  /** The input elements this part reads (and, backward, the gradient elements it writes). */
  readonly input: Span;
  /** The output elements this part writes (and, backward, the gradient elements it reads). */
  readonly output: Span;
  /** Added to the sub-plan's max indices to make them indices of the whole plane. */
  readonly indexOffset: number;
}

/**
 * Below this many elements (input plus output) per part, the ~25-30 us of a dispatch is not
 * repaid: a fast kernel moves about 1 MiB in 0.1-0.5 ms here.
 */
export const MIN_ELEMENTS_PER_PART = 1 << 18;

/** Cuts `units` into at most `parts` near-equal contiguous ranges [start, end). */
export function ranges(units: number, parts: number): [number, number][] {
  const count = Math.max(1, Math.min(parts, units));
  const result: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    result.push([Math.floor((i * units) / count), Math.floor(((i + 1) * units) / count)]);
  }
  return result;
}

function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

function spatialSizes(plan: PoolPlan): number[] {
  return plan.axes.map((axis) => axis.size);
}

/** The output drops its spatial axes (global pooling without keepdims). */
function dropsSpatial(plan: PoolPlan): boolean {
  return plan.outputShape.length !== plan.inputShape.length;
}

function subRequest(plan: PoolPlan, batch: number, channels: number, axes: PlanRequest['axes']): PlanRequest {
  const spatial = axes.map((axis) => axis.size);
  const inputShape =
    plan.layout === 'channels-first' ? [batch, channels, ...spatial] : [batch, ...spatial, channels];
  return {
    op: plan.op,
    inputShape,
    layout: plan.layout,
    split: { batched: true, batch, channels, spatial },
    axes,
    reducer: plan.reducer,
    dropSpatial: dropsSpatial(plan),
  };
}

function part(request: PlanRequest, input: Span, output: Span, indexOffset = 0): Part {
  return { request, plan: makePlan(request), input, output, indexOffset };
}

/** Splits whole planes (channels-first) or whole samples (channels-last). */
function splitOuter(plan: PoolPlan, parts: number): Part[] {
  const channelsFirst = plan.layout === 'channels-first';
  const units = channelsFirst ? plan.batch * plan.channels : plan.batch;
  const inPerUnit = channelsFirst ? plan.inputSpatialSize : plan.inputSpatialSize * plan.channels;
  const outPerUnit = channelsFirst ? plan.outputSpatialSize : plan.outputSpatialSize * plan.channels;
  return ranges(units, parts).map(([start, end]) => {
    const request = channelsFirst
      ? subRequest(plan, 1, end - start, plan.axes)
      : subRequest(plan, end - start, plan.channels, plan.axes);
    return part(
      request,
      { offset: start * inPerUnit, length: (end - start) * inPerUnit },
      { offset: start * outPerUnit, length: (end - start) * outPerUnit },
    );
  });
}

/**
 * Splits the output rows of the outermost sliding axis of a single image (channels-last, or one
 * plane: then `channels` is 1 and a row is the same in either layout). The band of
 * input rows is read off the plan's resolved windows; the sub-axis keeps kernel, stride and
 * dilation and moves both paddings so every tap keeps its position relative to the input and to the
 * padded input: counts and divisors come out of `makePlan` unchanged.
 */
function splitRows(plan: PoolPlan, parts: number): Part[] | undefined {
  const outer = plan.axes[0];
  if (!outer || outer.kind !== 'sliding') return undefined;
  const windows = windowsOf(plan)[0]!;
  const inner = spatialSizes(plan).slice(1);
  const innerSpatial = product(inner);
  const outInnerSpatial = product(plan.axes.slice(1).map((axis) => axis.out));
  const inRow = innerSpatial * plan.channels;
  const outRow = outInnerSpatial * plan.channels;
  const result: Part[] = [];
  for (const [o0, o1] of ranges(outer.out, parts)) {
    let first = Infinity;
    let end = -Infinity;
    for (let o = o0; o < o1; o++) {
      const count = windows.count[o]!;
      if (count === 0) continue;
      first = Math.min(first, windows.first[o]!);
      end = Math.max(end, windows.first[o]! + (count - 1) * windows.step + 1);
    }
    // A band of windows lying wholly in the padding has no rows to read: keep the plan whole.
    if (!Number.isFinite(first)) return undefined;
    const windowStart = o0 * outer.stride - outer.padBegin;
    const sub: SlidingAxis = {
      ...outer,
      size: end - first,
      out: o1 - o0,
      padBegin: first - windowStart,
      padEnd: outer.size + outer.padEnd - end,
    };
    result.push(
      part(
        subRequest(plan, 1, plan.channels, [sub, ...plan.axes.slice(1)]),
        { offset: first * inRow, length: (end - first) * inRow },
        { offset: o0 * outRow, length: (o1 - o0) * outRow },
        first * innerSpatial,
      ),
    );
  }
  return result;
}

/** How many of `threads` parts `plan`'s work repays (input plus output elements per part). */
export function partsWorthIt(plan: PoolPlan, threads: number, minElementsPerPart = MIN_ELEMENTS_PER_PART): number {
  const work = plan.batch * plan.channels * (plan.inputSpatialSize + plan.outputSpatialSize);
  return Math.min(threads, Math.floor(work / minElementsPerPart));
}

/**
 * Parts for running `plan` on up to `threads` threads: a single part when the work is too small to
 * repay a dispatch or cannot be cut.
 */
export function splitPlan(
  plan: PoolPlan,
  threads: number,
  direction: Direction,
  minElementsPerPart = MIN_ELEMENTS_PER_PART,
): Part[] | undefined {
  const wanted = partsWorthIt(plan, threads, minElementsPerPart);
  if (wanted < 2) return undefined;
  const outerUnits = plan.layout === 'channels-first' ? plan.batch * plan.channels : plan.batch;
  if (outerUnits >= 2) return splitOuter(plan, wanted);
  if (direction === 'forward') {
    const rows = splitRows(plan, wanted);
    if (rows && rows.length >= 2) return rows;
  }
  return undefined;
}

/**
 * A run of a global average's chunks, counted plane by plane and chunk by chunk: chunk c is chunk
 * c % chunksPerPlane of plane floor(c / chunksPerPlane).
 */
export interface ChunkPart {
  readonly first: number;
  readonly end: number;
  /** The input elements its chunks hold (contiguous: planes are). */
  readonly input: Span;
}

/** How a global average's planes are cut into chunks (the backend's fixed chunk). */
export interface PlaneChunks {
  readonly planeSize: number;
  readonly chunkValues: number;
  readonly chunksPerPlane: number;
}

export type Split =
  | { readonly by: 'plans'; readonly parts: Part[] }
  | { readonly by: 'chunks'; readonly parts: ChunkPart[]; readonly chunks: PlaneChunks };

/** Cuts every plane's chunks, in order, into near-equal runs, one per part. */
export function splitChunks(planes: number, chunks: PlaneChunks, parts: number): ChunkPart[] {
  const { planeSize, chunkValues, chunksPerPlane } = chunks;
  const elementOf = (c: number) => Math.floor(c / chunksPerPlane) * planeSize + (c % chunksPerPlane) * chunkValues;
  return ranges(planes * chunksPerPlane, parts).map(([first, end]) => ({
    first,
    end,
    input: { offset: elementOf(first), length: elementOf(end) - elementOf(first) },
  }));
}

/**
 * Whether every input value falls in one window at most (global pooling, windows that do not
 * overlap, adaptive bins that divide their axis): the kernel then reads each value once.
 */
export function readsEachValueOnce(plan: PoolPlan): boolean {
  return plan.axes.every((axis) =>
    axis.kind === 'sliding' ? axis.out === 1 || axis.stride >= (axis.kernel - 1) * axis.dilation + 1 : axis.size % axis.out === 0,
  );
}

/** What the backend and the input change about a split. */
export interface SplitContext {
  /**
   * The backend sums a global average's planes in fixed chunks of this many values (see
   * wasm-backend.ts globalAverageChunk): planes longer than one are cut by chunks, so that few
   * planes still spread evenly; shorter ones go whole, through the plane kernels.
   */
  readonly globalChunk?: number | undefined;
  /**
   * The workers' share of the input must first be copied into shared memory on the calling thread
   * (the input is not shared), and the backend's kernels run about as fast as that copy (wasm).
   */
  readonly copiedInputRivalsKernel?: boolean;
}

/**
 * How to run `plan` on up to `threads` threads, or undefined to run it on the calling thread.
 * A forward plan that reads each value once, on an input whose copy rivals the kernel, stays on
 * the calling thread: copying the workers' share costs that thread about what the workers save it,
 * and the copy adds to the memory traffic that bounds such plans (measured, case A host arrays:
 * 1.1 ms on one thread, 5-8 ms on two).
 */
export function splitWork(
  plan: PoolPlan,
  threads: number,
  direction: Direction,
  context: SplitContext = {},
  minElementsPerPart = MIN_ELEMENTS_PER_PART,
): Split | undefined {
  if (direction === 'forward' && context.copiedInputRivalsKernel && readsEachValueOnce(plan)) return undefined;
  const planeSize = plan.inputSpatialSize;
  const { globalChunk } = context;
  if (direction === 'forward' && globalChunk !== undefined && planeSize > globalChunk) {
    const wanted = partsWorthIt(plan, threads, minElementsPerPart);
    if (wanted < 2) return undefined;
    const chunks = { planeSize, chunkValues: globalChunk, chunksPerPlane: Math.ceil(planeSize / globalChunk) };
    return { by: 'chunks', parts: splitChunks(plan.batch * plan.channels, chunks, wanted), chunks };
  }
  const parts = splitPlan(plan, threads, direction, minElementsPerPart);
  return parts ? { by: 'plans', parts } : undefined;
}
