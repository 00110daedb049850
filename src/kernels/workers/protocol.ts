/** What the main thread and a pooling worker say to each other. Plain data and shared memory only. */
import type { PlanRequest } from '../../plan/plan.js';
import type { Direction } from './split.js';

/** Slots of a worker's control block (an Int32Array over a SharedArrayBuffer). */
export const CONTROL = {
  /** Bumped by the main thread when it has posted a job. */
  posted: 0,
  /** Set by the worker to the job's number when it has finished it. */
  finished: 1,
  /** 0 when the last job succeeded; 1 when it failed and its message waits on the port. */
  failed: 2,
  length: 4,
} as const;

export type ElementType = 'float32' | 'float64' | 'int32';

/** Where a span lies: a SharedArrayBuffer, or the shared WebAssembly memory every thread has joined. */
export const SHARED_WASM_MEMORY = 'shared-wasm-memory';

/** A range of a shared array, as elements of `type` from `offset`. */
export interface SharedSpan {
  readonly buffer: SharedArrayBuffer | typeof SHARED_WASM_MEMORY;
  readonly type: ElementType;
  readonly offset: number;
  readonly length: number;
}

export interface Job {
  readonly direction: Direction;
  /** The single-thread backend every part runs on, by name. */
  readonly backend: string;
  readonly request: PlanRequest;
  readonly indexOffset: number;
  readonly x?: SharedSpan;
  readonly y?: SharedSpan;
  readonly indices?: SharedSpan;
  readonly dy?: SharedSpan;
  readonly dx?: SharedSpan;
}

export interface WorkerReady {
  readonly ready: true;
  /** The backends this worker can run: the main thread only hands it those. */
  readonly backends: readonly string[];
}

export interface WorkerFailure {
  readonly error: string;
}

/** A view of the span; `wasmMemory` is this thread's view of the shared WebAssembly memory. */
export function viewOf(span: SharedSpan, wasmMemory: () => ArrayBufferLike): Float32Array | Float64Array | Int32Array {
  const { offset, length } = span;
  const buffer = span.buffer === SHARED_WASM_MEMORY ? wasmMemory() : span.buffer;
  if (span.type === 'float64') return new Float64Array(buffer, offset * 8, length);
  return span.type === 'float32' ? new Float32Array(buffer, offset * 4, length) : new Int32Array(buffer, offset * 4, length);
}
