/**
 * The fuzzer's own shape arithmetic, written from the README's and the dialect modules' documented
 * rules (not from src/plan): output sizes by counting windows, 'same' padding, adaptive and global
 * shapes, unpooling sizes and the dialects' quirks. The valid-call generators use it to say what a
 * call must return, or which error code it must throw.
 */

export type Layout = 'channels-first' | 'channels-last';

/** How a tensor splits into batch, channels and spatial axes. */
export interface Frame {
  readonly batched: boolean;
  readonly batch: number;
  readonly channels: number;
  readonly layout: Layout;
}

export function shapeOf(frame: Frame, spatial: readonly number[]): number[] {
  const rest = frame.layout === 'channels-first' ? [frame.channels, ...spatial] : [...spatial, frame.channels];
  return frame.batched ? [frame.batch, ...rest] : rest;
}

export function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

export function effective(kernel: number, dilation: number): number {
  return dilation * (kernel - 1) + 1;
}

/**
 * Windows along one axis of length `size` with `padBegin`/`padEnd` padding. Floor mode counts
 * them one by one: the windows that end inside the padded input. Ceil mode is the README's
 * formula, ceil((L + P - k_eff) / s) + 1, less one when `startInside` (PyTorch, ONNX) and that last
 * window would start at or past the end of the input plus the begin padding.
 */
export function windowsAlong(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  ceil: boolean,
  startInside: boolean,
): number {
  const span = effective(kernel, dilation);
  const padded = padBegin + size + padEnd;
  if (ceil) {
    let out = Math.ceil((padded - span) / stride) + 1;
    if (startInside && out > 1 && (out - 1) * stride >= size + padBegin) out -= 1;
    return out;
  }
  if (span > padded) return Math.floor((padded - span) / stride) + 1;
  let count = 0;
  for (let start = 0; start + span <= padded; start += stride) count++;
  return count;
}

/** 'same' (extra at the end, SAME_UPPER) and 'same-lower' pads: out = ceil(L / s). */
export function samePads(size: number, kernel: number, stride: number, dilation: number, lower: boolean): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max(0, (out - 1) * stride + effective(kernel, dilation) - size);
  const half = Math.floor(total / 2);
  return lower ? [total - half, half] : [half, total - half];
}

export type Padding =
  | { readonly kind: 'pads'; readonly pads: readonly (readonly [number, number])[] }
  | { readonly kind: 'same' | 'same-lower' | 'valid' };

export interface WindowGeometry {
  readonly sizes: readonly number[];
  readonly kernel: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  readonly padding: Padding;
  readonly ceil: boolean;
}

export type Verdict = { readonly out: number[] } | { readonly error: string };

/**
 * The library's own rules (and PyTorch's, ONNX's): padding at most half the effective kernel
 * where `limitPadding`, then every output size at least 1. With `emptyAtZero` (Keras), an axis
 * that sizes to 0 gives an empty result and only a negative size is refused.
 */
export function slidingVerdict(g: WindowGeometry, options: { limitPadding: boolean; startInside: boolean; emptyAtZero?: boolean }): Verdict {
  const pads = g.sizes.map((size, a): readonly [number, number] => {
    if (g.padding.kind === 'pads') return g.padding.pads[a]!;
    if (g.padding.kind === 'valid') return [0, 0];
    return samePads(size, g.kernel[a]!, g.stride[a]!, g.dilation[a]!, g.padding.kind === 'same-lower');
  });
  if (options.limitPadding && pads.some(([b, e], a) => 2 * Math.max(b, e) > effective(g.kernel[a]!, g.dilation[a]!))) {
    return { error: 'PAD_TOO_LARGE' };
  }
  const out = g.sizes.map((size, a) =>
    g.padding.kind === 'same' || g.padding.kind === 'same-lower'
      ? Math.ceil(size / g.stride[a]!)
      : windowsAlong(size, g.kernel[a]!, g.stride[a]!, g.dilation[a]!, pads[a]![0], pads[a]![1], g.ceil, options.startInside),
  );
  if (g.sizes.some((s) => s < 1)) return { error: 'OUTPUT_EMPTY' };
  // Math.floor and Math.ceil give -0 for small negative quotients: a size of 0 all the same.
  const sized = out.map((o) => o + 0);
  if (sized.some((o) => (options.emptyAtZero === true ? o < 0 : o < 1))) return { error: 'OUTPUT_EMPTY' };
  return { out: sized };
}

/** Max unpooling's default spatial size: (in - 1) * stride - padBegin - padEnd + kernel. */
export function unpoolSize(size: number, kernel: number, stride: number, padBegin: number, padEnd: number): number {
  return (size - 1) * stride - padBegin - padEnd + kernel;
}

const TFJS_ROUNDING = { floor: Math.floor, round: Math.round, ceil: Math.ceil };

/** TF.js's rounding of a whole quotient + 1: trunc by default, else the dimRoundingMode. */
export function tfjsRound(value: number, mode: 'floor' | 'round' | 'ceil' | undefined): number {
  return (mode === undefined ? Math.trunc : TFJS_ROUNDING[mode])(value);
}

/**
 * The outputs runOnnxNode returns, in order: the names `outputs` asks for, or every output of the
 * op, Y, and for MaxPool Indices too (its docs and onnxruntime's fetches).
 */
export function onnxOutputs(op: string, asked: readonly string[] | undefined): readonly string[] {
  return asked ?? (op === 'MaxPool' ? ['Y', 'Indices'] : ['Y']);
}
