/**
 * Adaptive pooling bins (PyTorch, aten/src/ATen/native/AdaptivePooling.h): output i of O over an
 * input of length L covers [floor(i*L/O), ceil((i+1)*L/O)). Bins overlap when O does not divide L.
 * Computed in integer arithmetic (PyTorch goes through float and can round wrongly for huge sizes).
 * Example: L=5, O=3 -> [0,2) [1,4) [3,5).
 */
export function adaptiveStart(i: number, size: number, out: number): number {
  return Math.floor((i * size) / out);
}

export function adaptiveEnd(i: number, size: number, out: number): number {
  return Math.floor(((i + 1) * size + out - 1) / out);
}
