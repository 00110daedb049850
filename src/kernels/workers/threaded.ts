/**
 * `threads: n`: a backend that runs another backend on parts of a plan, one part on the calling
 * thread and the others on workers, over shared memory. Each part is the single-thread backend on a
 * sub-plan of whole planes, samples or output rows, so the result is the same bits as the
 * single-thread run. Plans too small to repay a dispatch, and calls made before the workers are
 * ready, run on the calling thread alone.
 *
 * Inputs that live in a SharedArrayBuffer (see `allocSharedTensor`) or in the shared WebAssembly
 * memory (WasmTensors) are read in place; others have the workers' share copied into shared memory
 * first. Outputs are allocated in shared memory, or written in place by `forwardInto` when the
 * caller's output is shared.
 */
import type { Backend } from '../../backends.js';
import { PoolingError, show } from '../../plan/errors.js';
import type { PoolPlan } from '../../plan/plan.js';
import {
  BYTES_PER_ELEMENT,
  allocate,
  checkAllocation,
  dtypeOf,
  elementCount,
  readShape,
  readTensor,
  type DType,
  type FloatArray,
  type Tensor,
} from '../../tensor.js';
import type { ForwardResult } from '../reference/reference.js';
import { loadedSharedWasm } from '../wasm/runtime.js';
import { residentAddress } from '../wasm/wasm-backend.js';
import { dispatch, readyWorkers, startWorkers as startPool, workersCanRun, workersUnavailable } from './pool.js';
import { SHARED_WASM_MEMORY, type ElementType, type Job, type SharedSpan } from './protocol.js';
import { runBackwardPart, runForwardPart } from './run-part.js';
import { partsWorthIt, splitPlan, type Direction, type Part, type Span } from './split.js';

/** More threads than this is a mistake (a typo, a byte count) rather than a machine. */
export const MAX_THREADS = 256;

/** Validates the `threads` option: undefined means 1. */
export function checkThreads(op: string, threads: unknown, name = 'threads'): number {
  if (threads === undefined && name === 'threads') return 1;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} must be an integer from 1 to ${MAX_THREADS} (1 runs on the calling thread only); got ${show(threads)}`,
    );
  }
  return threads;
}

function sharedArray(type: DType, length: number): FloatArray {
  return type === 'float64'
    ? new Float64Array(new SharedArrayBuffer(length * 8))
    : new Float32Array(new SharedArrayBuffer(length * 4));
}

/**
 * Shared memory where the platform has it; elsewhere (a browser page that is not cross-origin
 * isolated) ordinary memory, which is all such a platform can pool (every call runs on the
 * calling thread there), so portable code need not ask.
 */
function sharedOrPlainArray(type: DType, length: number): FloatArray {
  return typeof SharedArrayBuffer !== 'undefined' ? sharedArray(type, length) : allocate(type, length);
}

/**
 * A zeroed tensor in shared memory: with `threads: n`, workers read it in place instead of copying
 * their share of it first. Ordinary memory where there is no SharedArrayBuffer (no workers either).
 */
export function allocSharedTensor<D extends DType = 'float32'>(
  shape: readonly number[],
  dtype: D = 'float32' as D,
): Tensor<D extends 'float64' ? Float64Array : Float32Array> {
  const op = 'allocSharedTensor';
  const dims = readShape(op, 'shape', shape);
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `dtype must be 'float32' or 'float64'; got ${show(dtype)}`);
  }
  const length = elementCount(op, 'shape', dims);
  checkAllocation(op, 'the tensor', length, BYTES_PER_ELEMENT[dtype]);
  const data = sharedOrPlainArray(dtype, length) as D extends 'float64' ? Float64Array : Float32Array;
  return { shape: Object.freeze(dims), data };
}

/** A copy of `x` in shared memory (ordinary memory where there is none, as `allocSharedTensor`). */
export function toSharedTensor<T extends FloatArray>(x: Tensor<T>): Tensor<T> {
  const op = 'toSharedTensor';
  const source = readTensor<T>(op, 'x', x);
  const dtype = dtypeOf(source.data);
  checkAllocation(op, 'the copy', source.data.length, BYTES_PER_ELEMENT[dtype]);
  const copy = sharedOrPlainArray(dtype, source.data.length) as T;
  copy.set(source.data);
  return { shape: Object.freeze([...source.shape]), data: copy };
}

/**
 * Starts the workers of `threads: count` now (optional: otherwise the first threaded call starts
 * them) and resolves to how many are ready: count - 1 at most, fewer where the machine has fewer
 * cores (see MIN_THREADS_CAP) or none where workers cannot run (`workersUnavailable()` says why).
 */
export function startWorkers(count: number): Promise<number> {
  try {
    return startPool(checkThreads('startWorkers', count, 'count'));
  } catch (error) {
    return Promise.reject(error);
  }
}

function elementType(data: FloatArray | Int32Array): ElementType {
  return data instanceof Float64Array ? 'float64' : data instanceof Int32Array ? 'int32' : 'float32';
}

/** Whether `data` lives in the shared WebAssembly memory (a WasmTensor's). */
function inSharedWasm(data: FloatArray | Int32Array): boolean {
  const shared = loadedSharedWasm();
  return shared !== undefined && !(data instanceof Int32Array) && residentAddress(shared.heap, data) !== undefined;
}

/** Whether workers can read and write `data` where it is. */
function isShared(data: FloatArray | Int32Array): boolean {
  return (typeof SharedArrayBuffer !== 'undefined' && data.buffer instanceof SharedArrayBuffer) || inSharedWasm(data);
}

/** A span of a shared array, relative to the array (which may itself be a view at an offset). */
function spanOf(data: FloatArray | Int32Array, span: Span): SharedSpan {
  return {
    buffer: inSharedWasm(data) ? SHARED_WASM_MEMORY : (data.buffer as SharedArrayBuffer),
    type: elementType(data),
    offset: data.byteOffset / data.BYTES_PER_ELEMENT + span.offset,
    length: span.length,
  };
}

/**
 * The workers' spans of a caller's array: in place when it is shared, else packed into one fresh
 * shared array (only the workers' parts: the calling thread reads its own part in place).
 */
function workerSpans(data: FloatArray, spans: readonly Span[]): SharedSpan[] {
  if (isShared(data)) return spans.map((span) => spanOf(data, span));
  const packed = sharedArray(dtypeOf(data), spans.reduce((sum, span) => sum + span.length, 0));
  let at = 0;
  return spans.map((span) => {
    packed.set(data.subarray(span.offset, span.offset + span.length), at);
    const shared = spanOf(packed, { offset: at, length: span.length });
    at += span.length;
    return shared;
  });
}

function slice<T extends FloatArray | Int32Array>(data: T, span: Span): T {
  return data.subarray(span.offset, span.offset + span.length) as T;
}

/**
 * The parts to run `plan` on, or undefined to run it on the calling thread. The first call asks
 * for the workers and runs alone; calls after they are ready split.
 */
function partsFor(inner: Backend, plan: PoolPlan, threads: number, direction: Direction): Part[] | undefined {
  if (readyWorkers() < threads - 1) void startPool(threads).catch(() => undefined);
  const usable = Math.min(threads, readyWorkers() + 1);
  if (usable < 2) return undefined;
  const parts = splitPlan(plan, usable, direction);
  if (!parts || !workersCanRun(inner.name, parts.length - 1)) return undefined;
  return parts.every((part) => inner.supports(part.plan)) ? parts : undefined;
}

function jobBase(inner: Backend, direction: Direction, part: Part): Pick<Job, 'direction' | 'backend' | 'request' | 'indexOffset'> {
  return { direction, backend: inner.name, request: part.request, indexOffset: part.indexOffset };
}

/** The parts' forward into `y` (shared), or into a new shared array. */
function forward(inner: Backend, parts: readonly Part[], plan: PoolPlan, x: Tensor, wantsIndices: boolean, target?: FloatArray): ForwardResult {
  const [own, ...others] = parts as [Part, ...Part[]];
  const y = target ?? sharedArray(dtypeOf(x.data), plan.batch * plan.channels * plan.outputSpatialSize);
  const indices = wantsIndices && plan.reducer.op === 'max' ? new Int32Array(new SharedArrayBuffer(y.length * 4)) : undefined;
  const inputs = workerSpans(x.data, others.map((part) => part.input));
  const jobs: Job[] = others.map((part, i) => ({
    ...jobBase(inner, 'forward', part),
    x: inputs[i]!,
    y: spanOf(y, part.output),
    ...(indices ? { indices: spanOf(indices, part.output) } : {}),
  }));
  dispatch(jobs, () =>
    runForwardPart(
      inner,
      own.plan,
      {
        x: slice(x.data, own.input),
        y: slice(y, own.output),
        ...(indices ? { indices: slice(indices, own.output) } : {}),
      },
      own.indexOffset,
    ),
  );
  return indices ? { y, indices } : { y };
}

function backward(inner: Backend, parts: readonly Part[], plan: PoolPlan, dy: Tensor, x: Tensor | undefined): FloatArray {
  const [own, ...others] = parts as [Part, ...Part[]];
  const dx = sharedArray(dtypeOf(dy.data), plan.batch * plan.channels * plan.inputSpatialSize);
  const gradients = workerSpans(dy.data, others.map((part) => part.output));
  const inputs = x ? workerSpans(x.data, others.map((part) => part.input)) : undefined;
  const jobs: Job[] = others.map((part, i) => ({
    ...jobBase(inner, 'backward', part),
    dy: gradients[i]!,
    dx: spanOf(dx, part.input),
    ...(inputs ? { x: inputs[i]! } : {}),
  }));
  dispatch(jobs, () =>
    runBackwardPart(inner, own.plan, {
      dy: slice(dy.data, own.output),
      dx: slice(dx, own.input),
      ...(x ? { x: slice(x.data, own.input) } : {}),
    }),
  );
  return dx;
}

/**
 * The thread count to run `plan` with: 1 when its work would not repay a dispatch to even one
 * worker, so that small calls skip the threads wrapper altogether.
 */
export function threadsWorthIt(plan: PoolPlan, threads: number): number {
  return threads > 1 && partsWorthIt(plan, threads) >= 2 ? threads : 1;
}

/**
 * `inner` on up to `threads` threads. The returned backend names itself after what its last run
 * did: `inner.name` when it ran alone, `inner.name` + ' x' + parts when it split. Without
 * `wantsIndices`, a split max forward leaves the indices of the maxima out of its result.
 */
export function withThreads(inner: Backend, threads: number, wantsIndices = true): Backend {
  if (threads <= 1) return inner;
  let split = 1;
  return {
    get name() {
      return split > 1 ? `${inner.name} x${split}` : inner.name;
    },
    supports: (plan) => inner.supports(plan),
    forward(plan, x) {
      const parts = partsFor(inner, plan, threads, 'forward');
      split = parts?.length ?? 1;
      return parts ? forward(inner, parts, plan, x, wantsIndices) : inner.forward(plan, x);
    },
    /** Splits only when workers can write `y` where it is; else the calling thread runs alone. */
    forwardInto(plan, x, y, withIndices = true) {
      const parts = isShared(y) ? partsFor(inner, plan, threads, 'forward') : undefined;
      split = parts?.length ?? 1;
      if (parts) return forward(inner, parts, plan, x, withIndices, y).indices;
      if (inner.forwardInto) return inner.forwardInto(plan, x, y, withIndices);
      const result = inner.forward(plan, x);
      y.set(result.y);
      return withIndices ? result.indices : undefined;
    },
    backward(plan, dy, x) {
      const parts = partsFor(inner, plan, threads, 'backward');
      split = parts?.length ?? 1;
      const input = plan.reducer.op === 'avg' ? undefined : x;
      return parts ? backward(inner, parts, plan, dy, input) : inner.backward(plan, dy, x);
    },
  };
}

export { readyWorkers, workersUnavailable };
