/**
 * onnxruntime-web's wasm backend in Node, the peer that host arrays are judged against: like our
 * wasm backend it copies its input into WebAssembly memory and its output out, and it is what
 * browser users run. Its wasm files come from the package itself (nothing is downloaded). With 2
 * threads it runs a pthread pool of Node worker threads (SharedArrayBuffer and shared WebAssembly
 * memory need no cross-origin isolation in Node). Each thread count lives in a worker thread of its
 * own (see onnxruntime-web-worker.ts); the static-shape model, default session options (its graph
 * optimisations have no blocked-channel kernels to switch to in wasm).
 */
import { Worker } from 'node:worker_threads';
import type { BenchCase } from '../cases.js';
import { poolingModel } from './onnx-model.js';
import type { Peer } from './peer.js';

/** What a worker thread found when it started its onnxruntime-web instance. */
export interface WebThreadInfo {
  readonly version: string;
  readonly requestedThreads: number;
  /** The threads it runs with: 1 where the environment cannot run more (it falls back with a warning). */
  readonly threads: number;
  /** Whether `session.run(feeds, fetches)` writes into a preallocated CPU output. */
  readonly writesPassedOutput: boolean;
}

export type WebRequestBody =
  | { readonly kind: 'start' }
  | { readonly kind: 'prepare'; readonly id: number; readonly model: Uint8Array; readonly input: Float32Array; readonly shape: readonly number[] }
  | { readonly kind: 'run'; readonly id: number; readonly calls: number }
  | { readonly kind: 'result' | 'release'; readonly id: number };

/** `seq` pairs a reply with its request. */
export type WebRequest = WebRequestBody & { readonly seq: number };

export interface WebReply {
  readonly seq: number;
  readonly value?: unknown;
  readonly error?: string;
}

class WebThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private seq = 0;
  /** Set once the worker is gone: later questions fail at once rather than wait for ever. */
  private gone: Error | undefined;
  readonly info: Promise<WebThreadInfo>;

  constructor(threads: number) {
    this.worker = new Worker(new URL('./onnxruntime-web-worker.js', import.meta.url), { workerData: { threads } });
    this.worker.on('message', (reply: WebReply) => {
      const waiter = this.waiting.get(reply.seq)!;
      this.waiting.delete(reply.seq);
      if (reply.error === undefined) waiter.resolve(reply.value);
      else waiter.reject(new Error(reply.error));
    });
    this.worker.on('error', (error) => this.fail(error));
    // A worker that exits without an error (an abort in the wasm runtime) would leave its questions unanswered.
    this.worker.on('exit', (code) => this.fail(new Error(`onnxruntime-web's worker thread exited (code ${code})`)));
    this.info = this.ask({ kind: 'start' }) as Promise<WebThreadInfo>;
  }

  private fail(error: Error): void {
    this.gone ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }

  ask(body: WebRequestBody, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject });
      this.worker.postMessage({ ...body, seq }, transfer);
    });
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}

const threadsByCount = new Map<number, WebThread>();
let nextId = 0;

function webThread(threads: number): WebThread {
  let thread = threadsByCount.get(threads);
  if (!thread) threadsByCount.set(threads, (thread = new WebThread(threads)));
  return thread;
}

/** What each worker thread started so far found (for the report). */
export async function onnxRuntimeWebInfo(): Promise<WebThreadInfo[]> {
  return Promise.all([...threadsByCount.values()].map((t) => t.info));
}

/** Ends the worker threads (they would keep the process alive). */
export async function closeOnnxRuntimeWeb(): Promise<void> {
  await Promise.all([...threadsByCount.values()].map((t) => t.terminate()));
  threadsByCount.clear();
}

/** A host run: `session.run` up to the new output array; the runs are timed in the worker. */
export function onnxRuntimeWeb(threads: number): Peer {
  return {
    label: `onnxruntime-web ${threads}t`,
    library: 'onnxruntime-web',
    threads,
    contest: 'host',
    output: 'fresh',
    async prepare(c: BenchCase, x: Float32Array) {
      const thread = webThread(threads);
      const info = await thread.info;
      if (info.threads !== threads) throw new Error(`onnxruntime-web runs ${info.threads} thread(s) here, not ${threads}`);
      const id = nextId++;
      const input = x.slice();
      await thread.ask({ kind: 'prepare', id, model: poolingModel(c, 'static'), input, shape: [...c.shape] }, [input.buffer]);
      const calls = c.callsPerRun ?? 1;
      return {
        run: () => thread.ask({ kind: 'run', id, calls }),
        selfTimed: true,
        result: async () => (await thread.ask({ kind: 'result', id })) as Float32Array,
        release: async () => void (await thread.ask({ kind: 'release', id })),
      };
    },
  };
}
