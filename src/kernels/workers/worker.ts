/**
 * A pooling worker (Node worker_threads). It joins the main thread's shared WebAssembly memory,
 * starts the same backends as the main thread, says which it has, then sleeps in Atomics.wait
 * until the main thread posts a job: it rebuilds the sub-plan with `makePlan`, runs it with the
 * named single-thread backend on views of shared memory, and reports through the control block.
 * It keeps no job's buffers once the job is done.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { backendNames, init, selectBackend } from '../../index.js';
import { makePlan, type PoolPlan } from '../../plan/plan.js';
import { joinSharedWasmMemory, sharedWasm } from '../wasm/runtime.js';
import { CONTROL, viewOf as spanView, type Job, type SharedSpan, type WorkerFailure, type WorkerReady } from './protocol.js';
import { runBackwardPart, runForwardPart } from './run-part.js';

interface WorkerData {
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
  /** The main thread's shared WebAssembly memory, where its WasmTensors live (absent without one). */
  readonly wasmMemory?: WebAssembly.Memory;
}

const { control: controlBuffer, port, wasmMemory } = workerData as WorkerData;
const control = new Int32Array(controlBuffer);
if (wasmMemory) joinSharedWasmMemory(wasmMemory);

function viewOf(span: SharedSpan): Float32Array | Float64Array | Int32Array {
  return spanView(span, () => {
    const shared = sharedWasm();
    if (!shared) throw new Error('a job names the shared WebAssembly memory, which this worker has not joined');
    return shared.heap.buffer;
  });
}

/** Repeated calls on the same shapes reuse their sub-plans; a few shapes are enough. */
const plans = new Map<string, PoolPlan>();
const PLAN_CACHE_SIZE = 16;

function planFor(job: Job): PoolPlan {
  const key = JSON.stringify(job.request);
  let plan = plans.get(key);
  if (!plan) {
    plan = makePlan(job.request);
    if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  }
  return plan;
}

function run(job: Job): void {
  const plan = planFor(job);
  const backend = selectBackend(plan, job.backend);
  if (job.direction === 'forward') {
    runForwardPart(
      backend,
      plan,
      {
        x: viewOf(job.x!) as Float32Array | Float64Array,
        y: viewOf(job.y!) as Float32Array | Float64Array,
        ...(job.indices ? { indices: viewOf(job.indices) as Int32Array } : {}),
      },
      job.indexOffset,
    );
  } else {
    runBackwardPart(backend, plan, {
      dy: viewOf(job.dy!) as Float32Array | Float64Array,
      dx: viewOf(job.dx!) as Float32Array | Float64Array,
      ...(job.x ? { x: viewOf(job.x) as Float32Array | Float64Array } : {}),
    });
  }
}

function serve(): never {
  // Not the current value: the main thread may post its first job between our ready message and
  // this line, and that job must not be mistaken for one already seen.
  let seen = 0;
  for (;;) {
    Atomics.wait(control, CONTROL.posted, seen);
    const posted = Atomics.load(control, CONTROL.posted);
    if (posted === seen) continue;
    seen = posted;
    // The job was posted before the control block was bumped, so it is already queued.
    const received = receiveMessageOnPort(port);
    let failed = 0;
    try {
      if (!received) throw new Error('no job on the port');
      run(received.message as Job);
    } catch (error) {
      failed = 1;
      const failure: WorkerFailure = { error: error instanceof Error ? error.message : String(error) };
      port.postMessage(failure);
    }
    Atomics.store(control, CONTROL.failed, failed);
    Atomics.store(control, CONTROL.finished, seen);
    Atomics.notify(control, CONTROL.finished);
  }
}

await init();
const ready: WorkerReady = { ready: true, backends: backendNames() };
parentPort!.postMessage(ready);
serve();
