/**
 * The main thread's side of the pooling workers: start them, post jobs, wait for them.
 *
 * A dispatch hands each worker its job (plain data plus shared memory), publishes the job's number
 * in the worker's control block and wakes it with Atomics.notify (~25-30 us per dispatch on Node,
 * where nothing waits on an event loop; see worker-hosts.ts for browsers). The calling thread
 * computes its own part meanwhile, then polls briefly for the workers' parts (only while there
 * are no more threads than cores: polling would otherwise steal a worker's core) and sleeps in
 * Atomics.wait, or keeps polling where it may not sleep (a browser page's main thread). Where no
 * worker can start, no worker ever becomes ready and every call runs on the calling thread (same
 * results).
 */
import { compiledModules, sharedWasm, wasmSupported } from '../wasm/runtime.js';
import type { WasmModules } from './protocol.js';

/** The kernels compiled here, for the workers (none where wasm cannot run: workers run JS then). */
async function wasmModules(): Promise<WasmModules | undefined> {
  if (!wasmSupported()) return undefined;
  try {
    return await compiledModules();
  } catch {
    return undefined;
  }
}
import { CONTROL, failureOf, type Job } from './protocol.js';
import type { WorkerHandle, WorkerHost } from './worker-hosts.js';

interface Slot {
  readonly control: Int32Array;
  readonly handle: WorkerHandle;
  readonly backends: ReadonlySet<string>;
}

/** Longest a dispatch waits for a worker before giving up (a wedged worker must not hang forever). */
const WORKER_TIMEOUT_MS = 120_000;

const slots: Slot[] = [];
let starting: Promise<void> | undefined;
let startingCount = 0;
let host: WorkerHost | undefined;
let unavailable: string | undefined;

async function loadHost(): Promise<WorkerHost | undefined> {
  if (host || unavailable) return host;
  try {
    // Loaded only when workers are asked for: Node's worker_threads or the page's Web Workers.
    host = (await import('#worker-host')).loadWorkerHost();
  } catch (error) {
    unavailable = error instanceof Error ? error.message : String(error);
  }
  return host;
}

async function spawn(platform: WorkerHost): Promise<Slot> {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.length * Int32Array.BYTES_PER_ELEMENT));
  let slot: Slot | undefined;
  // A worker that dies later is taken out of service; dispatches never reach it again.
  const onExit = () => {
    const at = slot ? slots.indexOf(slot) : -1;
    if (at >= 0) slots.splice(at, 1);
  };
  const memory = sharedWasm()?.memory;
  const started = await platform.spawn(control.buffer as SharedArrayBuffer, memory, await wasmModules(), onExit);
  slot = { control, handle: started.handle, backends: new Set(started.backends) };
  return slot;
}

/**
 * Threads beyond the machine's cores add no speed, and each worker costs its own engine instance
 * (~10 MB): `threads: n` uses at most max(cores, this) threads, so a typo cannot start thousands.
 */
export const MIN_THREADS_CAP = 4;

/** How many threads `threads: n` really uses here: n, capped by the machine (see MIN_THREADS_CAP). */
export function threadsCap(platform: WorkerHost): number {
  return Math.max(Math.floor(platform.cores) || 1, MIN_THREADS_CAP);
}

/**
 * Starts workers until `count - 1` are ready (the calling thread is the count's last one), but
 * never more than threadsCap - 1. `count` is a validated integer (see threaded.ts). Resolves once
 * they are; later calls with `threads: count` then split their work.
 */
export async function startWorkers(count: number): Promise<number> {
  let wanted = Math.max(0, count - 1);
  while (slots.length + startingCount < wanted || starting) {
    if (starting) {
      await starting;
      continue;
    }
    if (unavailable) break;
    const platform = await loadHost();
    if (!platform) break;
    wanted = Math.min(wanted, threadsCap(platform) - 1);
    const more = wanted - slots.length;
    if (more <= 0) break;
    startingCount = more;
    starting = Promise.all(Array.from({ length: more }, () => spawn(platform)))
      .then((ready) => {
        slots.push(...ready);
      })
      .catch((error: unknown) => {
        // A worker that cannot start now will not start later (a bundle without the worker module, a
        // sandbox): stop asking, and keep running on the calling thread.
        unavailable = error instanceof Error ? error.message : String(error);
      })
      .finally(() => {
        starting = undefined;
        startingCount = 0;
      });
  }
  return slots.length;
}

/** Workers ready to take a job now. */
export function readyWorkers(): number {
  return slots.length;
}

/** Whether every one of the first `count` workers can run `backend`. */
export function workersCanRun(backend: string, count: number): boolean {
  return slots.length >= count && slots.slice(0, count).every((slot) => slot.backends.has(backend));
}

/** Why workers cannot start on this platform, if they cannot. */
export function workersUnavailable(): string | undefined {
  return unavailable;
}

/**
 * How long the calling thread polls for a worker's part before sleeping: on a VM, a thread that
 * sleeps lets its virtual CPU halt, and waking it again costs a few hundred microseconds, as much
 * as a whole part of a small call. Polling only ever waits on work already running elsewhere.
 */
const POLL_BEFORE_SLEEP_MS = 2;

function waitFor(slot: Slot, job: number, poll: boolean): void {
  const pollUntil = poll ? performance.now() + POLL_BEFORE_SLEEP_MS : 0;
  while (Atomics.load(slot.control, CONTROL.finished) !== job && performance.now() < pollUntil);
  const deadline = Date.now() + WORKER_TIMEOUT_MS;
  for (;;) {
    const finished = Atomics.load(slot.control, CONTROL.finished);
    if (finished === job) return;
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`a pooling worker did not finish its part within ${WORKER_TIMEOUT_MS} ms`);
    if (host!.canSleep) Atomics.wait(slot.control, CONTROL.finished, finished, left);
  }
}

/**
 * Runs `jobs[i]` on worker i and `onThisThread` here, and returns when all are done, with the
 * milliseconds `onThisThread` took (see payoff.ts). A failure anywhere is thrown after every part
 * has stopped, so no worker still writes into the result.
 */
export function dispatch(jobs: readonly Job[], onThisThread: () => void): number {
  if (jobs.length > slots.length) throw new Error(`${jobs.length} parts for ${slots.length} pooling workers`);
  const used = slots.slice(0, jobs.length);
  const numbers = used.map((slot, i) => {
    // Only this thread writes `posted`.
    const number = Atomics.load(slot.control, CONTROL.posted) + 1;
    slot.handle.post(jobs[i]!, number);
    Atomics.store(slot.control, CONTROL.posted, number);
    Atomics.notify(slot.control, CONTROL.posted);
    return number;
  });
  let failure: unknown;
  const ownStart = performance.now();
  try {
    onThisThread();
  } catch (error) {
    failure = error;
  }
  const ownMs = performance.now() - ownStart;
  used.forEach((slot, i) => {
    try {
      waitFor(slot, numbers[i]!, jobs.length < host!.cores);
      const message = failureOf(slot.control);
      if (message !== undefined) throw new Error(`a pooling worker failed: ${message}`);
    } catch (error) {
      failure ??= error;
    }
  });
  if (failure !== undefined) throw failure;
  return ownMs;
}
