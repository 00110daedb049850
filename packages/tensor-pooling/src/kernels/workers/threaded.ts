/**
 * `threads: n`: a backend that runs another backend on parts of a plan, one part on the calling
 * thread and the others on workers, over shared memory. Each part is the single-thread backend on a
 * sub-plan of whole planes, samples or output rows, or a run of a global average's fixed chunks
 * (see split.ts), so the result is the same bits as the single-thread run. Plans too small to
 * repay a dispatch, and calls made before the workers are ready, run on the calling thread alone.
 *
 * Inputs that live in a SharedArrayBuffer (see `allocSharedTensor`) or in the shared WebAssembly
 * memory (WasmTensors) are read in place; others have the workers' share copied into shared memory
 * first. Outputs are allocated in shared memory, or written in place by `forwardInto` when the
 * caller's output is shared.
 */
import type { Backend, ForwardResult } from '../backend.js';
import type { PoolPlan } from '../../plan/plan.js';
import { dtypeOf, type DType, type FloatArray, type Tensor } from '../../tensor.js';
import { loadedSharedWasm } from '../wasm/runtime.js';
import { globalAverageChunk, globalAverageOfChunkSums, residentAddress, wasmBackend } from '../wasm/wasm-backend.js';
import { dispatch, readyWorkers, startWorkers as startPool, workersCanRun, workersUnavailable } from './pool.js';
import { SHARED_WASM_MEMORY, type ElementType, type Job, type PlanJob, type SharedSpan } from './protocol.js';
import { runBackwardPart, runChunkSumsPart, runForwardPart } from './run-part.js';
import { Payoff } from './payoff.js';
import { sharedArray } from './shared-tensors.js';
import { partsWorthIt, splitWork, type ChunkPart, type Direction, type Part, type PlaneChunks, type Span, type Split, type SplitContext } from './split.js';


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
 * Bytes of staging kept between calls, per role: a fresh SharedArrayBuffer faults in each of its
 * pages on first touch (~15 us a page on these VMs, more under load), which for case A's 6.4 MB
 * share took 25-35 ms against the 1.1 ms of the whole call on one thread. 16 MiB holds the
 * workers' share of every bench case (I's is 12.8 MB); larger shares get a fresh buffer each time.
 */
const STAGING_KEPT_BYTES = 16 << 20;

/** The kept staging buffers, by role: a backward pass stages its gradient and its input at once. */
const staging: (SharedArrayBuffer | undefined)[] = [];

/** A shared array to copy the workers' share into: a kept buffer's start when it fits. */
function stagingArray(type: DType, length: number, role: number): FloatArray {
  const bytes = length * (type === 'float64' ? 8 : 4);
  if (bytes > STAGING_KEPT_BYTES) return sharedArray(type, length);
  let buffer = staging[role];
  if (!buffer || buffer.byteLength < bytes) staging[role] = buffer = new SharedArrayBuffer(bytes);
  return type === 'float64' ? new Float64Array(buffer, 0, length) : new Float32Array(buffer, 0, length);
}

/**
 * The workers' spans of a caller's array: in place when it is shared, else packed into a staging
 * array of `role` (only the workers' parts: the calling thread reads its own part in place). Calls
 * are synchronous and never nest a dispatch, so a kept staging buffer serves one call at a time.
 */
function workerSpans(data: FloatArray, spans: readonly Span[], role = 0): SharedSpan[] {
  if (isShared(data)) return spans.map((span) => spanOf(data, span));
  const packed = stagingArray(dtypeOf(data), spans.reduce((sum, span) => sum + span.length, 0), role);
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

/** A plan's split for one thread count, direction and kind of input, and how its splits paid. */
interface Planned {
  readonly split: Split | undefined;
  readonly payoff: Payoff;
}

/**
 * Splits already made, by plan (the plan cache hands repeated calls the same plan): making one
 * builds a sub-plan per part, and a fresh sub-plan on this thread also has its window tables packed
 * and staged again by the wasm backend, 0.05-0.15 ms a call on cases B and C.
 */
const planned = new WeakMap<PoolPlan, Map<string, Planned>>();

function plannedSplit(plan: PoolPlan, threads: number, direction: Direction, context: SplitContext): Planned {
  let byKey = planned.get(plan);
  if (!byKey) planned.set(plan, (byKey = new Map()));
  const key = `${threads} ${direction} ${context.globalChunk} ${context.copiedInputRivalsKernel}`;
  let entry = byKey.get(key);
  if (!entry) byKey.set(key, (entry = { split: splitWork(plan, threads, direction, context), payoff: new Payoff() }));
  return entry;
}

/** The calling thread's own part in the last dispatch, in milliseconds. */
let ownMs = 0;

/**
 * How to split `plan` on `x` (and the record its split's payoff goes to), or undefined to run it on
 * the calling thread: the first call asks for the workers and runs alone, calls after they are
 * ready split, unless the plan's splits have stopped paying (payoff.ts).
 */
function splitFor(inner: Backend, plan: PoolPlan, x: FloatArray, threads: number, direction: Direction): Planned | undefined {
  if (readyWorkers() < threads - 1) void startPool(threads).catch(() => undefined);
  const usable = Math.min(threads, readyWorkers() + 1);
  if (usable < 2) return undefined;
  const wasm = inner === wasmBackend;
  const entry = plannedSplit(plan, usable, direction, {
    globalChunk: wasm ? globalAverageChunk(plan, x) : undefined,
    copiedInputRivalsKernel: wasm && !isShared(x),
  });
  const { split } = entry;
  if (!split || !workersCanRun(inner.name, split.parts.length - 1)) return undefined;
  if (split.by === 'plans' && !split.parts.every((part) => inner.supports(part.plan))) return undefined;
  return entry.payoff.maySplit() ? entry : undefined;
}

/** Runs a split call and records whether it paid. */
function timed<T>(entry: Planned, run: () => T): T {
  const start = performance.now();
  const result = run();
  entry.payoff.record(ownMs, performance.now() - start, entry.split!.parts.length);
  return result;
}

function jobBase(inner: Backend, direction: Direction, part: Part): Pick<PlanJob, 'direction' | 'backend' | 'request' | 'indexOffset'> {
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
  ownMs = dispatch(jobs, () =>
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

/**
 * A global average cut by chunks: every thread sums its run of chunks into float64 slots, then
 * this thread adds each plane's slots in chunk order, so the bits are one thread's whatever the cut.
 * Only this thread writes `y`, which need not be shared.
 */
function forwardByChunks(parts: readonly ChunkPart[], chunks: PlaneChunks, plan: PoolPlan, x: Float32Array, target?: FloatArray): FloatArray {
  const [own, ...others] = parts as [ChunkPart, ...ChunkPart[]];
  const planes = plan.batch * plan.channels;
  const sums = sharedArray('float64', planes * chunks.chunksPerPlane) as Float64Array;
  const inputs = workerSpans(x, others.map((part) => part.input));
  const jobs: Job[] = others.map((part, i) => ({
    direction: 'chunk-sums',
    x: inputs[i]!,
    sums: spanOf(sums, { offset: part.first, length: part.end - part.first }),
    firstChunk: part.first,
    chunks,
  }));
  ownMs = dispatch(jobs, () => runChunkSumsPart(slice(x, own.input), sums.subarray(own.first, own.end), own.first, chunks));
  const y = target ?? new Float32Array(planes);
  globalAverageOfChunkSums(plan, sums, y);
  return y;
}

function backward(inner: Backend, parts: readonly Part[], plan: PoolPlan, dy: Tensor, x: Tensor | undefined): FloatArray {
  const [own, ...others] = parts as [Part, ...Part[]];
  const dx = sharedArray(dtypeOf(dy.data), plan.batch * plan.channels * plan.inputSpatialSize);
  const gradients = workerSpans(dy.data, others.map((part) => part.output));
  const inputs = x ? workerSpans(x.data, others.map((part) => part.input), 1) : undefined;
  const jobs: Job[] = others.map((part, i) => ({
    ...jobBase(inner, 'backward', part),
    dy: gradients[i]!,
    dx: spanOf(dx, part.input),
    ...(inputs ? { x: inputs[i]! } : {}),
  }));
  ownMs = dispatch(jobs, () =>
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
      const entry = splitFor(inner, plan, x.data, threads, 'forward');
      const how = entry?.split;
      split = how?.parts.length ?? 1;
      if (!entry || !how) return inner.forward(plan, x);
      if (how.by === 'chunks') return timed(entry, () => ({ y: forwardByChunks(how.parts, how.chunks, plan, x.data as Float32Array) }));
      return timed(entry, () => forward(inner, how.parts, plan, x, wantsIndices));
    },
    /**
     * Splits only when workers can write `y` where it is, or when they need not (a global average
     * cut by chunks); else the calling thread runs alone.
     */
    forwardInto(plan, x, y, withIndices = true) {
      const entry = splitFor(inner, plan, x.data, threads, 'forward');
      const how = entry?.split;
      const usable = how?.by === 'chunks' || (how !== undefined && isShared(y)) ? how : undefined;
      split = usable?.parts.length ?? 1;
      if (entry && usable?.by === 'chunks') {
        timed(entry, () => forwardByChunks(usable.parts, usable.chunks, plan, x.data as Float32Array, y));
        return undefined;
      }
      if (entry && usable?.by === 'plans') return timed(entry, () => forward(inner, usable.parts, plan, x, withIndices, y)).indices;
      if (inner.forwardInto) return inner.forwardInto(plan, x, y, withIndices);
      const result = inner.forward(plan, x);
      y.set(result.y);
      return withIndices ? result.indices : undefined;
    },
    backward(plan, dy, x) {
      const entry = splitFor(inner, plan, dy.data, threads, 'backward');
      const parts = entry?.split?.by === 'plans' ? entry.split.parts : undefined;
      split = parts?.length ?? 1;
      const input = plan.reducer.op === 'avg' ? undefined : x;
      return entry && parts ? timed(entry, () => backward(inner, parts, plan, dy, input)) : inner.backward(plan, dy, x);
    },
  };
}

export { readyWorkers, startPool as startWorkers, workersUnavailable };
