/**
 * A worker thread of `batch`: pools the files it is sent, one at a time, and answers each with
 * the result or the failure's message. All pooling goes through poolFile, as for `pool`.
 */
import { parentPort } from 'node:worker_threads';
import { init } from 'tensor-pooling';
import { describeFailure } from './errors.js';
import { poolFile, type PoolFileOptions } from './pool-file.js';

export interface BatchJob {
  readonly index: number;
  readonly input: string;
  readonly output: string;
  readonly options: PoolFileOptions;
}

export type BatchReply =
  | { readonly index: number; readonly ok: true; readonly bytesRead: number }
  | { readonly index: number; readonly ok: false; readonly message: string; readonly stack?: string };

// The WebAssembly kernels compile once per worker; until then 'auto' runs the JS kernels.
const ready = init();

parentPort?.on('message', async (job: BatchJob) => {
  let reply: BatchReply;
  try {
    await ready;
    const result = await poolFile(job.input, job.output, job.options);
    reply = { index: job.index, ok: true, bytesRead: result.bytesRead };
  } catch (error) {
    reply = {
      index: job.index,
      ok: false,
      message: describeFailure(error, job.input).message,
      stack: error instanceof Error ? error.stack : undefined,
    };
  }
  parentPort!.postMessage(reply);
});
