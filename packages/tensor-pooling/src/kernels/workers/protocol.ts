/** What the main thread and a pooling worker say to each other. Plain data and shared memory only. */
import type { PlanRequest } from '../../plan/plan.js';
import type { Direction, PlaneChunks } from './split.js';

/**
 * Slots of a worker's control block (an Int32Array over a SharedArrayBuffer), followed by room for
 * a failure's message: the main thread reads it without waiting on any event loop (a browser's
 * main thread cannot receive a message synchronously).
 */
export const CONTROL = {
  /** Set by the main thread to a job's number once the job is on its way. */
  posted: 0,
  /** Set by the worker to the job's number when it has finished it. */
  finished: 1,
  /** 0 when the last job succeeded, else the length of its failure message (UTF-16 units). */
  failed: 2,
  /** Int32 slots in all: four, then the message's units two to a slot. */
  length: 4 + 256,
} as const;

/** Where the failure message starts: after the four int32 slots. */
const MESSAGE_BYTE = 16;
const MESSAGE_UNITS = (CONTROL.length - MESSAGE_BYTE / 4) * 2;

/** Records how the job ended: `error` undefined for success. Call before publishing `finished`. */
export function recordOutcome(control: Int32Array, error: unknown): void {
  if (error === undefined) {
    Atomics.store(control, CONTROL.failed, 0);
    return;
  }
  const text = (error instanceof Error ? error.message : String(error)).slice(0, MESSAGE_UNITS) || 'no message';
  const units = new Uint16Array(control.buffer, MESSAGE_BYTE, MESSAGE_UNITS);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  Atomics.store(control, CONTROL.failed, text.length);
}

/** The last job's failure message, or undefined when it succeeded. */
export function failureOf(control: Int32Array): string | undefined {
  const length = Atomics.load(control, CONTROL.failed);
  if (length === 0) return undefined;
  return String.fromCharCode(...new Uint16Array(control.buffer, MESSAGE_BYTE, length));
}

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

/** A part of a split plan: the single-thread backend on a sub-plan. */
export interface PlanJob {
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

/**
 * A run of a global average's chunks (see split.ts ChunkPart) summed by the wasm kernels: `x` holds
 * the run's values, `sums` (float64) gets one sum per chunk, in order.
 */
export interface ChunkSumsJob {
  readonly direction: 'chunk-sums';
  readonly x: SharedSpan;
  readonly sums: SharedSpan;
  readonly firstChunk: number;
  readonly chunks: PlaneChunks;
}

export type Job = PlanJob | ChunkSumsJob;

/** A Web Worker's first message: what a Node worker gets as its workerData. */
/** The kernels the main thread compiled, handed to a worker so it neither fetches nor reads them. */
export interface WasmModules {
  readonly own: WebAssembly.Module;
  readonly shared?: WebAssembly.Module;
}

export interface WebWorkerSetup {
  readonly control: SharedArrayBuffer;
  readonly wasmMemory?: WebAssembly.Memory;
  readonly wasmModules?: WasmModules;
}

/** A job as a Web Worker receives it, with its number (a Node worker reads the number from the control block). */
export interface WebJob {
  readonly number: number;
  readonly job: Job;
}

export interface WorkerReady {
  readonly ready: true;
  /** The backends this worker can run: the main thread only hands it those. */
  readonly backends: readonly string[];
}

/** A view of the span; `wasmMemory` is this thread's view of the shared WebAssembly memory. */
export function viewOf(span: SharedSpan, wasmMemory: () => ArrayBufferLike): Float32Array | Float64Array | Int32Array {
  const { offset, length } = span;
  const buffer = span.buffer === SHARED_WASM_MEMORY ? wasmMemory() : span.buffer;
  if (span.type === 'float64') return new Float64Array(buffer, offset * 8, length);
  return span.type === 'float32' ? new Float32Array(buffer, offset * 4, length) : new Int32Array(buffer, offset * 4, length);
}
