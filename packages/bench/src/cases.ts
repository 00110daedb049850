/**
 * The benchmark cases of issue 3, in one description that every contender reads: our library,
 * onnxruntime (channels-first) and TF.js (channels-last). Shapes are channels-first.
 */

export type CaseOp = 'global-avg' | 'avg' | 'max';

export interface BenchCase {
  readonly id: string;
  readonly title: string;
  readonly op: CaseOp;
  /** (N, C, ...spatial). */
  readonly shape: readonly number[];
  /** Per spatial axis; absent for global pooling. */
  readonly kernel?: readonly number[];
  readonly stride?: readonly number[];
  /** Symmetric padding on every spatial axis; padding is never counted in averages. */
  readonly padding?: number;
  /**
   * Calls per timed run, for calls of a few microseconds: one call alone, timed between other
   * contenders' calls, measures the timer and cold caches more than the call. Times are per call.
   */
  readonly callsPerRun?: number;
}

const twice = (v: number) => [v, v];

export const FULL_CASES: readonly BenchCase[] = [
  { id: 'A', title: 'global average (ResNet-50 head)', op: 'global-avg', shape: [32, 2048, 7, 7] },
  { id: 'B', title: 'average k2 s2', op: 'avg', shape: [8, 64, 112, 112], kernel: twice(2), stride: twice(2) },
  { id: 'C', title: 'average k3 s1 pad 1, padding not counted', op: 'avg', shape: [8, 64, 56, 56], kernel: twice(3), stride: twice(1), padding: 1 },
  { id: 'D', title: 'average k7 s1', op: 'avg', shape: [1, 256, 128, 128], kernel: twice(7), stride: twice(1) },
  { id: 'E', title: 'average k31 s1 (box filter)', op: 'avg', shape: [1, 16, 256, 256], kernel: twice(31), stride: twice(1) },
  { id: 'F', title: 'average 3-D k2 s2', op: 'avg', shape: [2, 32, 32, 64, 64], kernel: [2, 2, 2], stride: [2, 2, 2] },
  { id: 'G', title: 'global average of a large map', op: 'global-avg', shape: [1, 3, 4096, 4096] },
  { id: 'H', title: 'average k2 s2, tiny (call overhead)', op: 'avg', shape: [1, 64, 8, 8], kernel: twice(2), stride: twice(2), callsPerRun: 100 },
  { id: 'I', title: 'max k3 s2 pad 1 (ResNet stem)', op: 'max', shape: [8, 64, 112, 112], kernel: twice(3), stride: twice(2), padding: 1 },
];

/** The same ops on small shapes: `--quick` proves the harness end to end in seconds. */
export const QUICK_CASES: readonly BenchCase[] = FULL_CASES.map((c) => {
  const small: Record<string, readonly number[]> = {
    A: [2, 64, 7, 7],
    B: [1, 8, 32, 32],
    C: [1, 8, 16, 16],
    D: [1, 8, 24, 24],
    E: [1, 2, 40, 40],
    F: [1, 4, 8, 16, 16],
    G: [1, 3, 128, 128],
    H: [1, 64, 8, 8],
    I: [1, 8, 32, 32],
  };
  return { ...c, shape: small[c.id]! };
});

export function elements(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Channels-first to channels-last: (N, C, ...spatial) to (N, ...spatial, C). */
export function toChannelsLast(data: Float32Array, shape: readonly number[]): { shape: number[]; data: Float32Array } {
  const [n, c, ...spatial] = shape as [number, number, ...number[]];
  const plane = elements(spatial);
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const from = (b * c + ch) * plane;
      const to = b * plane * c + ch;
      for (let i = 0; i < plane; i++) out[to + i * c] = data[from + i]!;
    }
  }
  return { shape: [n, ...spatial, c], data: out };
}
