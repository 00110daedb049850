/**
 * The platforms pooling workers run on: Node's worker_threads and browsers' module Web Workers.
 * Both share memory with the calling thread (SharedArrayBuffers and the shared WebAssembly
 * memory) and report through the same control block; they differ in how a worker starts, how a
 * job reaches it, and whether the calling thread may sleep while it waits.
 */
import type { Job, WebJob, WebWorkerSetup, WorkerReady } from './protocol.js';

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
  /** Starts a worker; `onExit` runs if it dies after it was ready. */
  spawn(control: SharedArrayBuffer, wasmMemory: WebAssembly.Memory | undefined, onExit: () => void): Promise<StartedWorker>;
}

function threadMaySleep(): boolean {
  try {
    // Returns 'not-equal' at once where sleeping is allowed, throws where it is not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

async function nodeHost(): Promise<WorkerHost> {
  const api = await import('node:worker_threads');
  const os = await import('node:os');
  return {
    platform: 'node',
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    canSleep: true,
    spawn(control, wasmMemory, onExit) {
      const { port1, port2 } = new api.MessageChannel();
      // Workers inherit the process's flags, but --input-type (from `node --input-type=module -e`)
      // would stop a worker that is a file from loading; an explicit list is checked more strictly
      // (--expose-gc is refused), so it is given only then, empty.
      const flags = globalThis.process?.execArgv ?? [];
      const worker = new api.Worker(new URL('./node-worker.js', import.meta.url), {
        ...(flags.some((flag) => flag.startsWith('--input-type')) ? { execArgv: [] } : {}),
        workerData: { control, port: port2, wasmMemory },
        transferList: [port2],
      });
      // Unref'd: a process exits without any teardown.
      worker.unref();
      port1.unref();
      return new Promise<StartedWorker>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        worker.once('error', onError);
        worker.once('message', (message: WorkerReady) => {
          worker.off('error', onError);
          worker.once('exit', onExit);
          worker.on('error', () => {});
          resolve({ handle: { post: (job) => port1.postMessage(job) }, backends: message.backends });
        });
      });
    },
  };
}

interface WebWorkerLike {
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
  postMessage(message: unknown): void;
}

/** The browser's Worker, named as bundlers look for it (`new Worker(new URL(..., import.meta.url))`). */
declare const Worker: (new (url: URL, options: { type: 'module' }) => WebWorkerLike) | undefined;

function webHost(): WorkerHost {
  const scope = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (typeof Worker !== 'function') throw new Error('this platform has neither worker_threads nor Web Workers');
  if (typeof SharedArrayBuffer === 'undefined' || scope.crossOriginIsolated === false) {
    throw new Error(
      'Web Workers need SharedArrayBuffer: serve the page cross-origin isolated ' +
        '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)',
    );
  }
  return {
    platform: 'web',
    cores: scope.navigator?.hardwareConcurrency ?? 1,
    canSleep: threadMaySleep(),
    spawn(control, wasmMemory) {
      // A literal URL beside this module, the pattern bundlers follow to emit the worker too (Vite's build does).
      const worker = new Worker(new URL('./web-worker.js', import.meta.url), { type: 'module' });
      return new Promise<StartedWorker>((resolve, reject) => {
        worker.onerror = (event) => reject(new Error(`a pooling Web Worker did not start: ${event.message || 'failed to load'}`));
        worker.onmessage = (event: MessageEvent<WorkerReady>) => {
          worker.onmessage = null;
          // A browser worker stays until the page goes; errors after this are the jobs' own, reported per job.
          worker.onerror = null;
          resolve({
            handle: { post: (job, number) => worker.postMessage({ job, number } satisfies WebJob) },
            backends: event.data.backends,
          });
        };
        worker.postMessage({ control, ...(wasmMemory ? { wasmMemory } : {}) } satisfies WebWorkerSetup);
      });
    },
  };
}

/** This platform's workers; throws why there are none. */
export async function loadWorkerHost(): Promise<WorkerHost> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  return isNode ? nodeHost() : webHost();
}
