/**
 * tensor-pooling as a contender, three ways:
 * - 'op' (host arrays, fresh output): the public op with a backend and a thread count; each call
 *   plans (from the cache), runs and allocates its output;
 * - 'poolInto' (host arrays, output passed): the plan made once, run by `poolInto` into an ordinary
 *   typed array the caller holds, so no call faults in fresh pages;
 * - 'resident': `poolInto` on WasmTensors (tensors in WebAssembly memory, output preallocated), as
 *   onnxruntime's session with a preallocated output.
 */
import {
  allocSharedTensor,
  allocWasmTensor,
  avgPool,
  backendNames,
  globalAvgPool,
  maxPool,
  observeRuns,
  poolInto,
  toWasmTensor,
  wasmMemoryUse,
  type PoolPlan,
  type Tensor,
} from 'tensor-pooling';
import { elements, type BenchCase } from './cases.js';
import type { Run } from './measure.js';
import { opLabel, poolIntoLabel, residentLabel, type Contest, type OutputKind } from './results.js';

export type OurCall = 'op' | 'poolInto' | 'resident';

export interface OurConfig {
  readonly label: string;
  readonly call: OurCall;
  /** The backend asked for; `poolInto` always runs the wasm kernels. */
  readonly backend: string;
  readonly threads: number;
}

export function contestOf(call: OurCall): Contest {
  return call === 'resident' ? 'resident' : 'host';
}

export function outputOf(call: OurCall): OutputKind | undefined {
  return call === 'op' ? 'fresh' : call === 'poolInto' ? 'passed' : undefined;
}

/** Every backend a user can choose ('auto' too) with 1 and 2 threads, then poolInto both ways. */
export function ourConfigs(): OurConfig[] {
  const configs: OurConfig[] = [];
  for (const backend of [...backendNames(), 'auto']) {
    for (const threads of [1, 2]) configs.push({ label: opLabel(backend, threads), call: 'op', backend, threads });
  }
  if (backendNames().includes('wasm')) {
    for (const threads of [1, 2]) configs.push({ label: poolIntoLabel(threads), call: 'poolInto', backend: 'wasm', threads });
    for (const threads of [1, 2]) configs.push({ label: residentLabel(threads), call: 'resident', backend: 'wasm', threads });
  }
  return configs;
}

/**
 * The case's input twice: in a SharedArrayBuffer, which workers read in place (`threads: 2`), and
 * in an ordinary ArrayBuffer, what a single-thread caller has (V8 copies out of shared memory at
 * about half the speed of an ordinary copy, which the wasm backend's copy-in would pay).
 */
export interface CaseInput {
  readonly shared: Tensor<Float32Array>;
  readonly plain: Tensor<Float32Array>;
}

/** One call of the case's op through the public API. */
export function callOp(c: BenchCase, x: Tensor, backend: string, threads: number): Tensor {
  const common = { backend, threads };
  if (c.op === 'global-avg') return globalAvgPool(x, common);
  const window = { kernel: [...c.kernel!], stride: [...c.stride!], padding: c.padding ?? 0, ...common };
  return c.op === 'avg' ? avgPool(x, window) : maxPool(x, window);
}

export interface Prepared {
  readonly run: Run;
  /** Frees what preparing allocated (wasm tensors). */
  release(): void;
}

/** The plan the case's op runs (`planOfCall` would see it too): what a caller passes to `poolInto`. */
function planOf(c: BenchCase, x: Tensor): PoolPlan {
  return observeRuns(() => callOp(c, x, 'wasm', 1)).runs[0]!.plan;
}

/**
 * Two threads get their arrays in shared memory (`allocSharedTensor`), as the library's docs ask
 * of a caller who wants workers to read and write them in place; one thread gets ordinary arrays.
 */
export function prepareOurs(c: BenchCase, input: CaseInput, config: OurConfig): Prepared {
  const x = config.threads > 1 ? input.shared : input.plain;
  const options = { threads: config.threads };
  switch (config.call) {
    case 'op':
      return { run: () => callOp(c, x, config.backend, config.threads), release: () => undefined };
    case 'poolInto': {
      const plan = planOf(c, x);
      const output = config.threads > 1 ? allocSharedTensor(plan.outputShape) : { shape: plan.outputShape, data: new Float32Array(elements(plan.outputShape)) };
      return { run: () => poolInto(plan, x, output, options), release: () => undefined };
    }
    case 'resident': {
      const plan = planOf(c, x);
      const resident = toWasmTensor(x);
      const output = allocWasmTensor(plan.outputShape, 'float32');
      return {
        run: () => poolInto(plan, resident, output, options),
        release() {
          resident.free();
          output.free();
        },
      };
    }
  }
}


/**
 * The wasm heaps' peak of live blocks during one call (calling thread), above what was live before:
 * the wasm backend's copy-in and scratch live there, in pages that stay resident from earlier calls, so the
 * resident-set measurement cannot see them. (JS-side allocations are left to that measurement:
 * array-buffer counters lag behind the collector and cannot be read as a peak.)
 */
export function wasmScratchBytes(run: Run): number | undefined {
  const before = wasmMemoryUse({ resetPeak: true });
  if (before === undefined) return undefined;
  run();
  return wasmMemoryUse()!.peakLiveBytes - before.liveBytes;
}
