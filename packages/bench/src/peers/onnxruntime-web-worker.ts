/**
 * A worker thread holding one onnxruntime-web instance. Its wasm backend takes the thread count
 * once per instance (`env.wasm.numThreads`, read when the first session starts it), so each
 * thread count the bench compares gets a worker of its own. Runs are timed here, where they run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import type { BenchCase } from '../cases.js';
import { poolingModel } from './onnx-model.js';
import type { WebReply, WebRequest, WebThreadInfo } from './onnxruntime-web.js';

const { threads } = workerData as { threads: number };
ort.env.wasm.numThreads = threads;

const sessions = new Map<number, { session: ort.InferenceSession; feeds: Record<string, ort.Tensor>; output: string }>();

const PROBE: BenchCase = { id: 'probe', title: '2x2 average', op: 'avg', shape: [1, 1, 2, 2], kernel: [2, 2], stride: [2, 2] };

/**
 * Whether a run writes into a preallocated CPU output: the average of 1, 2, 3, 4 into an array
 * that holds 0. (onnxruntime-web 1.30's wasm backend leaves it untouched: microsoft/onnxruntime#25786.)
 */
async function writesPassedOutput(): Promise<boolean> {
  const session = await ort.InferenceSession.create(poolingModel(PROBE, 'static'), { executionProviders: ['wasm'] });
  try {
    const passed = new Float32Array(1);
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.of(1, 2, 3, 4), [...PROBE.shape]) };
    await session.run(feeds, { [session.outputNames[0]!]: new ort.Tensor('float32', passed, [1, 1, 1, 1]) });
    return passed[0] === 2.5;
  } finally {
    await session.release();
  }
}

async function handle(request: WebRequest): Promise<unknown> {
  switch (request.kind) {
    case 'start': {
      // The first session starts the wasm backend, which lowers numThreads where threads cannot run.
      const writes = await writesPassedOutput();
      const info: WebThreadInfo = {
        version: ort.env.versions.web ?? 'unknown',
        requestedThreads: threads,
        threads: ort.env.wasm.numThreads ?? 1,
        writesPassedOutput: writes,
      };
      return info;
    }
    case 'prepare': {
      const session = await ort.InferenceSession.create(request.model, { executionProviders: ['wasm'] });
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', request.input, request.shape) };
      sessions.set(request.id, { session, feeds, output: session.outputNames[0]! });
      return undefined;
    }
    case 'run': {
      const { session, feeds, output } = sessions.get(request.id)!;
      const started = performance.now();
      for (let i = 0; i < request.calls; i++) void (await session.run(feeds))[output]!.data;
      return performance.now() - started;
    }
    case 'result': {
      const { session, feeds, output } = sessions.get(request.id)!;
      return (await session.run(feeds))[output]!.data;
    }
    case 'release': {
      await sessions.get(request.id)?.session.release();
      sessions.delete(request.id);
      return undefined;
    }
  }
}

parentPort!.on('message', (request: WebRequest) => {
  handle(request).then(
    (value) => parentPort!.postMessage({ seq: request.seq, value } satisfies WebReply),
    (error: unknown) => parentPort!.postMessage({ seq: request.seq, error: error instanceof Error ? error.message : String(error) } satisfies WebReply),
  );
});
