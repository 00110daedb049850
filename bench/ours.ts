/**
 * tensor-pooling as a contender: each case through the public ops with a backend and a thread
 * count, and the zero-copy wasm path (tensors in WebAssembly memory, plan made once).
 */
import {
  allocWasmTensor,
  avgPool,
  globalAvgPool,
  maxPool,
  observeRuns,
  poolInto,
  toWasmTensor,
  type Tensor,
} from '../src/index.js';
import { loadedWasm } from '../src/kernels/wasm/runtime.js';
import type { BenchCase } from './cases.js';
import type { Run } from './measure.js';

export interface OurConfig {
  readonly label: string;
  readonly backend: string;
  readonly threads: number;
  /** Input and output in wasm memory, the plan made once: `poolInto`. */
  readonly zeroCopy?: boolean;
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

export function prepareOurs(c: BenchCase, x: Tensor<Float32Array>, config: OurConfig): Prepared {
  if (!config.zeroCopy) {
    return { run: () => callOp(c, x, config.backend, config.threads), release: () => undefined };
  }
  const { plan } = observeRuns(() => callOp(c, x, 'wasm', 1)).runs[0]!;
  const input = toWasmTensor(x);
  const output = allocWasmTensor(plan.outputShape, 'float32');
  return {
    run: () => poolInto(plan, input, output),
    release() {
      input.free();
      output.free();
    },
  };
}

/**
 * What one call allocates on the calling thread at its peak: JS array buffers (outputs, scratch,
 * shared arrays) plus the wasm heap's peak of live blocks above what was live before (the wasm
 * backend's copy-in and scratch live there). Worker threads' own allocations are not included.
 */
export function allocatedBytes(run: Run): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  const heap = loadedWasm()?.heap;
  const baseLive = heap?.liveBytes ?? 0;
  let peakLive = baseLive;
  const alloc = heap?.alloc;
  if (heap && alloc) {
    heap.alloc = function (this: typeof heap, bytes: number): number {
      const ptr = alloc.call(this, bytes);
      peakLive = Math.max(peakLive, this.liveBytes);
      return ptr;
    };
  }
  const before = process.memoryUsage().arrayBuffers;
  try {
    const result = run();
    const after = process.memoryUsage().arrayBuffers;
    void result;
    return Math.max(0, after - before) + (peakLive - baseLive);
  } finally {
    if (heap && alloc) delete (heap as { alloc?: unknown }).alloc;
  }
}
