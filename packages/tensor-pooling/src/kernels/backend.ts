/**
 * The contract every backend implements (reference, js, wasm, the threads wrapper, and backends a
 * caller registers): execute a plan, forward and backward. Kernels depend on this and on the plan;
 * which backend runs a call is decided above them (src/backends.ts).
 */
import type { PoolPlan } from '../plan/plan.js';
import type { FloatArray, Tensor } from '../tensor.js';

export interface ForwardResult {
  readonly y: FloatArray;
  /** Max pooling: per-plane flat spatial index of each output's maximum, -1 for an empty window. */
  readonly indices?: Int32Array;
}

export interface Backend {
  readonly name: string;
  /** False when this backend cannot run the plan (rank, op, size): selection moves on. */
  supports(plan: PoolPlan): boolean;
  forward(plan: PoolPlan, x: Tensor): ForwardResult;
  /** `x` is the forward input; average plans do not read it. */
  backward(plan: PoolPlan, dy: Tensor, x: Tensor | undefined): FloatArray;
  /**
   * Whether 'auto' may pick this backend now; absent means always. The wasm backend is available
   * once `init()` has compiled it, so 'auto' never blocks on a compile.
   */
  available?(): boolean;
  /** Synchronous start-up before an explicit use (`backend: 'wasm'`); throws where impossible. */
  prepare?(): void;
  /**
   * Forward into a caller's output array `y` (the output's length and the input's dtype), written
   * in place where the backend can (the wasm backend, for arrays in wasm memory: zero copy).
   * Returns the indices of the maxima for max plans, unless `withIndices` is false (default true).
   */
  forwardInto?(plan: PoolPlan, x: Tensor, y: FloatArray, withIndices?: boolean): Int32Array | undefined;
}
