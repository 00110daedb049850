/**
 * What every pooling worker does with a job, whichever platform started it (Node worker_threads
 * or a browser's Web Worker): rebuild the sub-plan with `makePlan`, run it with the named
 * single-thread backend on views of shared memory, and record the outcome in the control block.
 * It keeps no job's buffers once the job is done. The worker's entry (src/workers/) hands it the
 * backends it started: kernels do not choose backends.
 */
import type { Backend } from '../backend.js';
import { makePlan, type PoolPlan } from '../../plan/plan.js';
import { sharedWasm } from '../wasm/runtime.js';
import { CONTROL, SHARED_WASM_MEMORY, recordOutcome, viewOf as spanView, type Job, type PlanJob, type SharedSpan } from './protocol.js';
import { runBackwardPart, runChunkSumsPart, runForwardPart } from './run-part.js';

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

function planFor(job: PlanJob): PoolPlan {
  const key = JSON.stringify(job.request);
  let plan = plans.get(key);
  if (!plan) {
    plan = makePlan(job.request);
    if (plans.size >= PLAN_CACHE_SIZE) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  }
  return plan;
}

/** The backend of this name, ready for this plan. */
export type BackendFor = (plan: PoolPlan, name: string) => Backend;

/**
 * The job's spans in the shared WebAssembly memory, held as tensor ranges on this worker's heap
 * while `work` runs: the main thread found them inside its WasmTensors, and without the hold the
 * wasm backend here would stage them like host arrays (a copy in and out of this worker's scratch).
 */
function withLentSpans(job: Job, work: () => void): void {
  const heap = sharedWasm()?.heap;
  const spans = job.direction === 'chunk-sums' ? [job.x, job.sums] : [job.x, job.y, job.indices, job.dy, job.dx];
  const lent = spans
    .filter((span): span is SharedSpan => span?.buffer === SHARED_WASM_MEMORY)
    .map((span) => ({ ptr: span.offset * BYTES[span.type], bytes: span.length * BYTES[span.type] }))
    // A range this heap holds already stays held after the job.
    .filter(({ ptr, bytes }) => heap !== undefined && !heap.holdsTensorRange(ptr, bytes));
  if (!heap || lent.length === 0) return work();
  for (const { ptr, bytes } of lent) heap.holdTensor(ptr, bytes);
  try {
    work();
  } finally {
    for (const { ptr } of lent) heap.forgetTensor(ptr);
  }
}

const BYTES = { float32: 4, float64: 8, int32: 4 } as const;

function run(job: Job, backendFor: BackendFor): void {
  if (job.direction === 'chunk-sums') {
    runChunkSumsPart(viewOf(job.x) as Float32Array, viewOf(job.sums) as Float64Array, job.firstChunk, job.chunks);
    return;
  }
  const plan = planFor(job);
  const backend = backendFor(plan, job.backend);
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

/**
 * Runs job number `number` (absent when it never arrived) and tells the main thread it is done;
 * a failure is reported, never thrown, so the worker lives on for the next job.
 */
export function runJob(control: Int32Array, number: number, job: Job | undefined, backendFor: BackendFor): void {
  let error: unknown;
  try {
    if (!job) throw new Error('no job on the port');
    withLentSpans(job, () => run(job, backendFor));
  } catch (caught) {
    error = caught ?? 'unknown error';
  }
  recordOutcome(control, error);
  Atomics.store(control, CONTROL.finished, number);
  Atomics.notify(control, CONTROL.finished);
}
