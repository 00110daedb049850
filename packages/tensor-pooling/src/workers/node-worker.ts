/**
 * A pooling worker on Node's worker_threads. It joins the main thread's shared WebAssembly memory,
 * starts the same backends as the main thread, says which it has, then sleeps in Atomics.wait
 * until the main thread posts a job, which it takes from its port with receiveMessageOnPort (no
 * event loop turn between a job and its start).
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { backendNames, selectBackend } from '../backends.js';
import { init } from '../init.js';
import { joinSharedWasmMemory, useCompiledModules } from '../kernels/wasm/runtime.js';
import { CONTROL, type Job, type WasmModules, type WorkerReady } from '../kernels/workers/protocol.js';
import { runJob } from '../kernels/workers/run-job.js';

interface WorkerData {
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
  /** The main thread's shared WebAssembly memory, where its WasmTensors live (absent without one). */
  readonly wasmMemory?: WebAssembly.Memory;
  /** The kernels the main thread compiled. */
  readonly wasmModules?: WasmModules;
}

const { control: controlBuffer, port, wasmMemory, wasmModules } = workerData as WorkerData;
const control = new Int32Array(controlBuffer);
if (wasmMemory) joinSharedWasmMemory(wasmMemory);
if (wasmModules) useCompiledModules(wasmModules);

function serve(): never {
  // Not the current value: the main thread may post its first job between our ready message and
  // this line, and that job must not be mistaken for one already seen.
  let seen = 0;
  for (;;) {
    Atomics.wait(control, CONTROL.posted, seen);
    const posted = Atomics.load(control, CONTROL.posted);
    if (posted === seen) continue;
    seen = posted;
    // The job was posted before its number was published, so it is already queued.
    runJob(control, seen, receiveMessageOnPort(port)?.message as Job | undefined, selectBackend);
  }
}

await init();
const ready: WorkerReady = { ready: true, backends: backendNames() };
parentPort!.postMessage(ready);
serve();
