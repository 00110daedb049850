/**
 * The platforms pooling workers run on: Node's worker_threads (host-node.ts) and browsers' module
 * Web Workers (host-web.ts), chosen by the `#worker-host` condition in package.json, so a browser
 * build never sees a `node:` import. Both share memory with the calling thread (SharedArrayBuffers
 * and the shared WebAssembly memory) and report through the same control block; they differ in
 * how a worker starts, how a job reaches it, and whether the calling thread may sleep while it
 * waits.
 */
import type { Job, WasmModules } from './protocol.js';

/** The main thread's handle on one started worker. */
export interface WorkerHandle {
  /** Hands the worker job number `number`; called before the number is published in the control block. */
  post(job: Job, number: number): void;
}

export interface StartedWorker {
  readonly handle: WorkerHandle;
  /** The backends the worker can run: the main thread only hands it those. */
  readonly backends: readonly string[];
}

export interface WorkerHost {
  readonly platform: 'node' | 'web';
  /** Cores this process may run on. */
  readonly cores: number;
  /** Whether the calling thread may sleep in Atomics.wait (a browser page's main thread may not). */
  readonly canSleep: boolean;
  /**
   * Starts a worker over the shared memory, with the main thread's compiled kernels (absent where
   * wasm cannot run); `onExit` runs if it dies after it was ready.
   */
  spawn(
    control: SharedArrayBuffer,
    wasmMemory: WebAssembly.Memory | undefined,
    wasmModules: WasmModules | undefined,
    onExit: () => void,
  ): Promise<StartedWorker>;
}
