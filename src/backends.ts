/**
 * Which kernel executes a plan. Every backend runs the same plan and must give the reference's
 * results; selection never changes a result, only how fast it arrives.
 */
import { PoolingError, show } from './plan/errors.js';
import { checkPlan, type PoolPlan } from './plan/plan.js';
import { referenceBackward, referenceForward, type ForwardResult } from './kernels/reference/reference.js';
import { geometry3d, jsBackward, jsForward } from './kernels/js/windows-3d.js';
import { runningAverageApplies, runningAverageForward } from './kernels/js/running-average.js';
import { wasmBackend } from './kernels/wasm/wasm-backend.js';
import { readCallerValue, type FloatArray, type Tensor } from './tensor.js';

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

export const referenceBackend: Backend = {
  name: 'reference',
  supports: () => true,
  forward: referenceForward,
  backward: referenceBackward,
};

export const jsBackend: Backend = {
  name: 'js',
  supports: (plan) => plan.axes.length <= 3,
  forward: (plan, x) => {
    const g = geometry3d(plan)!;
    return runningAverageApplies(plan, x, g)
      ? { y: runningAverageForward(plan, x as Tensor<Float32Array>, g) }
      : jsForward(plan, x, g);
  },
  backward: (plan, dy, x) => jsBackward(plan, dy, x, geometry3d(plan)!),
};

/** Fastest first; 'auto' takes the first that is available and supports the plan. */
const registry: Backend[] = [wasmBackend, jsBackend, referenceBackend];

export type BackendChoice = 'auto' | string;

const BACKEND_METHODS = ['supports', 'forward', 'backward'] as const;
const OPTIONAL_METHODS = ['available', 'prepare', 'forwardInto'] as const;

/**
 * Adds a backend ahead of the built-in ones, or replaces the one of the same name. It must have a
 * name (1-64 characters) and the methods of `Backend`; they are read once, so the registered
 * backend is a frozen copy that later changes to the caller's object do not reach.
 */
export function registerBackend(backend: Backend): void {
  const op = 'registerBackend';
  if (typeof backend !== 'object' || backend === null) {
    throw new PoolingError('INVALID_PARAMETER', op, `backend must be an object with a name and the Backend methods; got ${show(backend)}`);
  }
  const copy = readCallerValue(op, 'backend', () => {
    const read: Record<string, unknown> = { name: backend.name };
    for (const method of [...BACKEND_METHODS, ...OPTIONAL_METHODS]) read[method] = backend[method];
    return read;
  });
  const name = copy.name;
  if (typeof name !== 'string' || name.length < 1 || name.length > 64 || name === 'auto') {
    throw new PoolingError('INVALID_PARAMETER', op, `backend.name must be a string of 1 to 64 characters other than 'auto'; got ${show(name)}`);
  }
  for (const method of BACKEND_METHODS) {
    if (typeof copy[method] !== 'function') {
      throw new PoolingError('INVALID_PARAMETER', op, `backend.${method} must be a function; got ${show(copy[method])}`);
    }
  }
  for (const method of OPTIONAL_METHODS) {
    if (copy[method] !== undefined && typeof copy[method] !== 'function') {
      throw new PoolingError('INVALID_PARAMETER', op, `backend.${method} must be a function when given; got ${show(copy[method])}`);
    }
  }
  const bound: Record<string, unknown> = { name };
  for (const method of [...BACKEND_METHODS, ...OPTIONAL_METHODS]) {
    const fn = copy[method];
    if (typeof fn === 'function') bound[method] = fn.bind(backend);
  }
  const existing = registry.findIndex((b) => b.name === name);
  if (existing >= 0) registry.splice(existing, 1);
  registry.unshift(Object.freeze(bound) as unknown as Backend);
}

export function backendNames(): string[] {
  return registry.map((b) => b.name);
}

export function selectBackend(plan: PoolPlan, choice: BackendChoice = 'auto'): Backend {
  checkPlan('selectBackend', 'plan', plan);
  if (choice === 'auto') return registry.find((b) => (b.available?.() ?? true) && b.supports(plan))!;
  const backend = registry.find((b) => b.name === choice);
  if (!backend) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      plan.op,
      `backend must be 'auto' or one of ${registry.map((b) => show(b.name)).join(', ')}; got ${show(choice)}`,
    );
  }
  if (backend.prepare) {
    try {
      backend.prepare();
    } catch (error) {
      throw new PoolingError(
        'UNSUPPORTED_OPTION',
        plan.op,
        `backend ${show(choice)} cannot start here (${error instanceof Error ? error.message : String(error)}); use backend 'auto'`,
      );
    }
  }
  if (!backend.supports(plan)) {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      plan.op,
      `backend ${show(choice)} cannot run this plan (${plan.axes.length} spatial axes, ${plan.reducer.op}); use backend 'auto'`,
    );
  }
  return backend;
}
