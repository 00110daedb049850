/**
 * Which plans ran, on which backend, and for how long, during one synchronous call: what a user
 * interface shows under a result ("js, 0.4 ms"), and how a caller of a dialect function sees the
 * plan the dialect built. Observing is scoped to the callback; outside it nothing is recorded and a
 * run costs one comparison more.
 */
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';

export interface RunRecord {
  readonly plan: PoolPlan;
  /** The backend that executed the plan (after 'auto' selection). */
  readonly backend: string;
  readonly direction: 'forward' | 'backward';
  readonly milliseconds: number;
}

export interface Observed<T> {
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
 * Calls `fn` and returns its result with the record of every pooling run inside it. Example:
 * `observeRuns(() => torch.avgPool2d(x, { kernel_size: 2 })).runs[0].plan` is the plan PyTorch's
 * rules gave, and `.backend` the backend that ran it. Nested calls each see their own runs.
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
 * window computed). Undefined when `fn` ran no plan (maxUnpool and maskedGlobalAvgPool have none;
 * a dialect call that returns its input unchanged). Example: the plan PyTorch's rules give a
 * 30000x30000 map, `planOfCall(() => torch.avgPool2d(x, { kernel_size: 3, ceil_mode: true }))`,
 * costs the planning only. Errors `fn` throws before its run are thrown as they are.
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
