/**
 * Pooling workers in browsers: module Web Workers (the default condition of `#worker-host`).
 */
import type { WebJob, WebWorkerSetup, WorkerReady } from './protocol.js';
import type { StartedWorker, WorkerHost } from './worker-hosts.js';

function threadMaySleep(): boolean {
  try {
    // Returns 'not-equal' at once where sleeping is allowed, throws where it is not.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
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
    spawn(control, wasmMemory, wasmModules) {
      // A literal URL beside this module, the pattern bundlers follow to emit the worker too (Vite's build does).
      const worker = new Worker(new URL('./tensor-pooling-worker.js', import.meta.url), { type: 'module' });
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
        worker.postMessage({ control, ...(wasmMemory ? { wasmMemory } : {}), ...(wasmModules ? { wasmModules } : {}) } satisfies WebWorkerSetup);
      });
    },
  };
}

/** This platform's workers; throws why there are none. */
export function loadWorkerHost(): WorkerHost {
  return webHost();
}
