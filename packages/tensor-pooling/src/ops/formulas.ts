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

/** The span of `kernel` taps `dilation` apart: dilation * (kernel - 1) + 1. */
export function effectiveKernel(kernel: number, dilation: number): number {
  const op = 'effectiveKernel';
  return effectiveKernelOf(checkInteger(op, 'kernel', kernel, 1), checkInteger(op, 'dilation', dilation, 1));
}

/**
 * Output length of a sliding window along one axis: round((L + padBegin + padEnd - k_eff) / s) + 1,
 * with PyTorch's and ONNX's rule that a ceil-mode window must start inside the input or the begin
 * padding when `lastWindowStartsInside` (see src/plan/output-size.ts). Can be 0 or negative: the
 * window does not fit.
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

/** 'same' padding [begin, end] of one axis: out = ceil(L / s), the odd pad at `extraAt`. */
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

/** Where adaptive bin i of `out` over an axis of `size` starts: floor(i * size / out). */
export function adaptiveStart(i: number, size: number, out: number): number {
  return adaptiveStartOf(...checkBin('adaptiveStart', i, size, out));
}

/** Where adaptive bin i of `out` over an axis of `size` ends (exclusive): ceil((i + 1) * size / out). */
export function adaptiveEnd(i: number, size: number, out: number): number {
  return adaptiveEndOf(...checkBin('adaptiveEnd', i, size, out));
}
