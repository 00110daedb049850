/**
 * The plan's formulas for callers who want one number: each argument checked as every other door
 * checks it (the plan itself calls the unchecked versions in src/plan with values it validated).
 */
import { adaptiveEnd as adaptiveEndOf, adaptiveStart as adaptiveStartOf } from '../plan/adaptive.js';
import { PoolingError } from '../plan/errors.js';
import {
  effectiveKernel as effectiveKernelOf,
  samePadding as samePaddingOf,
  slidingOutputSize as slidingOutputSizeOf,
  type OutputRounding,
  type SlidingGeometry,
} from '../plan/output-size.js';
import { checkBoolean, checkInteger, checkOneOf, readOptions } from '../plan/validate.js';

const ROUNDINGS: readonly OutputRounding[] = ['floor', 'ceil', 'round', 'trunc'];
const GEOMETRY_KEYS = ['size', 'kernel', 'stride', 'dilation', 'padBegin', 'padEnd'] as const;

/**
 * The span of `kernel` taps `dilation` apart: dilation * (kernel - 1) + 1.
 * @param kernel - Taps per window: a positive integer.
 * @param dilation - Step between taps: a positive integer.
 * @returns The number of positions one window spans.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when an argument is not a positive integer
 * (up to {@link MAX_ELEMENTS}).
 * @example
 * ```js
 * import { effectiveKernel } from 'tensor-pooling';
 *
 * console.log(effectiveKernel(3, 2));
 * // prints: 5
 * ```
 * @category Formulas
 */
export function effectiveKernel(kernel: number, dilation: number): number {
  const op = 'effectiveKernel';
  return effectiveKernelOf(checkInteger(op, 'kernel', kernel, 1), checkInteger(op, 'dilation', dilation, 1));
}

/**
 * Output length of a sliding window along one axis: round((L + padBegin + padEnd - k_eff) / s) + 1,
 * with PyTorch's and ONNX's rule that a ceil-mode window must start inside the input or the begin
 * padding when `lastWindowStartsInside`. See {@link OutputRounding} for the rules and a worked
 * example.
 *
 * @param geometry - The axis: `size`, `kernel`, `stride`, `dilation`, `padBegin`, `padEnd`, all required.
 * @param rounding - 'floor' (PyTorch and ONNX by default), 'ceil' (ceil mode), or TF.js's 'round'
 *   and 'trunc' (applied to the quotient plus one).
 * @param lastWindowStartsInside - Drop a ceil-mode window that would start in the end padding.
 * @returns The output length. Can be 0 or negative: the window does not fit.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `geometry` is not an object of those six
 * integers (sizes and pads non-negative, the rest positive), `rounding` is not one of the four, or
 * `lastWindowStartsInside` is not a boolean.
 * @example
 * L = 5, kernel 2, stride 2, padding 1 + 1: ceil mode rounds 2.5 up to 3 windows + 1, but the last
 * would start at 6, inside the end padding, so PyTorch and ONNX drop it:
 * ```js
 * import { slidingOutputSize } from 'tensor-pooling';
 *
 * const axis = { size: 5, kernel: 2, stride: 2, dilation: 1, padBegin: 1, padEnd: 1 };
 * console.log(slidingOutputSize(axis, 'floor', true), slidingOutputSize(axis, 'ceil', true), slidingOutputSize(axis, 'ceil', false));
 * // prints: 3 3 4
 * ```
 * @category Formulas
 */
export function slidingOutputSize(geometry: SlidingGeometry, rounding: OutputRounding, lastWindowStartsInside: boolean): number {
  const op = 'slidingOutputSize';
  const g = readOptions(op, geometry, GEOMETRY_KEYS, { name: 'geometry', optional: false });
  const checked: SlidingGeometry = {
    size: checkInteger(op, 'geometry.size', g.size, 0),
    kernel: checkInteger(op, 'geometry.kernel', g.kernel, 1),
    stride: checkInteger(op, 'geometry.stride', g.stride, 1),
    dilation: checkInteger(op, 'geometry.dilation', g.dilation, 1),
    padBegin: checkInteger(op, 'geometry.padBegin', g.padBegin, 0),
    padEnd: checkInteger(op, 'geometry.padEnd', g.padEnd, 0),
  };
  return slidingOutputSizeOf(
    checked,
    checkOneOf(op, 'rounding', rounding, ROUNDINGS),
    checkBoolean(op, 'lastWindowStartsInside', lastWindowStartsInside),
  );
}

/**
 * 'same' padding of one axis: the output is ceil(L / s), and the total padding
 * max(0, (out - 1) * s + k_eff - L) makes the last window end at the padded edge; the odd pad goes
 * at the end (TF, Keras, ONNX SAME_UPPER) or the beginning (ONNX SAME_LOWER).
 *
 * @param size - The input's length L: a non-negative integer.
 * @param kernelEffective - The window's span k_eff ({@link effectiveKernel}): a positive integer.
 * @param stride - Step between windows: a positive integer.
 * @param extraAt - Where the odd pad goes: 'end' or 'begin'.
 * @returns [begin, end] padding.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when an argument is not what it must be.
 * @example
 * ```js
 * import { samePadding } from 'tensor-pooling';
 *
 * console.log(samePadding(5, 2, 1, 'end'), samePadding(5, 2, 1, 'begin'));
 * // prints: [ 0, 1 ] [ 1, 0 ]
 * ```
 * @category Formulas
 */
export function samePadding(size: number, kernelEffective: number, stride: number, extraAt: 'end' | 'begin'): [number, number] {
  const op = 'samePadding';
  return samePaddingOf(
    checkInteger(op, 'size', size, 0),
    checkInteger(op, 'kernelEffective', kernelEffective, 1),
    checkInteger(op, 'stride', stride, 1),
    checkOneOf(op, 'extraAt', extraAt, ['end', 'begin'] as const),
  );
}

/** Adaptive bins are exact for any sizes a number holds exactly (the products go through BigInt). */
function checkBin(op: string, i: unknown, size: unknown, out: unknown): [number, number, number] {
  const o = checkInteger(op, 'out', out, 1, out, Number.MAX_SAFE_INTEGER);
  const index = checkInteger(op, 'i', i, 0, i, Number.MAX_SAFE_INTEGER);
  if (index >= o) throw new PoolingError('INVALID_PARAMETER', op, `i must be less than out (${o}); got ${index}`);
  return [index, checkInteger(op, 'size', size, 1, size, Number.MAX_SAFE_INTEGER), o];
}

/**
 * Where adaptive bin i of `out` over an axis of `size` starts: floor(i * size / out), exact for any
 * sizes a number holds exactly.
 * @param i - The bin: an integer from 0 to out - 1.
 * @param size - The input's length: a positive integer.
 * @param out - The number of bins: a positive integer.
 * @returns The bin's first input position.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when an argument is not such an integer (up to
 * 2^53 - 1) or `i` is not less than `out`.
 * @example
 * Five positions in three bins: [0, 2), [1, 4), [3, 5):
 * ```js
 * import { adaptiveEnd, adaptiveStart } from 'tensor-pooling';
 *
 * console.log([0, 1, 2].map((i) => [adaptiveStart(i, 5, 3), adaptiveEnd(i, 5, 3)]));
 * // prints: [ [ 0, 2 ], [ 1, 4 ], [ 3, 5 ] ]
 * ```
 * @category Formulas
 */
export function adaptiveStart(i: number, size: number, out: number): number {
  return adaptiveStartOf(...checkBin('adaptiveStart', i, size, out));
}

/**
 * Where adaptive bin i of `out` over an axis of `size` ends (exclusive): ceil((i + 1) * size / out).
 * See {@link adaptiveStart}.
 * @param i - The bin: an integer from 0 to out - 1.
 * @param size - The input's length: a positive integer.
 * @param out - The number of bins: a positive integer.
 * @returns One past the bin's last input position.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when an argument is not such an integer (up to
 * 2^53 - 1) or `i` is not less than `out`.
 * @category Formulas
 */
export function adaptiveEnd(i: number, size: number, out: number): number {
  return adaptiveEndOf(...checkBin('adaptiveEnd', i, size, out));
}
