/**
 * `threads: n` as every call sees it: the option's check, and the threads code (threaded.ts, the
 * pool, the split, the hosts) loaded only when a call first asks for more than one thread, so a
 * program that never does carries none of it. The call that first asks runs on the calling thread
 * while the code loads and the workers start; calls after the workers are ready split. Await
 * `startWorkers(n)` first to have the first threaded call split too.
 */
import type { Backend } from '../backend.js';
import { PoolingError, show } from '../../plan/errors.js';
import type { PoolPlan } from '../../plan/plan.js';

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

type Threaded = typeof import('./threaded.js');

let threaded: Threaded | undefined;
let loading: Promise<Threaded> | undefined;

function loadThreaded(): Promise<Threaded> {
  loading ??= import('./threaded.js').then((module) => (threaded = module));
  return loading;
}

/**
 * `inner` on up to `threads` threads (`threads` checked by checkThreads). Before the threads code
 * has loaded, `inner` alone, and the code loads and starts the workers meanwhile.
 */
export function onThreads(inner: Backend, plan: PoolPlan, threads: number, wantsIndices: boolean): Backend {
  if (threads <= 1) return inner;
  if (threaded === undefined) {
    void loadThreaded()
      .then((module) => module.startWorkers(threads))
      .catch(() => undefined);
    return inner;
  }
  return threaded.withThreads(inner, threaded.threadsWorthIt(plan, threads), wantsIndices);
}

/**
 * Starts the workers of `threads: count` now (optional: otherwise the first threaded call starts
 * them) and resolves to how many are ready: count - 1 at most, fewer where the machine has fewer
 * cores (at least 4 threads are allowed) or none where workers cannot run (`workersUnavailable()`
 * says why).
 *
 * @param count - The `threads` the calls will ask for: an integer from 1 to 256.
 * @returns How many workers are ready.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `count` is not an integer from 1 to 256.
 * @example
 * ```js
 * import { allocSharedTensor, avgPool, startWorkers } from 'tensor-pooling';
 *
 * console.log(await startWorkers(4));
 * // prints: 3
 * const x = allocSharedTensor([8, 16, 64, 64]);
 * x.data.forEach((_, i) => (x.data[i] = i % 7));
 * const split = avgPool(x, { kernel: 2, threads: 4 });
 * const single = avgPool(x, { kernel: 2 });
 * console.log(split.data.every((v, i) => v === single.data[i]));
 * // prints: true
 * ```
 * @category Backends and threads
 */
export async function startWorkers(count: number): Promise<number> {
  const threads = checkThreads('startWorkers', count, 'count');
  return (await loadThreaded()).startWorkers(threads);
}

/**
 * Why `threads: n` runs on the calling thread alone here, or undefined where workers can run (or
 * have not failed yet): known before anything starts where the platform itself rules them out (a
 * page that is not cross-origin isolated has no SharedArrayBuffer), and after a failed start
 * otherwise.
 * @returns The reason, or undefined.
 * @category Backends and threads
 */
export function workersUnavailable(): string | undefined {
  const scope = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } }; Worker?: unknown };
  if (typeof SharedArrayBuffer === 'undefined' || scope.crossOriginIsolated === false) {
    return (
      'workers need SharedArrayBuffer: serve the page cross-origin isolated ' +
      '(Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)'
    );
  }
  if (typeof scope.process?.versions?.node !== 'string' && typeof scope.Worker !== 'function') {
    return 'this platform has neither worker_threads nor Web Workers';
  }
  return threaded?.workersUnavailable();
}
