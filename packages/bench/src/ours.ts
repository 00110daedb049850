/**
 * tensor-pooling as a contender: each case through the public ops with a backend and a thread
 * count on host arrays (contest 'host'), and the zero-copy wasm path (contest 'resident': tensors in
 * WebAssembly memory, plan made once, output preallocated, as onnxruntime's session with a
 * preallocated output).
 */
import {
  allocWasmTensor,
  avgPool,
  globalAvgPool,
  maxPool,
  observeRuns,
  poolInto,
  toWasmTensor,
  wasmMemoryUse,
  type Tensor,
} from 'tensor-pooling';
import type { BenchCase } from './cases.js';
import type { Run } from './measure.js';
import type { Contest } from './results.js';

export interface OurConfig {
  readonly label: string;
  readonly backend: string;
  readonly threads: number;
  readonly contest: Contest;
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

export function prepareOurs(c: BenchCase, input: CaseInput, config: OurConfig): Prepared {
  const x = config.threads > 1 ? input.shared : input.plain;
  if (config.contest === 'host') {
    return { run: () => callOp(c, x, config.backend, config.threads), release: () => undefined };
  }
  const { plan } = observeRuns(() => callOp(c, x, 'wasm', 1)).runs[0]!;
  const resident = toWasmTensor(x);
  const output = allocWasmTensor(plan.outputShape, 'float32');
  const options = { threads: config.threads };
  return {
    run: () => poolInto(plan, resident, output, options),
    release() {
      resident.free();
      output.free();
    },
  };
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
