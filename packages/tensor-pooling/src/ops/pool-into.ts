/**
 * `poolInto`: a plan run forward into an output the caller holds, by the wasm kernels. With
 * WasmTensors in and out nothing is copied (see kernels/wasm/zero-copy.ts).
 */
import { PoolingError, show } from '../plan/errors.js';
import { checkPlan, type PoolPlan } from '../plan/plan.js';
import { checkBoolean, readOptions } from '../plan/validate.js';
import { dtypeOf, readTensor, sameShape, stillCovers, type FloatArray, type Tensor } from '../tensor.js';
import { loadedSharedWasm, loadedWasm } from '../kernels/wasm/runtime.js';
import { inWasmMemory, residentAddress, wasmBackend } from '../kernels/wasm/wasm-backend.js';
import { runtimeFor } from '../kernels/wasm/zero-copy.js';
import { checkThreads, onThreads } from '../kernels/workers/threads.js';
import { recordRun, runStarted, stopIfCapturing } from './observe.js';

/**
 * {@link poolInto}'s options.
 * @category Plans
 */
export interface PoolIntoOptions {
  /** Max plans: also return the maxima's per-plane indices (computing them costs more than the values alone). */
  readonly withIndices?: boolean;
  /**
   * Threads to split the work across (the calling thread and n - 1 workers, see `startWorkers`).
   * WasmTensors in shared memory are pooled in place by every thread; same bits as one thread. An
   * input outside shared memory runs as the ops' `threads` option says (a plan that reads each
   * value once stays on the calling thread); an output outside shared memory keeps the call on the
   * calling thread, except for a float32 global average of planes over 2^16 values, which only the
   * calling thread writes.
   */
  readonly threads?: number;
}

const POOL_INTO_KEYS = ['withIndices', 'threads'] as const;

/**
 * `out` is written in place: it must not overlap `x` (an input is never written), and when it is a
 * view of WebAssembly memory it must lie inside one WasmTensor (other parts of that memory hold
 * the kernels' window tables and scratch). Aliases the library cannot see (a cloned
 * SharedArrayBuffer over the same memory) are the caller's to avoid.
 */
function checkWritable(op: string, x: FloatArray, out: FloatArray): void {
  if (x.buffer === out.buffer && x.byteOffset < out.byteOffset + out.byteLength && out.byteOffset < x.byteOffset + x.byteLength) {
    throw new PoolingError('INVALID_PARAMETER', op, `out overlaps x in memory; the input is never written: give out memory of its own`);
  }
  const host = loadedWasm();
  const shared = loadedSharedWasm();
  const outside = (heap: NonNullable<typeof host>['heap']) => inWasmMemory(heap, out) && residentAddress(heap, out) === undefined;
  if ((host && outside(host.heap)) || (shared && outside(shared.heap))) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `out is a view of WebAssembly memory outside every WasmTensor; write into a WasmTensor (allocWasmTensor) or an ordinary array`,
    );
  }
}

/**
 * Runs `plan` forward with the wasm kernels, writing into `out`, an output the caller holds (and
 * may reuse from call to call). When `x` and `out` are {@link WasmTensor}s nothing is copied in or
 * out. In Node the wasm kernels load synchronously if {@link init} has not loaded them; in a
 * browser, await {@link init} first.
 *
 * @param plan - A plan made by {@link planAvgPool}, {@link planMaxPool} or {@link planLpPool} (or
 *   seen by {@link planOfCall}), of at most 3 spatial axes.
 * @param x - The input, of the plan's input shape: an ordinary tensor or a WasmTensor. Never written.
 * @param out - The output, of the plan's output shape and `x`'s dtype: an ordinary tensor or a
 *   WasmTensor, not overlapping `x`.
 * @param options - `withIndices` and `threads`, or `withIndices` alone as a boolean.
 * @returns With `withIndices` on a max plan, the maxima's per-plane indices; else undefined.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `plan` is not a plan this library made, a tensor or option is not what it
 *   must be, `out` overlaps `x`, or `out` is a view of wasm memory outside every WasmTensor;
 * - `UNSUPPORTED_DTYPE`: a tensor's data is not a Float32Array or Float64Array, or `out`'s dtype
 *   is not `x`'s;
 * - `DATA_LENGTH_MISMATCH`: a tensor's data does not hold the product of its shape's elements;
 * - `SHAPE_MISMATCH`: `x` or `out` does not have the plan's input or output shape;
 * - `UNSUPPORTED_OPTION`: the plan has more than 3 spatial axes, or the wasm kernels cannot load
 *   here (no WebAssembly SIMD, or a browser before {@link init}).
 * @example
 * ```js
 * import { allocWasmTensor, init, planAvgPool, poolInto, toWasmTensor, tensor } from 'tensor-pooling';
 *
 * await init();
 * const plan = planAvgPool([1, 1, 4, 4], { kernel: 2 });
 * const x = toWasmTensor(tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i)));
 * const out = allocWasmTensor(plan.outputShape);
 * poolInto(plan, x, out);
 * console.log(Array.from(out.data));
 * // prints: [ 2.5, 4.5, 10.5, 12.5 ]
 * x.free();
 * out.free();
 * ```
 * @category Plans
 */
export function poolInto(plan: PoolPlan, x: Tensor, out: Tensor, options?: PoolIntoOptions | boolean): Int32Array | undefined {
  const op = 'poolInto';
  checkPlan(op, 'plan', plan);
  // Options before tensors: no caller code may run between a tensor's check and the kernel.
  const read = typeof options === 'boolean' ? { withIndices: options } : readOptions(op, options, POOL_INTO_KEYS);
  const withIndices = read.withIndices === undefined ? false : checkBoolean(op, 'withIndices', read.withIndices);
  const threads = checkThreads(op, read.threads);
  const input = readTensor(op, 'x', x);
  const output = readTensor(op, 'out', out);
  if (!sameShape(input.shape, plan.inputShape)) {
    throw new PoolingError('SHAPE_MISMATCH', op, `x must have the plan's input shape ${show(plan.inputShape)}; got ${show(input.shape)}`);
  }
  if (!sameShape(output.shape, plan.outputShape)) {
    throw new PoolingError('SHAPE_MISMATCH', op, `out must have the plan's output shape ${show(plan.outputShape)}; got ${show(output.shape)}`);
  }
  if (dtypeOf(input.data) !== dtypeOf(output.data)) {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `out must have x's dtype ${dtypeOf(input.data)}; got ${dtypeOf(output.data)}`);
  }
  stopIfCapturing(plan);
  if (output.data.length === 0) return withIndices ? new Int32Array(0) : undefined;
  checkWritable(op, input.data, output.data);
  if (plan.axes.length > 3) {
    throw new PoolingError('UNSUPPORTED_OPTION', op, `the wasm kernels run at most 3 spatial axes; the plan has ${plan.axes.length}`);
  }
  runtimeFor(op);
  const backend = onThreads(wasmBackend, plan, threads, withIndices);
  if (!stillCovers(input) || !stillCovers(output)) {
    throw new PoolingError('DATA_LENGTH_MISMATCH', op, `a tensor's buffer was resized or detached during the call`);
  }
  const started = runStarted();
  const indices = backend.forwardInto!(plan, input, output.data, withIndices);
  recordRun(plan, backend.name, 'forward', started);
  return withIndices ? indices : undefined;
}
