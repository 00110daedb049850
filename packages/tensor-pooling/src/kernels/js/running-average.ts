/**
 * Average pooling at a cost per output that does not grow with the window's height and width, for
 * float32 inputs, a plane at a time, in one of two ways that give the same bits.
 *
 * Running sums, where they are exact (see exactRunningSums): per input row, prefix sums P give each
 * width window as P[first + count] - P[first]; those window sums, accumulated down the rows into Q,
 * give each height window as Q[first + count] - Q[first]. Exact, the differences are the very sums
 * of each window's values. Elsewhere (a plane whose values span too many powers of two, or hold a
 * NaN or an infinity) such differences would lose a window's bits to values far from it (a huge
 * value before a window of ones cancelled all of them, issue 11).
 *
 * Split sums, on the other planes: along an axis cut into blocks as long as its longest window, a
 * window is the tail of one block and the head of the next, so its sum is the tail's suffix sum
 * plus the head's prefix sum (van Herk's and Gil and Werman's scheme for running maxima, applied
 * to sums). Depth windows add their slices row by row; width windows are split over each such row;
 * height windows over the rows of width-window sums. Every partial sum holds only values of the
 * windows it serves, so a window's sum and its error depend on its own values alone, and a NaN or
 * an infinity reaches only the windows that hold it. Every chain starts from +0, as the
 * reference's sums do (a window of -0 sums to +0).
 *
 * Float64 inputs take the tap-by-tap kernel, which gives the reference's bits.
 */
import type { AxisWindows, PoolPlan } from '../../plan/plan.js';
import type { Tensor } from '../../tensor.js';
import { divisors, planeLayout, type Geometry3d } from './windows-3d.js';

/** Windows at least this large (taps over height and width) are worth running or split sums. */
const MIN_TAPS = 9;

function largest(counts: Int32Array): number {
  let m = 0;
  for (const c of counts) m = Math.max(m, c);
  return m;
}

/** Whether this kernel can run this plan (see above). */
export function runningAverageApplies(plan: PoolPlan, x: Tensor, g: Geometry3d): boolean {
  return (
    plan.reducer.op === 'avg' &&
    plan.layout === 'channels-first' &&
    x.data instanceof Float32Array &&
    g.windows.every((w) => w.step === 1) &&
    largest(g.windows[1].count) * largest(g.windows[2].count) >= MIN_TAPS
  );
}

/**
 * Split sums of the `length` values of `row` from `start`: `suffix[t]` sums values t to the end
 * of t's block, `prefix[t]` the values of t's block before t (0 at a block's start), t up to
 * `length`.
 */
function rowSplitSums(row: Float32Array | Float64Array, start: number, length: number, block: number, suffix: Float64Array, prefix: Float64Array): void {
  for (let first = 0; first < length; first += block) {
    const end = Math.min(first + block, length);
    let ahead = 0;
    prefix[first] = 0;
    for (let t = first; t < end; t++) prefix[t + 1] = ahead += row[start + t]!;
    let behind = 0;
    for (let t = end - 1; t >= first; t--) suffix[t] = behind += row[start + t]!;
  }
  // A length that closes a whole block: the (empty) head of the next one.
  if (length % block === 0) prefix[length] = 0;
}

/**
 * How a window of at most a block sums its values from the split sums: a suffix plus the next
 * block's prefix, a suffix alone (to its block's end or the axis's), a prefix alone (from its
 * block's start), or (inside a block, touching neither end, which no plan makes today: clipped
 * windows touch the axis's ends, adaptive bins are at most one shorter than the longest) its
 * values one by one. -1: no values.
 */
const NONE = -1;
const TAIL_AND_HEAD = 0;
const TAIL = 1;
const HEAD = 2;
const ONE_BY_ONE = 3;

function windowKinds(windows: AxisWindows, length: number, block: number): Int8Array {
  const kinds = new Int8Array(windows.first.length);
  for (let o = 0; o < kinds.length; o++) {
    const s = windows.first[o]!;
    const e = s + windows.count[o]!;
    const start = s - (s % block);
    kinds[o] = e === s ? NONE : e > start + block ? TAIL_AND_HEAD : e === start + block || e === length ? TAIL : s === start ? HEAD : ONE_BY_ONE;
  }
  return kinds;
}

/** The width-window sums of one row (split sums made by rowSplitSums) into `out` from `at`. */
function rowWindowSums(
  row: Float32Array | Float64Array,
  start: number,
  windows: AxisWindows,
  kinds: Int8Array,
  suffix: Float64Array,
  prefix: Float64Array,
  out: Float64Array,
  at: number,
): void {
  for (let o = 0; o < kinds.length; o++) {
    const s = windows.first[o]!;
    const e = s + windows.count[o]!;
    switch (kinds[o]) {
      case TAIL_AND_HEAD:
        out[at + o] = suffix[s]! + prefix[e]!;
        break;
      case TAIL:
        out[at + o] = suffix[s]!;
        break;
      case HEAD:
        out[at + o] = prefix[e]!;
        break;
      case ONE_BY_ONE: {
        let sum = 0;
        for (let t = s; t < e; t++) sum += row[start + t]!;
        out[at + o] = sum;
        break;
      }
      default:
        out[at + o] = 0;
    }
  }
}

/**
 * Whether float64 running sums over `length` float32 values (their bit patterns from `start`) are
 * exact whatever they add and take away: every value is a multiple of 2^g, g the lowest exponent
 * of any value's lowest set bit; every running sum adds at most `length` values, so stays below
 * length * max|x| < 2^(ceil(log2 length) + eMax - 126) (eMax the largest biased exponent); and
 * float64 holds every multiple of 2^g below 2^(53 + g). NaN and the infinities (exponent 255) fail.
 */
function exactRunningSums(bits: Uint32Array, start: number, length: number): boolean {
  let top = 0;
  let lowest = Infinity;
  for (let i = start; i < start + length; i++) {
    const b = bits[i]! & 0x7fffffff;
    if (b === 0) continue;
    if (b > top) top = b;
    const significand = (b & 0x7fffff) | 0x800000;
    const low = Math.max(b >>> 23, 1) + 31 - Math.clz32(significand & -significand);
    if (low < lowest) lowest = low;
  }
  if (top === 0) return true;
  const eMax = top >>> 23;
  return eMax !== 255 && Math.ceil(Math.log2(length)) + eMax - 126 <= 53 + (lowest - 150);
}

/** A plane to average: its input and output, where they start, and the plan's geometry and divisors. */
interface Plane {
  readonly xd: Float32Array;
  readonly src: number;
  readonly y: Float32Array;
  readonly dst: number;
  readonly g: Geometry3d;
  readonly div: Float64Array;
  /** An empty window's value. */
  readonly empty: number;
}

/** One plane by running sums (see above): `Q` holds (H + 1) * ow values, `P` W + 1. */
function runningPlane({ xd, src, y, dst, g, div, empty }: Plane, P: Float64Array, Q: Float64Array): void {
  const [wd, wh, ww] = g.windows;
  const [, H, W] = g.inDims;
  const [od, oh, ow] = g.outDims;
  for (let d = 0; d < od; d++) {
    const d0 = wd.first[d]!, dn = wd.count[d]!;
    for (let h = 0; h < H; h++) {
      const row = (h + 1) * ow;
      for (let o = 0; o < ow; o++) Q[row + o] = Q[row - ow + o]!;
      for (let i = 0; i < dn; i++) {
        const start = src + ((d0 + i) * H + h) * W;
        let running = 0;
        for (let w = 0; w < W; w++) P[w + 1] = running += xd[start + w]!;
        for (let o = 0; o < ow; o++) {
          const first = ww.first[o]!;
          Q[row + o]! += P[first + ww.count[o]!]! - P[first]!;
        }
      }
    }
    for (let h = 0; h < oh; h++) {
      const top = wh.first[h]! * ow;
      const bottom = (wh.first[h]! + wh.count[h]!) * ow;
      const out = (d * oh + h) * ow;
      for (let o = 0; o < ow; o++) {
        const q = div[out + o]!;
        y[dst + out + o] = q === 0 ? empty : (Q[bottom + o]! - Q[top + o]!) / q;
      }
    }
  }
}

/** The arrays split sums of a plan's planes work in (see splitPlane). */
interface SplitScratch {
  readonly suffix: Float64Array;
  readonly prefix: Float64Array;
  readonly slices: Float64Array;
  /** Per input row: its width-window sums, turned into suffix sums down the rows block by block. */
  readonly tails: Float64Array;
  /** The prefix sums down the rows of the width-window sums. */
  readonly heads: Float64Array;
  readonly sums: Float64Array;
  readonly row: Float64Array;
}

function splitScratch(g: Geometry3d): SplitScratch {
  const [, H, W] = g.inDims;
  const ow = g.outDims[2];
  return {
    suffix: new Float64Array(W),
    prefix: new Float64Array(W + 1),
    slices: new Float64Array(W),
    tails: new Float64Array(H * ow),
    heads: new Float64Array((H + 1) * ow),
    sums: new Float64Array(ow),
    row: new Float64Array(ow),
  };
}

/** One plane by split sums (see above). */
function splitPlane({ xd, src, y, dst, g, div, empty }: Plane, at: SplitScratch): void {
  const [wd, wh, ww] = g.windows;
  const [, H, W] = g.inDims;
  const [od, oh, ow] = g.outDims;
  const blockW = Math.max(1, largest(ww.count));
  const blockH = Math.max(1, largest(wh.count));
  const kindsW = windowKinds(ww, W, blockW);
  const kindsH = windowKinds(wh, H, blockH);
  const { suffix, prefix, slices, tails, heads, sums } = at;
  /** Row h's width-window sums (over the depth window's slices) into `out` from `first`. */
  const windowSumsOfRow = (d0: number, dn: number, h: number, out: Float64Array, first: number) => {
    let row: Float32Array | Float64Array = xd;
    let start = src + (d0 * H + h) * W;
    if (dn > 1) {
      for (let w = 0; w < W; w++) {
        let sum = 0;
        for (let i = 0; i < dn; i++) sum += xd[src + ((d0 + i) * H + h) * W + w]!;
        slices[w] = sum;
      }
      row = slices;
      start = 0;
    }
    rowSplitSums(row, start, W, blockW, suffix, prefix);
    rowWindowSums(row, start, ww, kindsW, suffix, prefix, out, first);
  };
  for (let d = 0; d < od; d++) {
    const d0 = wd.first[d]!, dn = wd.count[d]!;
    const out = d * oh * ow;
    if (dn === 0) {
      y.fill(empty, dst + out, dst + out + oh * ow);
      continue;
    }
    for (let first = 0; first < H; first += blockH) {
      const end = Math.min(first + blockH, H);
      heads.fill(0, first * ow, (first + 1) * ow);
      for (let h = first; h < end; h++) {
        windowSumsOfRow(d0, dn, h, tails, h * ow);
        for (let o = 0; o < ow; o++) heads[(h + 1) * ow + o] = heads[h * ow + o]! + tails[h * ow + o]!;
      }
      for (let h = end - 2; h >= first; h--) {
        for (let o = 0; o < ow; o++) tails[h * ow + o] = tails[h * ow + o]! + tails[(h + 1) * ow + o]!;
      }
    }
    if (H % blockH === 0) heads.fill(0, H * ow, (H + 1) * ow);
    for (let h = 0; h < oh; h++) {
      const s = wh.first[h]!;
      const e = s + wh.count[h]!;
      const kind = kindsH[h];
      if (kind === TAIL_AND_HEAD) for (let o = 0; o < ow; o++) sums[o] = tails[s * ow + o]! + heads[e * ow + o]!;
      else if (kind === TAIL) sums.set(tails.subarray(s * ow, (s + 1) * ow));
      else if (kind === HEAD) sums.set(heads.subarray(e * ow, (e + 1) * ow));
      else sums.fill(0);
      if (kind === ONE_BY_ONE) {
        for (let t = s; t < e; t++) {
          windowSumsOfRow(d0, dn, t, at.row, 0);
          for (let o = 0; o < ow; o++) sums[o] = sums[o]! + at.row[o]!;
        }
      }
      const row = (d * oh + h) * ow;
      for (let o = 0; o < ow; o++) {
        const q = div[row + o]!;
        y[dst + row + o] = q === 0 ? empty : sums[o]! / q;
      }
    }
  }
}

export function runningAverageForward(plan: PoolPlan, x: Tensor<Float32Array>, g: Geometry3d): Float32Array {
  const r = plan.reducer;
  if (r.op !== 'avg') throw new Error('running sums of a non-average plan');
  const empty = r.emptyWindow === 'nan' ? NaN : 0;
  const div = divisors(plan, g);
  const [, H, W] = g.inDims;
  const ow = g.outDims[2];
  const y = new Float32Array(plan.batch * plan.channels * plan.outputSpatialSize);
  const xd = x.data;
  const bits = new Uint32Array(xd.buffer, xd.byteOffset, xd.length);
  let P: Float64Array | undefined;
  let Q: Float64Array | undefined;
  let split: SplitScratch | undefined;
  for (let n = 0; n < plan.batch; n++) {
    for (let c = 0; c < plan.channels; c++) {
      const src = planeLayout(plan, plan.inputSpatialSize, n, c).base;
      const plane: Plane = { xd, src, y, dst: planeLayout(plan, plan.outputSpatialSize, n, c).base, g, div, empty };
      if (exactRunningSums(bits, src, plan.inputSpatialSize)) {
        P ??= new Float64Array(W + 1);
        Q ??= new Float64Array((H + 1) * ow);
        runningPlane(plane, P, Q);
      } else {
        split ??= splitScratch(g);
        splitPlane(plane, split);
      }
    }
  }
  return y;
}
