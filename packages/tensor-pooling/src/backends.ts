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
