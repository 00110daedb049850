/**
 * The contract every backend implements (reference, js, wasm, the threads wrapper, and backends a
 * caller registers): execute a plan, forward and backward. Kernels depend on this and on the plan;
 * which backend runs a call is decided above them (src/backends.ts).
 */
import type { PoolPlan } from '../plan/plan.js';
import type { FloatArray, Tensor } from '../tensor.js';

/**
 * What a {@link Backend}'s `forward` returns.
 * @category Backends and threads
 */
export interface ForwardResult {
  /** The output's elements: the plan's output length, of the input's dtype. */
  readonly y: FloatArray;
  /** Max pooling: per-plane flat spatial index of each output's maximum, -1 for an empty window. */
  readonly indices?: Int32Array;
}

/**
 * What executes a plan: the built-in reference, js and wasm kernels, and backends a caller adds
 * with {@link registerBackend}. A backend only executes: the plan says every window, divisor and
 * output size, and every backend must give the reference's results (tests hold the built-in ones
 * to that). The library checks what a backend returns (an array of the output's dtype and length)
 * and refuses anything else with `UNSUPPORTED_OPTION`.
 * @category Backends and threads
 */
export interface Backend {
  /** The name `backend` options and {@link backendNames} use: 1 to 64 characters, not 'auto'. */
  readonly name: string;
  /**
   * False when this backend cannot run the plan (rank, op, size): selection moves on.
   * @param plan - The plan about to run.
   */
  supports(plan: PoolPlan): boolean;
  /**
   * Runs the plan forward.
   * @param plan - The plan; `x` has its input shape.
   * @param x - The input, checked: its data holds exactly the plan's input elements.
   * @returns The output's elements, and for max plans the indices of the maxima.
   */
  forward(plan: PoolPlan, x: Tensor): ForwardResult;
  /**
   * Runs the plan backward: the gradient of the input from the gradient of the output.
   * @param plan - The plan of the forward pass.
   * @param dy - The gradient of the output, of the plan's output shape.
   * @param x - The forward input; average plans do not read it (undefined there).
   * @returns dL/dx: the plan's input length, of `dy`'s dtype.
   */
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
   * @param plan - The plan; `x` has its input shape.
   * @param x - The input.
   * @param y - Where the output goes.
   * @param withIndices - Max plans: whether to return the indices of the maxima (default true).
   * @returns The indices of the maxima for max plans with `withIndices`, else undefined.
   */
  forwardInto?(plan: PoolPlan, x: Tensor, y: FloatArray, withIndices?: boolean): Int32Array | undefined;
}
