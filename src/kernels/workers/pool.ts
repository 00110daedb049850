/**
 * The main thread's side of the pooling workers: start them, post jobs, wait for them.
 *
 * A dispatch posts each worker its job (plain data plus SharedArrayBuffers) on a MessagePort, bumps
 * the worker's control word and wakes it with Atomics.notify; the worker takes the job with
 * receiveMessageOnPort, so nothing waits on an event loop (~25-30 us per dispatch here). The main
 * thread computes its own part meanwhile, then polls briefly for the workers' parts (only while
 * there are no more threads than cores: polling would otherwise steal a worker's core) and sleeps
 * in Atomics.wait. Workers are unref'd, so a process exits without any
 * teardown. Node only: where node:worker_threads is missing, no worker ever becomes ready and every
 * call runs on the calling thread (same results).
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { sharedWasm } from '../wasm/runtime.js';
import { CONTROL, type Job, type WorkerFailure, type WorkerReady } from './protocol.js';

type WorkerThreads = typeof import('node:worker_threads');

interface Slot {
  readonly worker: Worker;
  readonly control: Int32Array;
  /** The main thread's end of the job channel. */
  readonly port: MessagePort;
  readonly backends: ReadonlySet<string>;
}

/** Longest a dispatch waits for a worker before giving up (a wedged worker must not hang forever). */
const WORKER_TIMEOUT_MS = 120_000;

const slots: Slot[] = [];
let starting: Promise<void> | undefined;
let startingCount = 0;
let threads: WorkerThreads | undefined;
let unavailable: string | undefined;

/** Cores this process may run on (known once workers can start). */
let cores = 1;

async function loadWorkerThreads(): Promise<WorkerThreads | undefined> {
  if (threads || unavailable) return threads;
  try {
    threads = await import('node:worker_threads');
    const os = await import('node:os');
    cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } catch (error) {
    unavailable = error instanceof Error ? error.message : String(error);
  }
  return threads;
}

function spawn(api: WorkerThreads): Promise<Slot> {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.length * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new api.MessageChannel();
  // Workers inherit the process's flags, but --input-type (from `node --input-type=module -e`)
  // would stop a worker that is a file from loading; an explicit list is checked more strictly
  // (--expose-gc is refused), so it is given only then, empty.
  const flags = globalThis.process?.execArgv ?? [];
  const worker = new api.Worker(new URL('./worker.js', import.meta.url), {
    ...(flags.some((flag) => flag.startsWith('--input-type')) ? { execArgv: [] } : {}),
    workerData: { control: control.buffer, port: port2, wasmMemory: sharedWasm()?.memory },
    transferList: [port2],
  });
  worker.unref();
  port1.unref();
  return new Promise<Slot>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    worker.once('error', onError);
    worker.once('message', (message: WorkerReady) => {
      worker.off('error', onError);
      // A worker that dies later is taken out of service; dispatches never reach it again.
      worker.once('exit', () => {
        const at = slots.findIndex((slot) => slot.worker === worker);
        if (at >= 0) slots.splice(at, 1);
      });
      worker.on('error', () => {});
      resolve({ worker, control, port: port1, backends: new Set(message.backends) });
    });
  });
}

/**
 * Starts workers until `count - 1` are ready (the calling thread is the count's last one).
 * Resolves once they are; later calls with `threads: count` then split their work.
 */
export async function startWorkers(count: number): Promise<number> {
  const wanted = Math.max(0, count - 1);
  while (slots.length + startingCount < wanted || starting) {
    if (starting) {
      await starting;
      continue;
    }
    if (unavailable) break;
    const api = await loadWorkerThreads();
    if (!api) break;
    const more = wanted - slots.length;
    if (more <= 0) break;
    startingCount = more;
    starting = Promise.all(Array.from({ length: more }, () => spawn(api)))
      .then((ready) => {
        slots.push(...ready);
      })
      .catch((error: unknown) => {
        // A worker that cannot start now will not start later (a bundle without worker.js, a
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
    Atomics.wait(slot.control, CONTROL.finished, finished, left);
  }
}

/**
 * Runs `jobs[i]` on worker i and `onThisThread` here, and returns when all are done. A failure
 * anywhere is thrown after every part has stopped, so no worker still writes into the result.
 */
export function dispatch(jobs: readonly Job[], onThisThread: () => void): void {
  if (jobs.length > slots.length) throw new Error(`${jobs.length} parts for ${slots.length} pooling workers`);
  const used = slots.slice(0, jobs.length);
  const numbers = used.map((slot, i) => {
    slot.port.postMessage(jobs[i]);
    const number = Atomics.add(slot.control, CONTROL.posted, 1) + 1;
    Atomics.notify(slot.control, CONTROL.posted);
    return number;
  });
  let failure: unknown;
  try {
    onThisThread();
  } catch (error) {
    failure = error;
  }
  used.forEach((slot, i) => {
    try {
      waitFor(slot, numbers[i]!, jobs.length < cores);
      if (Atomics.load(slot.control, CONTROL.failed) !== 0) {
        const message = threads!.receiveMessageOnPort(slot.port)?.message as WorkerFailure | undefined;
        throw new Error(`a pooling worker failed: ${message?.error ?? 'no message'}`);
      }
    } catch (error) {
      failure ??= error;
    }
  });
  if (failure !== undefined) throw failure;
}
