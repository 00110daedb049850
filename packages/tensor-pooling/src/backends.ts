/**
 * Which kernel executes a plan. Every backend runs the same plan and must give the reference's
 * results; selection never changes a result, only how fast it arrives.
 */
import { PoolingError, show } from './plan/errors.js';
import { checkPlan, type PoolPlan } from './plan/plan.js';
import { referenceBackward, referenceForward } from './kernels/reference/reference.js';
import type { Backend } from './kernels/backend.js';
import { geometry3d, jsBackward, jsForward } from './kernels/js/windows-3d.js';
import { runningAverageApplies, runningAverageForward } from './kernels/js/running-average.js';
import { readCallerValue, type Tensor } from './tensor.js';

export type { Backend } from './kernels/backend.js';

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

/**
 * Fastest first; 'auto' takes the first that is available and supports the plan. The wasm backend
 * joins when `init()` has loaded it (see useBuiltinBackend): a program that never calls `init()`
 * carries none of its code.
 */
const registry: Backend[] = [jsBackend, referenceBackend];

/** Backends that load with `init()`, named so that asking for one before says so. */
const LOADED_BY_INIT = ['wasm'];

/** A built-in backend `init()` loaded: ahead of the JS kernels, behind any the caller registered. */
export function useBuiltinBackend(backend: Backend): void {
  if (registry.includes(backend)) return;
  registry.splice(registry.indexOf(jsBackend), 0, backend);
}

const BACKEND_METHODS = ['supports', 'forward', 'backward'] as const;
const OPTIONAL_METHODS = ['available', 'prepare', 'forwardInto'] as const;

/**
 * Adds a backend ahead of the built-in ones (so that 'auto' asks it first), or replaces the one of
 * the same name. It must have a name (1 to 64 characters, not 'auto') and the methods of
 * {@link Backend}; they are read once, so the registered backend is a frozen copy that later
 * changes to the caller's object do not reach.
 *
 * @param backend - The backend: `name`, `supports`, `forward`, `backward`, and optionally
 *   `available`, `prepare`, `forwardInto`.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `backend` is not an object, its name is not
 * 1 to 64 characters other than 'auto', a required method is missing, or an optional one is not a
 * function (or reading one throws).
 * @example
 * A backend that counts the plans it runs and lets the reference kernels compute:
 * ```js
 * import { avgPool, backendNames, registerBackend, selectBackend, planAvgPool, tensor } from 'tensor-pooling';
 *
 * const reference = selectBackend(planAvgPool([1, 1, 2, 2], { kernel: 2 }), 'reference');
 * let runs = 0;
 * registerBackend({
 *   name: 'counting',
 *   supports: (plan) => plan.reducer.op === 'avg',
 *   forward: (plan, x) => (runs++, reference.forward(plan, x)),
 *   backward: (plan, dy, x) => reference.backward(plan, dy, x),
 * });
 * console.log(backendNames()[0]);
 * // prints: counting
 * avgPool(tensor([1, 1, 2, 2], Float32Array.of(1, 2, 3, 4)), { kernel: 2 });
 * console.log(runs);
 * // prints: 1
 * ```
 * @category Backends and threads
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

/**
 * The backends a `backend` option may name, in the order 'auto' asks them: registered ones first,
 * then 'wasm' (after {@link init}), 'js' and 'reference'.
 * @returns A new array of names.
 * @example
 * ```js
 * import { backendNames } from 'tensor-pooling';
 *
 * console.log(backendNames());
 * // prints: [ 'js', 'reference' ]
 * ```
 * @category Backends and threads
 */
export function backendNames(): string[] {
  return registry.map((b) => b.name);
}

/**
 * The backend a call with this plan and `backend` option would run on: with 'auto', the first that
 * is available and supports the plan; with a name, that backend (started if it needs to be).
 *
 * @param plan - A plan made by this library.
 * @param choice - 'auto' (default) or a backend's name.
 * @returns The backend (registered backends as the frozen copy {@link registerBackend} made).
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `plan` is not a plan this library made, or `choice` names no backend;
 * - `UNSUPPORTED_OPTION`: `choice` is 'wasm' before {@link init}, the backend cannot start here, or
 *   it does not support the plan.
 * @category Backends and threads
 */
export function selectBackend(plan: PoolPlan, choice: string = 'auto'): Backend {
  checkPlan('selectBackend', 'plan', plan);
  // `=== true`: a registered backend's answer is not trusted to be a boolean.
  if (choice === 'auto') return registry.find((b) => (b.available?.() ?? true) === true && b.supports(plan) === true)!;
  const backend = registry.find((b) => b.name === choice);
  if (!backend && LOADED_BY_INIT.includes(choice)) {
    throw new PoolingError('UNSUPPORTED_OPTION', plan.op, `backend ${show(choice)} loads with init(): await init() first (or use backend 'auto')`);
  }
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
  if (backend.supports(plan) !== true) {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      plan.op,
      `backend ${show(choice)} cannot run this plan (${plan.axes.length} spatial axes, ${plan.reducer.op}); use backend 'auto'`,
    );
  }
  return backend;
}
