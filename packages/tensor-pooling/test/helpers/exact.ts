/**
 * Exact arithmetic for accuracy tests: every finite float is m * 2^e with integer m, so a sum of
 * floats is an exact rational numerator * 2^exponent, held in a BigInt.
 */
const view = new DataView(new ArrayBuffer(8));

/** v = mantissa * 2^exponent exactly, for a finite v. */
export function decompose(v: number): { mantissa: bigint; exponent: number } {
  if (!Number.isFinite(v)) throw new Error(`decompose: ${v} is not finite`);
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const magnitude = biased === 0 ? fraction : fraction | 0x10000000000000n;
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  return { mantissa: bits >> 63n ? -magnitude : magnitude, exponent };
}

/** An exact value numerator * 2^exponent. */
export interface Exact {
  readonly numerator: bigint;
  readonly exponent: number;
}

export function exactSum(values: ArrayLike<number>): Exact {
  const parts = Array.from({ length: values.length }, (_, i) => decompose(values[i]!));
  const exponent = Math.min(0, ...parts.map((p) => p.exponent));
  let numerator = 0n;
  for (const p of parts) numerator += p.mantissa << BigInt(p.exponent - exponent);
  return { numerator, exponent };
}

/** The unit in the last place of r in its dtype (the smallest subnormal's exponent for 0). */
function ulpExponent(r: number, dtype: 'float32' | 'float64'): number {
  const [bits, lowest] = dtype === 'float32' ? [23, -149] : [52, -1074];
  if (r === 0) return lowest;
  const { mantissa, exponent } = decompose(Math.abs(r));
  const floorLog2 = mantissa.toString(2).length - 1 + exponent;
  return Math.max(floorLog2 - bits, lowest);
}

/**
 * |r - sum / count| in ulps of r, from exact integers: the comparison with a bound is exact,
 * the returned number is rounded only in its last bits.
 */
export function ulpsFromExactMean(r: number, sum: Exact, count: number, dtype: 'float32' | 'float64'): number {
  const result = decompose(r);
  // Bring r and the sum to one exponent E, then |r - S/n| = |R*n - S| * 2^E / n.
  const common = Math.min(result.exponent, sum.exponent);
  const R = result.mantissa << BigInt(result.exponent - common);
  const S = sum.numerator << BigInt(sum.exponent - common);
  let difference = R * BigInt(count) - S;
  if (difference < 0n) difference = -difference;
  // One ulp is 2^(ulp - E) in these units, times n for the division by n.
  const shift = ulpExponent(r, dtype) - common;
  const unit = BigInt(count) << BigInt(Math.max(shift, 0));
  const scaled = shift < 0 ? difference << BigInt(-shift) : difference;
  return Number((scaled * 1_000_000n) / unit) / 1_000_000;
}
