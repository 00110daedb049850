/**
 * A pooling worker in a browser (a module Web Worker). Its first message brings the control block
 * and the page's shared WebAssembly memory; it starts the same backends as the page, says which it
 * has, then runs each job message as it arrives. A worker's event loop is free (unlike the page's
 * main thread, which waits for the parts by polling the control block), so jobs come as messages.
 */
import { backendNames, selectBackend } from '../backends.js';
import { init } from '../init.js';
import { joinSharedWasmMemory, useCompiledModules } from '../kernels/wasm/runtime.js';
import type { WebWorkerSetup, WebJob, WorkerReady } from '../kernels/workers/protocol.js';
import { runJob } from '../kernels/workers/run-job.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent) => void) | null;
  postMessage(message: unknown): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = (event: MessageEvent<WebWorkerSetup>) => {
  const { control: controlBuffer, wasmMemory, wasmModules } = event.data;
  const control = new Int32Array(controlBuffer);
  if (wasmMemory) joinSharedWasmMemory(wasmMemory);
  if (wasmModules) useCompiledModules(wasmModules);
  scope.onmessage = (message: MessageEvent<WebJob>) => runJob(control, message.data.number, message.data.job, selectBackend);
  void init().then(() => {
    const ready: WorkerReady = { ready: true, backends: backendNames() };
    scope.postMessage(ready);
  });
};
