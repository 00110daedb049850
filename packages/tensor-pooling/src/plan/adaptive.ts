/**
 * Adaptive pooling bins (PyTorch, aten/src/ATen/native/AdaptivePooling.h): output i of O over an
 * input of length L covers [floor(i*L/O), ceil((i+1)*L/O)). Bins overlap when O does not divide L.
 * Computed in integer arithmetic (PyTorch goes through float and can round wrongly for huge sizes).
 * Example: L=5, O=3 -> [0,2) [1,4) [3,5).
 */
export function adaptiveStart(i: number, size: number, out: number): number {
  return floorDiv(i * size, i, size, out);
}

export function adaptiveEnd(i: number, size: number, out: number): number {
  return floorDiv((i + 1) * size + out - 1, i + 1, size, out, out - 1);
}

/** floor((a*b + extra) / d), exact: falls back to BigInt when a*b leaves the safe-integer range. */
function floorDiv(approx: number, a: number, b: number, d: number, extra = 0): number {
  if (approx <= Number.MAX_SAFE_INTEGER) return Math.floor(approx / d);
  return Number((BigInt(a) * BigInt(b) + BigInt(extra)) / BigInt(d));
}
