/**
 * Which plans ran, on which backend, and for how long, during one synchronous call: what a user
 * interface shows under a result ("js, 0.4 ms"), and how a caller of a dialect function sees the
 * plan the dialect built. Observing is scoped to the callback; outside it nothing is recorded and a
 * run costs one comparison more.
 */
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';

/**
 * One kernel run that {@link observeRuns} saw.
 * @category Plans
 */
export interface RunRecord {
  /** The plan that ran: what the op (or a dialect's rules) made of the call's options. */
  readonly plan: PoolPlan;
  /** The backend that executed the plan (after 'auto' selection). */
  readonly backend: string;
  /** Whether the run was a forward pass or a gradient. */
  readonly direction: 'forward' | 'backward';
  /** How long the run took, from just before the kernel to just after it. */
  readonly milliseconds: number;
}

/**
 * What {@link observeRuns} returns.
 * @category Plans
 */
export interface Observed<T> {
  /** What the callback returned. */
  readonly result: T;
  /** Every kernel run inside the callback, in order. Empty when the call computed nothing. */
  readonly runs: readonly RunRecord[];
}

let active: RunRecord[] | undefined;

const now: () => number =
  typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : () => Date.now();

/** A start time for `recordRun`, or undefined when nobody observes. */
export function runStarted(): number | undefined {
  return active === undefined ? undefined : now();
}

export function recordRun(plan: PoolPlan, backend: string, direction: RunRecord['direction'], started: number | undefined): void {
  if (active === undefined || started === undefined) return;
  active.push({ plan, backend, direction, milliseconds: now() - started });
}

/**
 * Calls `fn` and returns its result with the record of every pooling run inside it: which plan ran,
 * on which backend, for how long. Observing is scoped to the callback, which must be synchronous
 * (runs after it returns are not seen); nested calls each see their own runs, and the outer one
 * sees them too.
 *
 * @param fn - A synchronous function that calls pooling ops.
 * @returns `fn`'s `result` and the `runs`, in order (empty when nothing was computed).
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `fn` is not a function; whatever `fn`
 * throws is thrown as it is.
 * @example
 * The plan PyTorch's rules gave a call, and the backend that ran it:
 * ```js
 * import { observeRuns, tensor, torch } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 5, 5], new Float32Array(25).fill(1));
 * const { result, runs } = observeRuns(() => torch.avgPool2d(x, { kernel_size: 2, ceil_mode: true }));
 * console.log(result.shape, runs.length, runs[0].backend, runs[0].direction);
 * // prints: [ 1, 1, 3, 3 ] 1 js forward
 * ```
 * @category Plans
 */
export function observeRuns<T>(fn: () => T): Observed<T> {
  if (typeof fn !== 'function') {
    throw new PoolingError('INVALID_PARAMETER', 'observeRuns', `fn must be a function to call; got ${show(fn)}`);
  }
  const outer = active;
  const runs: RunRecord[] = [];
  active = runs;
  try {
    const result = fn();
    return { result, runs };
  } finally {
    active = outer;
    if (outer !== undefined) outer.push(...runs);
  }
}

/** Set while planOfCall runs: the first pooling run records its plan here and stops. */
let capturing: { plan?: PoolPlan } | undefined;

/** Thrown by a run under planOfCall once its plan is recorded; planOfCall catches it. */
class PlanCaptured extends Error {
  constructor() {
    super('planOfCall: the call stopped at its first pooling run (this is not an error the caller sees)');
  }
}

/**
 * Called by every run before it computes anything (after its inputs are checked): under
 * planOfCall, records the plan and stops the call there.
 */
export function stopIfCapturing(plan: PoolPlan): void {
  if (capturing === undefined) return;
  capturing.plan = plan;
  throw new PlanCaptured();
}

/**
 * The plan the first pooling run inside `fn` would execute, found without executing it: `fn` runs
 * until that run has checked its inputs and planned, and stops there (no output is allocated, no
 * window computed). This is how to see the plan a dialect call makes: PyTorch's rules for a
 * 30000x30000 map cost the planning only.
 *
 * @param fn - A synchronous function that calls a pooling op.
 * @returns The plan, or undefined when `fn` ran no plan ({@link maxUnpool} and
 *   {@link maskedGlobalAvgPool} have none; a dialect call that returns its input unchanged or an
 *   empty result).
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `fn` is not a function; errors `fn` throws
 * before its run (a bad option, say) are thrown as they are.
 * @example
 * ```js
 * import { planOfCall, tensor, torch } from 'tensor-pooling';
 *
 * const x = tensor([1, 1, 5, 5], new Float32Array(25));
 * const plan = planOfCall(() => torch.avgPool2d(x, { kernel_size: 2, stride: 2, padding: 1, ceil_mode: true }));
 * console.log(plan.outputShape, plan.reducer.divisor);
 * // prints: [ 1, 1, 3, 3 ] padded
 * ```
 * @category Plans
 */
export function planOfCall(fn: () => unknown): PoolPlan | undefined {
  if (typeof fn !== 'function') {
    throw new PoolingError('INVALID_PARAMETER', 'planOfCall', `fn must be a function to call; got ${show(fn)}`);
  }
  const outer = capturing;
  const capture: { plan?: PoolPlan } = {};
  capturing = capture;
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof PlanCaptured && capture.plan !== undefined) return capture.plan;
    throw error;
  } finally {
    capturing = outer;
  }
}
