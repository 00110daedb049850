import { selectBackend, type Backend } from '../backends.js';
import { checkThreads, onThreads } from '../kernels/workers/threads.js';
import { recordRun, runStarted, stopIfCapturing } from './observe.js';
import { PoolingError, show } from '../plan/errors.js';
import type { PoolPlan } from '../plan/plan.js';
import {
  BYTES_PER_ELEMENT,
  allocate,
  checkAllocation,
  dtypeOf,
  readCallerValue,
  readShape,
  readTensor,
  sameShape,
  stillCovers,
  typedArrayKind,
  typedArrayRealLength,
  type FloatArray,
  type Tensor,
} from '../tensor.js';

/**
 * Indices of the maxima: for each output, the flat row-major spatial index of its maximum inside
 * its own (n, c) plane, as PyTorch returns them (-1 for a window with no input).
 * @category Options
 */
export interface IndexTensor {
  /** The pooled output's shape. */
  readonly shape: readonly number[];
  /** One index per output element, in the output's order. */
  readonly data: Int32Array;
}

/**
 * What {@link maxPoolWithIndices} and {@link adaptiveMaxPoolWithIndices} return.
 * @category Options
 */
export interface ValuesWithIndices<T extends FloatArray = FloatArray> {
  /** The maxima, as the op without indices returns them. */
  readonly values: Tensor<T>;
  /** Where each maximum was: see {@link IndexTensor}. */
  readonly indices: IndexTensor;
}

/** How to run a plan: an op's options (backend, threads, read once already), or just a backend name. */
export type RunChoice = string | { readonly backend?: unknown; readonly threads?: unknown } | undefined;

function chooseBackend(plan: PoolPlan, choice: RunChoice, wantsIndices = false): Backend {
  const { backend, threads } = typeof choice === 'object' ? choice : { backend: choice, threads: undefined };
  if (backend !== undefined && typeof backend !== 'string') {
    throw new PoolingError('INVALID_PARAMETER', plan.op, `backend must be a backend's name or 'auto'; got ${show(backend)}`);
  }
  return onThreads(selectBackend(plan, backend), plan, checkThreads(plan.op, threads), wantsIndices);
}

/**
 * Right before a kernel: every tensor still covers its memory. Nothing of the caller's runs after
 * the tensors are read, but backends registered by the caller do (selection asks them), and a
 * resizable buffer shrunk or detached after its check would leave a kernel reading stale memory.
 */
function checkStillCovered(plan: PoolPlan, ...tensors: (Tensor | undefined)[]): void {
  for (const t of tensors) {
    if (t !== undefined && !stillCovers(t)) {
      throw new PoolingError('DATA_LENGTH_MISMATCH', plan.op, `a tensor's buffer was resized or detached during the call (shape ${show(t.shape)})`);
    }
  }
}

/** A backend's forward result, refused with a coded error when it is not even an object. */
function forwardOf(plan: PoolPlan, backend: Backend, x: Tensor): { y?: unknown; indices?: unknown } {
  const result: unknown = backend.forward(plan, x);
  if (typeof result !== 'object' || result === null) {
    throw new PoolingError('UNSUPPORTED_OPTION', plan.op, `backend ${show(backend.name)} returned ${show(result)} where { y } belongs; use another backend`);
  }
  return result as { y?: unknown; indices?: unknown };
}

/** What a backend returned is an array of the output's dtype and length (a registered backend may be wrong). */
function checkResult<T extends FloatArray>(plan: PoolPlan, backend: string, dtype: string, length: number, y: unknown): T {
  const kind = typedArrayKind(y);
  if (kind !== (dtype === 'float64' ? 'Float64Array' : 'Float32Array') || typedArrayRealLength(y) !== length) {
    throw new PoolingError(
      'UNSUPPORTED_OPTION',
      plan.op,
      `backend ${show(backend)} returned ${show(y)} where ${length} ${dtype} values belong; use another backend`,
    );
  }
  return y as T;
}

/**
 * The tensor a kernel runs on: read once (see readTensor) and of exactly the plan's input shape, so
 * a kernel never reads past its data whatever a caller's object says on a second read.
 */
function planInput<T extends FloatArray>(plan: PoolPlan, name: string, x: Tensor<T>): Tensor<T> {
  const t = readTensor<T>(plan.op, name, x);
  if (!sameShape(t.shape, plan.inputShape)) {
    throw new PoolingError('SHAPE_MISMATCH', plan.op, `${name} must have the shape ${show(plan.inputShape)} it was planned for; got ${show(t.shape)}`);
  }
  return t;
}

function outputLength(plan: PoolPlan): number {
  return plan.batch * plan.channels * plan.outputSpatialSize;
}

export function runForward<T extends FloatArray>(plan: PoolPlan, x: Tensor<T>, backend?: RunChoice): Tensor<T> {
  const input = planInput(plan, 'x', x);
  stopIfCapturing(plan);
  const dtype = dtypeOf(input.data);
  const length = outputLength(plan);
  checkAllocation(plan.op, 'the output', length, BYTES_PER_ELEMENT[dtype]);
  const chosen = chooseBackend(plan, backend);
  // Nothing to compute: no kernel needs the window tables of an empty tensor's axes.
  if (length === 0) return { shape: plan.outputShape, data: allocate(dtype, 0) as T };
  checkStillCovered(plan, input);
  const started = runStarted();
  const { y } = forwardOf(plan, chosen, input);
  recordRun(plan, chosen.name, 'forward', started);
  return { shape: plan.outputShape, data: checkResult<T>(plan, chosen.name, dtype, length, y) };
}

export function runForwardWithIndices<T extends FloatArray>(
  plan: PoolPlan,
  x: Tensor<T>,
  backend?: RunChoice,
): ValuesWithIndices<T> {
  const input = planInput(plan, 'x', x);
  stopIfCapturing(plan);
  const dtype = dtypeOf(input.data);
  const length = outputLength(plan);
  checkAllocation(plan.op, 'the output', length, BYTES_PER_ELEMENT[dtype] + Int32Array.BYTES_PER_ELEMENT);
  const chosen = chooseBackend(plan, backend, true);
  if (length === 0) {
    return { values: { shape: plan.outputShape, data: allocate(dtype, 0) as T }, indices: { shape: plan.outputShape, data: new Int32Array(0) } };
  }
  checkStillCovered(plan, input);
  const started = runStarted();
  const { y, indices } = forwardOf(plan, chosen, input);
  recordRun(plan, chosen.name, 'forward', started);
  if (typedArrayKind(indices) !== 'Int32Array' || typedArrayRealLength(indices) !== length) {
    throw new PoolingError('UNSUPPORTED_OPTION', plan.op, `backend ${show(chosen.name)} returned no indices of the maxima; use another backend`);
  }
  return {
    values: { shape: plan.outputShape, data: checkResult<T>(plan, chosen.name, dtype, length, y) },
    indices: { shape: plan.outputShape, data: indices as Int32Array },
  };
}

/** A gradient's shape is the forward output's (SHAPE_MISMATCH otherwise); the WebGPU ops check theirs here too. */
export function checkGradientShape(plan: PoolPlan, shape: readonly number[]): void {
  const expected = plan.outputShape;
  if (!sameShape(shape, expected)) {
    throw new PoolingError(
      'SHAPE_MISMATCH',
      plan.op,
      `dy must have the forward output's shape ${show(expected)} (input ${show(plan.inputShape)}); got ${show(shape)}`,
    );
  }
}

/** dy read once, of the plan's output shape, and of x's dtype. */
export function readGradient<T extends FloatArray>(plan: PoolPlan, dy: Tensor<T>, x: Tensor | undefined): Tensor<T> {
  const gradient = readTensor<T>(plan.op, 'dy', dy);
  checkGradientShape(plan, gradient.shape);
  if (x && dtypeOf(x.data) !== dtypeOf(gradient.data)) {
    throw new PoolingError(
      'UNSUPPORTED_DTYPE',
      plan.op,
      `dy and x must have the same dtype; got dy ${dtypeOf(gradient.data)} and x ${dtypeOf(x.data)}`,
    );
  }
  return gradient;
}

export function runBackward<T extends FloatArray>(
  plan: PoolPlan,
  dy: Tensor<T>,
  x: Tensor | undefined,
  backend?: RunChoice,
): Tensor<T> {
  const input = x === undefined ? undefined : planInput(plan, 'x', x);
  const gradient = readGradient(plan, dy, input);
  stopIfCapturing(plan);
  const length = plan.batch * plan.channels * plan.inputSpatialSize;
  // Gradients are accumulated in float64 before their single rounding.
  checkAllocation(plan.op, 'the gradient', length, BYTES_PER_ELEMENT.float64);
  const chosen = chooseBackend(plan, backend);
  if (length === 0 || outputLength(plan) === 0) {
    return { shape: plan.inputShape, data: allocate(dtypeOf(gradient.data), length) as T };
  }
  checkStillCovered(plan, gradient, input);
  const started = runStarted();
  const dx = chosen.backward(plan, gradient, input);
  recordRun(plan, chosen.name, 'backward', started);
  return { shape: plan.inputShape, data: checkResult<T>(plan, chosen.name, dtypeOf(gradient.data), length, dx) };
}

/** For backward ops that need only the input's shape: accept the input tensor or its shape. */
export function shapeOfInput(op: string, input: Tensor | readonly number[]): readonly number[] {
  if (readCallerValue(op, 'input', () => Array.isArray(input))) return readShape(op, 'input shape', input);
  return readTensor(op, 'x', input).shape;
}
