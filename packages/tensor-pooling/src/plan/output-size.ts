/**
 * Output length of a sliding window along one axis.
 *
 * With L the input length, k the kernel, d the dilation, k_eff = d*(k-1)+1 the effective kernel,
 * s the stride and P = padBegin + padEnd:
 *
 *     out = round((L + P - k_eff) / s) + 1
 *
 * where `round` is floor (PyTorch/ONNX default), ceil (ceil_mode), or TF.js's dimRoundingMode
 * applied to the whole quotient plus one. Under PyTorch's and ONNX's ceil mode the last window must
 * start inside the input or the left padding: if (out-1)*s >= L + padBegin, one output is dropped
 * (PyTorch `pooling_output_shape_pad_lr` in aten/src/ATen/native/Pool.h; ONNX AveragePool-22:
 * "sliding windows that would start in the right padded region are ignored").
 *
 * Worked example, L=5, k=2, s=2, pad 1+1, ceil mode: (5+2-2)/2 = 2.5 -> ceil 3 -> out 4; the 4th
 * window would start at 3*2 = 6 >= 5+1, inside the right padding, so out = 3. TF.js has no such
 * rule: its ceil rounding gives 4, and the last window holds no input at all.
 * @category Formulas
 */
export type OutputRounding = 'floor' | 'ceil' | 'round' | 'trunc';

/**
 * One axis of a sliding window, as {@link slidingOutputSize} takes it.
 * @category Formulas
 */
export interface SlidingGeometry {
  /** The input's length L along the axis. */
  readonly size: number;
  /** Taps per window k. */
  readonly kernel: number;
  /** Step between windows s. */
  readonly stride: number;
  /** Step between a window's taps d. */
  readonly dilation: number;
  /** Padding before the first position. */
  readonly padBegin: number;
  /** Padding after the last position. */
  readonly padEnd: number;
}

export function effectiveKernel(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

export function slidingOutputSize(
  g: SlidingGeometry,
  rounding: OutputRounding,
  lastWindowStartsInside: boolean,
): number {
  const span = g.size + g.padBegin + g.padEnd - effectiveKernel(g.kernel, g.dilation);
  let out: number;
  switch (rounding) {
    case 'floor':
      out = Math.floor(span / g.stride) + 1;
      break;
    case 'ceil':
      out = Math.ceil(span / g.stride) + 1;
      break;
    case 'round':
      // TF.js rounds (span/s + 1) with Math.round: halves go up.
      out = Math.round(span / g.stride + 1);
      break;
    case 'trunc':
      out = Math.trunc(span / g.stride + 1);
      break;
  }
  if (lastWindowStartsInside && rounding === 'ceil' && out > 1 && (out - 1) * g.stride >= g.size + g.padBegin) {
    out -= 1;
  }
  return out;
}

/**
 * 'same' padding (TF/Keras, ONNX SAME_UPPER / SAME_LOWER): out = ceil(L/s) and the total padding
 * makes the last window end at the padded edge: total = max(0, (out-1)*s + k_eff - L).
 * SAME_UPPER puts the odd pad at the end (begin = floor(total/2)), SAME_LOWER at the start.
 * Example: L=5, k=2, s=1 -> out 5, total 1: upper pads [0, 1], lower [1, 0].
 */
export function samePadding(
  size: number,
  kernelEffective: number,
  stride: number,
  extraAt: 'end' | 'begin',
): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + kernelEffective - size);
  const small = Math.floor(total / 2);
  return extraAt === 'end' ? [small, total - small] : [total - small, small];
}
