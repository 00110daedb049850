/**
 * The accuracy probe: a global average of many float32 values near 1000. Each value has its lowest
 * bit at 2^-14 and the sum stays below 2^35, so a float64 sum of up to 2^24 of them is exact and so
 * is its quotient by a power of two: the exact mean needs no extra precision.
 */
export interface ProbeInput {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly exactMean: number;
}

/** Values in [996, 1004): below 1024, so each is a multiple of 2^-14. */
export function probeInput(log2Count: number, shared: boolean): ProbeInput {
  const count = 2 ** log2Count;
  if (log2Count > 24 || log2Count % 2 !== 0) throw new Error('the probe takes an even power of two up to 2^24 values');
  const side = 2 ** (log2Count / 2);
  const data = shared ? new Float32Array(new SharedArrayBuffer(count * 4)) : new Float32Array(count);
  let state = 0x2545f491;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    data[i] = 996 + ((state >>> 8) / 2 ** 24) * 8;
    sum += data[i]!;
  }
  return { shape: [1, 1, side, side], data, exactMean: sum / count };
}

/** Distance in float32 units in the last place at the exact mean. */
export function float32Ulps(value: number, exact: number): number {
  const rounded = Math.fround(exact);
  const bits = new Float32Array([rounded]);
  const asInt = new Int32Array(bits.buffer);
  asInt[0] = asInt[0]! + 1;
  const ulp = bits[0]! - rounded;
  return Math.abs(value - exact) / ulp;
}
