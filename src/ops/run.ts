import { selectBackend, type Backend } from '../backends.js';
import { checkThreads, threadsWorthIt, withThreads } from '../kernels/workers/threaded.js';
import { recordRun, runStarted } from './observe.js';
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';
import { checkTensor, dtypeOf, type FloatArray, type Tensor } from '../tensor.js';

/** Indices of the maxima: the flat spatial index inside each (n, c) plane, as PyTorch returns them. */
export interface IndexTensor {
  readonly shape: readonly number[];
  readonly data: Int32Array;
}

export interface ValuesWithIndices<T extends FloatArray = FloatArray> {
  readonly values: Tensor<T>;
  readonly indices: IndexTensor;
}

/** How to run a plan: an op's options (backend, threads), or just a backend name. */
export type RunChoice = string | { readonly backend?: string; readonly threads?: number } | undefined;

function chooseBackend(plan: PoolPlan, choice: RunChoice, wantsIndices = false): Backend {
  const { backend, threads } = typeof choice === 'object' ? choice : { backend: choice, threads: undefined };
  return withThreads(selectBackend(plan, backend), threadsWorthIt(plan, checkThreads(plan.op, threads)), wantsIndices);
}

export function runForward<T extends FloatArray>(plan: PoolPlan, x: Tensor<T>, backend?: RunChoice): Tensor<T> {
  const chosen = chooseBackend(plan, backend);
  const started = runStarted();
  const { y } = chosen.forward(plan, x);
  recordRun(plan, chosen.name, 'forward', started);
  return { shape: plan.outputShape, data: y as T };
}

export function runForwardWithIndices<T extends FloatArray>(
  plan: PoolPlan,
  x: Tensor<T>,
  backend?: RunChoice,
): ValuesWithIndices<T> {
  const chosen = chooseBackend(plan, backend, true);
  const started = runStarted();
  const { y, indices } = chosen.forward(plan, x);
  recordRun(plan, chosen.name, 'forward', started);
  return { values: { shape: plan.outputShape, data: y as T }, indices: { shape: plan.outputShape, data: indices! } };
}

/** Checks dy against the plan's output shape, and its dtype against x's. */
export function checkGradient(plan: PoolPlan, dy: Tensor, x: Tensor | undefined): void {
  checkTensor(plan.op, 'dy', dy);
  const expected = plan.outputShape;
  if (dy.shape.length !== expected.length || dy.shape.some((d, i) => d !== expected[i])) {
    throw new PoolingError(
      'SHAPE_MISMATCH',
      plan.op,
      `dy must have the forward output's shape ${show(expected)} (input ${show(plan.inputShape)}); got ${show(dy.shape)}`,
    );
  }
  if (x && dtypeOf(x.data) !== dtypeOf(dy.data)) {
    throw new PoolingError(
      'UNSUPPORTED_DTYPE',
      plan.op,
      `dy and x must have the same dtype; got dy ${dtypeOf(dy.data)} and x ${dtypeOf(x.data)}`,
    );
  }
}

export function runBackward<T extends FloatArray>(
  plan: PoolPlan,
  dy: Tensor<T>,
  x: Tensor | undefined,
  backend?: RunChoice,
): Tensor<T> {
  checkGradient(plan, dy, x);
  const chosen = chooseBackend(plan, backend);
  const started = runStarted();
  const dx = chosen.backward(plan, dy, x);
  recordRun(plan, chosen.name, 'backward', started);
  return { shape: plan.inputShape, data: dx as T };
}

/** For backward ops that need only the input's shape: accept the input tensor or its shape. */
export function shapeOfInput(op: string, input: Tensor | readonly number[]): readonly number[] {
  if (Array.isArray(input)) {
    if (input.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new PoolingError('INVALID_PARAMETER', op, `input shape must be non-negative integers; got ${show(input)}`);
    }
    return input;
  }
  checkTensor(op, 'x', input);
  return (input as Tensor).shape;
}
