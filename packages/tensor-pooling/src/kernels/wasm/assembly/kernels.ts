// AssemblyScript: the WebAssembly kernels. Compiled by scripts/build-wasm.mjs (asc --enable simd -O3,
// runtime stub) into src/kernels/wasm/gen/kernels.wasm and kernels-shared.wasm; excluded from the TypeScript build.
//
// The kernels only execute a plan. The host writes the plan's resolved windows into linear memory
// (the geometry block below) and passes raw byte addresses; nothing here allocates. Every rank runs
// as 3-D (depth, height, width), like the JS kernels.
//
// Numerics follow the reference kernel: sums of float32 values go in float64 and are rounded once;
// the generic kernels add taps in the reference's scan order (so float64 results are the same bits),
// and the float32 fast paths add each window's own values in other orders (or take them from running
// sums over a plane where those are exact), so that a window's result depends on its values alone.
//
// Geometry block (i32 words): 0 D, 1 H, 2 W (input), 3 OD, 4 OH, 5 OW (output), 6..8 tap steps
// (dilations) of D, H, W, 9 kernel volume (Lp rescale); from word 16: first, count and padded of the
// D windows (OD words each), then of H, then of W.

@external("env", "pow")
declare function hostPow(x: f64, y: f64): f64;

// Reducer flags.
const NAN_IGNORE: i32 = 1;
const TIES_LAST: i32 = 2;
const LP_SIGNED: i32 = 4;
const LP_RESCALE: i32 = 8;

// Divisor modes.
const DIVISOR_VALID: i32 = 0;
const DIVISOR_PADDED: i32 = 1;

@inline function word(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

// The plan being executed, bound from its geometry block by bind(): input height and width,
// output sizes, tap steps, and the window arrays (first tap, in-bounds count, padded count) of
// each axis.
let H: i32 = 0, W: i32 = 0, OD: i32 = 0, OH: i32 = 0, OW: i32 = 0;
let sD: i32 = 0, sH: i32 = 0, sW: i32 = 0;
let inSpatial: i32 = 0, outSpatial: i32 = 0;
let kernelVolume: f64 = 0;
let fD: usize = 0, cD: usize = 0, pD: usize = 0;
let fH: usize = 0, cH: usize = 0, pH: usize = 0;
let fW: usize = 0, cW: usize = 0, pW: usize = 0;

function bind(geo: usize): void {
  H = word(geo, 1);
  W = word(geo, 2);
  OD = word(geo, 3);
  OH = word(geo, 4);
  OW = word(geo, 5);
  sD = word(geo, 6);
  sH = word(geo, 7);
  sW = word(geo, 8);
  kernelVolume = <f64>word(geo, 9);
  inSpatial = word(geo, 0) * H * W;
  outSpatial = OD * OH * OW;
  fD = geo + 64;
  cD = fD + (<usize>OD << 2);
  pD = cD + (<usize>OD << 2);
  fH = pD + (<usize>OD << 2);
  cH = fH + (<usize>OH << 2);
  pH = cH + (<usize>OH << 2);
  fW = pH + (<usize>OH << 2);
  cW = fW + (<usize>OW << 2);
  pW = cW + (<usize>OW << 2);
}

@inline function at32(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}

@inline function loadAs<T>(base: usize, i: i32): f64 {
  return <f64>load<T>(base + (<usize>i << alignof<T>()));
}

@inline function storeAs<T>(base: usize, i: i32, v: f64): void {
  store<T>(base + (<usize>i << alignof<T>()), <T>v);
}

@inline function addF64(base: usize, i: i32, v: f64): void {
  const a = base + (<usize>i << 3);
  store<f64>(a, load<f64>(a) + v);
}

/** The divisor of output (d, h, w) (0 for an empty window). */
@inline function divisorOf(divMode: i32, divValue: f64, d: i32, h: i32, w: i32): f64 {
  const valid = at32(cD, d) * at32(cH, h) * at32(cW, w);
  if (valid == 0) return 0;
  if (divMode == DIVISOR_VALID) return <f64>valid;
  if (divMode == DIVISOR_PADDED) return <f64>at32(pD, d) * <f64>at32(pH, h) * <f64>at32(pW, w);
  return divValue;
}

/** Lp's rescale of output (d, h, w): kernel volume over padded count (PyTorch's formulation). */
@inline function lpScale(rescale: bool, d: i32, h: i32, w: i32): f64 {
  return rescale ? kernelVolume / (<f64>at32(pD, d) * <f64>at32(pH, h) * <f64>at32(pW, w)) : 1.0;
}

/** |v|^p or v^p, as the reference computes it (the host's pow, so the bits match). */
@inline function lpTerm(v: f64, p: f64, signed: bool): f64 {
  if (p == 2) return v * v;
  if (p == 1 && !signed) return abs<f64>(v);
  return hostPow(signed ? v : abs<f64>(v), p);
}

// The output window the generic kernels are at (row-major order): its index on each axis and
// its taps (first in-bounds tap, how many), moved by startWindows() and nextWindow().
let atD: i32 = 0, atH: i32 = 0, atW: i32 = 0;
let firstD: i32 = 0, countD: i32 = 0, firstH: i32 = 0, countH: i32 = 0, firstW: i32 = 0, countW: i32 = 0;

function startWindows(): void {
  atD = 0;
  atH = 0;
  atW = 0;
  firstD = at32(fD, 0);
  countD = at32(cD, 0);
  firstH = at32(fH, 0);
  countH = at32(cH, 0);
  firstW = at32(fW, 0);
  countW = at32(cW, 0);
}

function nextWindow(): void {
  if (++atW == OW) {
    atW = 0;
    if (++atH == OH) {
      atH = 0;
      if (++atD < OD) {
        firstD = at32(fD, atD);
        countD = at32(cD, atD);
      }
    }
    firstH = at32(fH, atH);
    countH = at32(cH, atH);
  }
  firstW = at32(fW, atW);
  countW = at32(cW, atW);
}

// ---------------------------------------------------------------------------------------------
// Generic kernels: any plan of rank <= 3, one plane at a time. A plane's elements sit `step`
// apart from element `xb` (input) and `yb` (output): channels-first planes are contiguous,
// channels-last planes interleave C channels. Taps go in the reference's scan order, so sums are
// its sums. Backward kernels scatter into a float64 `dx` (zeroed by the host) in output order.

const AVG_FORWARD: i32 = 0;
const MAX_FORWARD: i32 = 1;
const LP_FORWARD: i32 = 2;
const AVG_BACKWARD: i32 = 3;
const MAX_BACKWARD: i32 = 4;
const LP_BACKWARD: i32 = 5;

/**
 * Average forward (a = x, b = y; value = divisor override, extra = empty-window value) or
 * backward (a = dy, b = dx).
 */
function avgPlane<T>(a: usize, b: usize, xb: i32, yb: i32, step: i32, backward: bool, mode: i32, value: f64, extra: f64): void {
  startWindows();
  for (let o = 0; o < outSpatial; o++, nextWindow()) {
    const q = divisorOf(mode, value, atD, atH, atW);
    if (backward && q == 0) continue;
    const share = backward ? loadAs<T>(a, yb + o * step) / q : 0;
    let sum: f64 = 0;
    for (let i = 0; i < countD; i++) {
      const rowD = (firstD + i * sD) * H;
      for (let j = 0; j < countH; j++) {
        let p = xb + ((rowD + firstH + j * sH) * W + firstW) * step;
        const pStep = sW * step;
        if (backward) for (let k = 0; k < countW; k++, p += pStep) addF64(b, p, share);
        else for (let k = 0; k < countW; k++, p += pStep) sum += loadAs<T>(a, p);
      }
    }
    if (!backward) storeAs<T>(b, yb + o * step, q == 0 ? extra : sum / q);
  }
}

/** Max forward: value and per-plane flat index of each window's maximum (NaN and tie rules). */
function maxPlane<T>(x: usize, y: usize, indices: usize, xb: i32, yb: i32, step: i32, flags: i32): void {
  const nanIgnore = (flags & NAN_IGNORE) != 0;
  const tiesLast = (flags & TIES_LAST) != 0;
  startWindows();
  for (let o = 0; o < outSpatial; o++, nextWindow()) {
    let best: f64 = -Infinity;
    let bestAt = -1;
    let sawNaN = false;
    for (let i = 0; i < countD && !sawNaN; i++) {
      const rowD = (firstD + i * sD) * H;
      for (let j = 0; j < countH && !sawNaN; j++) {
        const rowH = (rowD + firstH + j * sH) * W + firstW;
        for (let k = 0; k < countW; k++) {
          const spatial = rowH + k * sW;
          const v = loadAs<T>(x, xb + spatial * step);
          if (v != v) {
            if (nanIgnore) continue;
            bestAt = spatial;
            sawNaN = true;
            break;
          }
          if (bestAt < 0 || v > best || (tiesLast && v == best)) {
            best = v;
            bestAt = spatial;
          }
        }
      }
    }
    storeAs<T>(y, yb + o * step, sawNaN ? NaN : best);
    store<i32>(indices + (<usize>(yb + o * step) << 2), bestAt);
  }
}

/** Routes each gradient to its window's maximum, given the forward pass's indices. */
function maxBackwardPlane<T>(dy: usize, dx: usize, indices: usize, xb: i32, yb: i32, step: i32): void {
  for (let o = 0; o < outSpatial; o++) {
    const spatial = at32(indices, yb + o * step);
    if (spatial >= 0) addF64(dx, xb + spatial * step, loadAs<T>(dy, yb + o * step));
  }
}

/**
 * Lp forward (a = x, b = y, c = yExact: each output's float64 value, when set) or backward
 * (a = x, b = dx, c = yExact from the forward pass, d = dy). y = (scale * sum f(x_i))^(1/p), so
 * dy/dx_i = scale * f'(x_i) * y^(1-p), evaluated in the reference's order of operations.
 */
function lpPlane<T>(a: usize, b: usize, c: usize, dyPtr: usize, xb: i32, yb: i32, step: i32, backward: bool, flags: i32, p: f64): void {
  const signed = (flags & LP_SIGNED) != 0;
  const rescale = (flags & LP_RESCALE) != 0;
  startWindows();
  for (let o = 0; o < outSpatial; o++, nextWindow()) {
    const scale = lpScale(rescale, atD, atH, atW);
    const at = yb + o * step;
    let factor: f64 = 0;
    let tail: f64 = 0;
    if (backward) {
      const value = load<f64>(c + (<usize>at << 3));
      if (value == 0) continue;
      factor = loadAs<T>(dyPtr, at) * scale;
      tail = hostPow(value, 1 - p);
    }
    let sum: f64 = 0;
    for (let i = 0; i < countD; i++) {
      const rowD = (firstD + i * sD) * H;
      for (let j = 0; j < countH; j++) {
        const rowH = (rowD + firstH + j * sH) * W + firstW;
        for (let k = 0; k < countW; k++) {
          const tap = xb + (rowH + k * sW) * step;
          const v = loadAs<T>(a, tap);
          if (!backward) sum += lpTerm(v, p, signed);
          else {
            const df = signed ? hostPow(v, p - 1) : Math.sign(v) * hostPow(abs<f64>(v), p - 1);
            addF64(b, tap, factor * df * tail);
          }
        }
      }
    }
    if (backward) continue;
    const value = hostPow(sum * scale, 1 / p);
    storeAs<T>(b, at, value);
    if (c) store<f64>(c + (<usize>at << 3), value);
  }
}

/** Runs one generic kernel over every plane (and channel lane) of the bound plan. */
function runGeneric<T>(kind: i32, a: usize, b: usize, c: usize, d: usize, batch: i32, channels: i32, last: i32, geo: usize, mode: i32, value: f64, extra: f64): void {
  bind(geo);
  const planes = last ? batch : batch * channels;
  const step = last ? channels : 1;
  for (let plane = 0; plane < planes; plane++) {
    for (let lane = 0; lane < step; lane++) {
      const xb = plane * inSpatial * step + lane;
      const yb = plane * outSpatial * step + lane;
      if (kind == AVG_FORWARD || kind == AVG_BACKWARD) avgPlane<T>(a, b, xb, yb, step, kind == AVG_BACKWARD, mode, value, extra);
      else if (kind == MAX_FORWARD) maxPlane<T>(a, b, c, xb, yb, step, mode);
      else if (kind == MAX_BACKWARD) maxBackwardPlane<T>(a, b, c, xb, yb, step);
      else lpPlane<T>(a, b, c, d, xb, yb, step, kind == LP_BACKWARD, mode, value);
    }
  }
}

// Exports, one per dtype; `last` is 1 for channels-last. Forward: a = x, b = y, c = indices (max)
// or float64 outputs (Lp, optional). Backward: a = dy (x for Lp), b = dx (float64), c = indices
// (max) or the forward's float64 outputs (Lp), d = dy (Lp). mode: divisor mode (avg) or flags.

export function generic_f32(kind: i32, a: usize, b: usize, c: usize, d: usize, n: i32, ch: i32, last: i32, geo: usize, mode: i32, value: f64, extra: f64): void {
  runGeneric<f32>(kind, a, b, c, d, n, ch, last, geo, mode, value, extra);
}
export function generic_f64(kind: i32, a: usize, b: usize, c: usize, d: usize, n: i32, ch: i32, last: i32, geo: usize, mode: i32, value: f64, extra: f64): void {
  runGeneric<f64>(kind, a, b, c, d, n, ch, last, geo, mode, value, extra);
}

/** Rounds a float64 buffer into float32 (the single rounding of a float32 gradient). */
export function demote_f64_to_f32(src: usize, dst: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const lo = f32x4.demote_f64x2_zero(v128.load(src + (<usize>i << 3)));
    const hi = f32x4.demote_f64x2_zero(v128.load(src + (<usize>i << 3), 16));
    v128.store(dst + (<usize>i << 2), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
  }
  for (; i < length; i++) store<f32>(dst + (<usize>i << 2), <f32>load<f64>(src + (<usize>i << 3)));
}

// ---------------------------------------------------------------------------------------------
// Float32 fast paths. Each sums a window's own float32 values in float64 (in any order: the sums are
// exact for values within about 2^29 of each other in magnitude, and err as little as the
// reference's otherwise) and scales the sum once.

@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/**
 * Float64 sum of `length` float32 values from `p`, with eight lanes in flight: value i goes to lane
 * i % 8 (pairs promoted straight from memory, no shuffle), the lanes are reduced as
 * ((l0 + l2) + (l4 + l6)) + ((l1 + l3) + (l5 + l7)), and the last length % 8 values are added in
 * order. The sum of a small plane (SMALL_PLANE values at most); docs/numerics.md states the order.
 */
function sumF32(p: usize, length: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  const end = p + (<usize>(length & ~7) << 2);
  for (let at = p; at < end; at += 32) {
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v128.load64_zero(at)));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.load64_zero(at, 8)));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v128.load64_zero(at, 16)));
    a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.load64_zero(at, 24)));
  }
  const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (let i = length & ~7; i < length; i++) sum += <f64>load<f32>(p + (<usize>i << 2));
  return sum;
}

/**
 * sumF32 with sixteen lanes: value i to lane i % 16, the lanes reduced as
 * (((l0 + l2) + (l4 + l6)) + ((l8 + l10) + (l12 + l14))) + (the same of the odd lanes), the last
 * length % 16 values added in order. Eight chains of additions hide the latency of each, so a
 * long plane streams at the memory's pace (four chains held one thread to about 80% of it).
 */
function sumF32Wide(p: usize, length: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let a4 = f64x2.splat(0), a5 = f64x2.splat(0), a6 = f64x2.splat(0), a7 = f64x2.splat(0);
  const end = p + (<usize>(length & ~15) << 2);
  for (let at = p; at < end; at += 64) {
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v128.load64_zero(at)));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.load64_zero(at, 8)));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v128.load64_zero(at, 16)));
    a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.load64_zero(at, 24)));
    a4 = f64x2.add(a4, f64x2.promote_low_f32x4(v128.load64_zero(at, 32)));
    a5 = f64x2.add(a5, f64x2.promote_low_f32x4(v128.load64_zero(at, 40)));
    a6 = f64x2.add(a6, f64x2.promote_low_f32x4(v128.load64_zero(at, 48)));
    a7 = f64x2.add(a7, f64x2.promote_low_f32x4(v128.load64_zero(at, 56)));
  }
  const s = f64x2.add(f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)), f64x2.add(f64x2.add(a4, a5), f64x2.add(a6, a7)));
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (let i = length & ~15; i < length; i++) sum += <f64>load<f32>(p + (<usize>i << 2));
  return sum;
}

/**
 * Planes of at most this many values are small: summed by sumF32 (two at a time in
 * global_avg_cf_f32, where a plane's few additions would otherwise wait on each other), larger
 * ones a chunk at a time by sumF32Wide.
 */
const SMALL_PLANE: i32 = 256;

/**
 * Values per chunk of a global average's plane. A large plane's sum is its chunks' sums
 * (sumF32Wide each) added in chunk order, so a plane split across threads at chunk boundaries
 * (sum_chunks_f32 per thread, the slots added in order afterwards) gives the same bits as one
 * thread; the chunk is a constant of the kernel, never of the thread count. 2^16 values (256 KiB)
 * are few enough to balance two threads on three planes (G) and many enough that adding the chunk
 * sums costs nothing.
 */
const GLOBAL_CHUNK: i32 = 1 << 16;

/** The values per chunk of a global average's plane (GLOBAL_CHUNK), for the hosts that split planes. */
export function global_chunk_values(): i32 {
  return GLOBAL_CHUNK;
}

/**
 * The sum of chunk `k` of a plane of `size` values, the chunk's values at `at` (a small plane is
 * one chunk, summed by sumF32).
 */
@inline function chunkSumF32(at: usize, size: i32, k: i32): f64 {
  if (size <= SMALL_PLANE) return sumF32(at, size);
  return sumF32Wide(at, min(GLOBAL_CHUNK, size - k * GLOBAL_CHUNK));
}

/**
 * The sums of chunks [first, end) of a plane of `size` float32 values (chunk k: the plane's values
 * [k * GLOBAL_CHUNK, min((k + 1) * GLOBAL_CHUNK, size))), whose values from chunk `first` on lie
 * at `x`, each into its float64 slot: chunk k's at `slots + 8 * (k - first)`. The plane's sum is
 * its chunks' slots added in chunk order (from +0): the bits of global_avg_cf_f32's sum whichever
 * ranges the chunks were summed in, and wherever (a thread's share of a plane in place, a piece of
 * one copied in).
 */
export function sum_chunks_f32(x: usize, size: i32, first: i32, end: i32, slots: usize): void {
  for (let k = first; k < end; k++) {
    const at = x + (<usize>(k - first) * <usize>GLOBAL_CHUNK << 2);
    store<f64>(slots + (<usize>(k - first) << 3), chunkSumF32(at, size, k));
  }
}

/** A plane's sum as sum_chunks_f32's slots added in order make it. */
function planeSumF32(plane: usize, size: i32): f64 {
  let sum: f64 = 0;
  for (let k = 0; k * GLOBAL_CHUNK < size; k++) sum += chunkSumF32(plane + (<usize>k * <usize>GLOBAL_CHUNK << 2), size, k);
  return sum;
}

/** Two float32 values, one from each of `p` and `q`, as the lanes of a float64 pair. */
@inline function promotePair(p: usize, q: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load32_lane(q, v128.load32_zero(p), 1));
}

/** Global average, channels-first: one contiguous plane of `size` values per output. */
export function global_avg_cf_f32(x: usize, y: usize, planes: i32, size: i32, divisor: f64): void {
  // Two planes at once, summed as sumF32 does (the same pairs into the same four accumulators,
  // reduced in the same order), each lane of a pair holding one plane's sum: small planes (7x7
  // heads) otherwise wait on one short chain of additions after another. Pairs of values are
  // promoted straight from memory, which takes no shuffle. The accumulators start from the first
  // eight values rather than from 0 + them (one addition less on each chain): that differs only
  // where a sum of -0s alone comes out -0, and adding +0 before the division makes it +0 again.
  const divisors = f64x2.splat(divisor);
  const bytes = <usize>size << 2;
  const whole = size & ~7;
  let plane = 0;
  // Larger planes go one at a time (planeSumF32), with their own order.
  for (; plane + 2 <= planes && size <= SMALL_PLANE; plane += 2) {
    const p = x + <usize>plane * bytes;
    const q = p + bytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
    if (whole) {
      a0 = f64x2.promote_low_f32x4(v128.load64_zero(p));
      b0 = f64x2.promote_low_f32x4(v128.load64_zero(q));
      a1 = f64x2.promote_low_f32x4(v128.load64_zero(p, 8));
      b1 = f64x2.promote_low_f32x4(v128.load64_zero(q, 8));
      a2 = f64x2.promote_low_f32x4(v128.load64_zero(p, 16));
      b2 = f64x2.promote_low_f32x4(v128.load64_zero(q, 16));
      a3 = f64x2.promote_low_f32x4(v128.load64_zero(p, 24));
      b3 = f64x2.promote_low_f32x4(v128.load64_zero(q, 24));
    }
    for (let at: usize = whole ? 32 : 0; at < (<usize>whole << 2); at += 32) {
      a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v128.load64_zero(p + at)));
      b0 = f64x2.add(b0, f64x2.promote_low_f32x4(v128.load64_zero(q + at)));
      a1 = f64x2.add(a1, f64x2.promote_low_f32x4(v128.load64_zero(p + at, 8)));
      b1 = f64x2.add(b1, f64x2.promote_low_f32x4(v128.load64_zero(q + at, 8)));
      a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v128.load64_zero(p + at, 16)));
      b2 = f64x2.add(b2, f64x2.promote_low_f32x4(v128.load64_zero(q + at, 16)));
      a3 = f64x2.add(a3, f64x2.promote_low_f32x4(v128.load64_zero(p + at, 24)));
      b3 = f64x2.add(b3, f64x2.promote_low_f32x4(v128.load64_zero(q + at, 24)));
    }
    const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    const t = f64x2.add(f64x2.add(b0, b1), f64x2.add(b2, b3));
    let sums = f64x2.add(v128.shuffle<f64>(s, t, 0, 2), v128.shuffle<f64>(s, t, 1, 3));
    for (let i = whole; i < size; i++) sums = f64x2.add(sums, promotePair(p + (<usize>i << 2), q + (<usize>i << 2)));
    const means = f32x4.demote_f64x2_zero(f64x2.div(f64x2.add(sums, f64x2.splat(0)), divisors));
    store<f64>(y + (<usize>plane << 2), f64x2.extract_lane(means, 0));
  }
  for (; plane < planes; plane++) {
    const sum = planeSumF32(x + (<usize>plane * <usize>size << 2), size);
    store<f32>(y + (<usize>plane << 2), <f32>(sum / divisor));
  }
}

/**
 * Stores `count` float64 sums over `q` as float32 (or `empty` when q is 0). The fast paths
 * multiply by 1/q instead of dividing (a division costs several multiplications): the float64
 * quotient is then within 2 float64 ulps of the exact one, and its float32 rounding within 1
 * float32 ulp of the exact mean (identical to the reference's unless the mean lies within 2^-52
 * of a float32 rounding boundary; identical always when q is a power of two).
 */
function storeRowF32(acc: usize, y: usize, count: i32, q: f64, empty: f64): void {
  let o = 0;
  if (q == 0) {
    for (; o < count; o++) store<f32>(y + (<usize>o << 2), <f32>empty);
    return;
  }
  const reciprocal = 1 / q;
  const r = f64x2.splat(reciprocal);
  for (; o + 4 <= count; o += 4) {
    const lo = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(acc + (<usize>o << 3)), r));
    const hi = f32x4.demote_f64x2_zero(f64x2.mul(v128.load(acc + (<usize>o << 3), 16), r));
    v128.store(y + (<usize>o << 2), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
  }
  for (; o < count; o++) store<f32>(y + (<usize>o << 2), <f32>(load<f64>(acc + (<usize>o << 3)) * reciprocal));
}

/** Float64 sums of the pairs (even[i] + odd[i]) of lanes 0-1, or of lanes 2-3 with `high`. */
@inline function pairSums(even: v128, odd: v128, high: bool): v128 {
  return high
    ? f64x2.add(promoteHigh(even), promoteHigh(odd))
    : f64x2.add(f64x2.promote_low_f32x4(even), f64x2.promote_low_f32x4(odd));
}

/** Four float32 lanes: the float64 sums `lo` (lanes 0-1) and `hi` (2-3) times `scale`. */
@inline function demoteScaled(lo: v128, hi: v128, scale: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(f64x2.mul(lo, scale)), f32x4.demote_f64x2_zero(f64x2.mul(hi, scale)), 0, 1, 4, 5);
}

/**
 * Channels-first average whose width windows are exactly the pairs (2o, 2o+1) (kernel 2, stride 2,
 * no width padding): four outputs at a time, their float64 sums kept in registers over the rows of
 * the depth and height windows, then scaled by 1/q (see storeRowF32).
 */
export function avg_pairs_cf_f32(x: usize, y: usize, planes: i32, geo: usize, mode: i32, value: f64, empty: f64): void {
  bind(geo);
  // Rows share their divisor but for the edges: divide only when it changes (small maps have
  // more rows than outputs per row).
  let lastQ: f64 = 0, reciprocal: f64 = Infinity;
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    let yRow = y + (<usize>plane * <usize>outSpatial << 2);
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      for (let h = 0; h < OH; h++, yRow += <usize>OW << 2) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        // Every width window holds two taps, none padded: one divisor along the row.
        const q = divisorOf(mode, value, d, h, 0);
        if (q != lastQ) {
          lastQ = q;
          reciprocal = 1 / q;
        }
        const scale = f64x2.splat(reciprocal);
        let o = 0;
        for (; o + 4 <= OW; o += 4) {
          let lo = f64x2.splat(0), hi = f64x2.splat(0);
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const p = xb + (<usize>(((d0 + i * sD) * H + h0 + j * sH) * W + 2 * o) << 2);
              const u = v128.load(p), v = v128.load(p, 16);
              const even = v128.shuffle<f32>(u, v, 0, 2, 4, 6);
              const odd = v128.shuffle<f32>(u, v, 1, 3, 5, 7);
              lo = f64x2.add(lo, pairSums(even, odd, false));
              hi = f64x2.add(hi, pairSums(even, odd, true));
            }
          }
          v128.store(yRow + (<usize>o << 2), q == 0 ? f32x4.splat(<f32>empty) : demoteScaled(lo, hi, scale));
        }
        for (; o < OW; o++) {
          let sum: f64 = 0;
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const p = xb + (<usize>(((d0 + i * sD) * H + h0 + j * sH) * W + 2 * o) << 2);
              sum += <f64>load<f32>(p) + <f64>load<f32>(p, 4);
            }
          }
          store<f32>(yRow + (<usize>o << 2), <f32>(q == 0 ? empty : sum * reciprocal));
        }
      }
    }
  }
}

/**
 * avg_pairs_cf_f32 where the height windows are exactly the row pairs too and nothing is left
 * over (H = 2 OH, W = 2 OW, one depth): every output row r of every plane reads input rows 2r and
 * 2r + 1, so the planes run as one sequence of `rows` row pairs without window tables, and every
 * window has the divisor `q`. Sums in the same order as avg_pairs_cf_f32 (the same bits).
 */
export function avg_quads_cf_f32(x: usize, y: usize, rows: i32, OW: i32, q: f64): void {
  const reciprocal = 1 / q;
  const scale = f64x2.splat(reciprocal);
  const rowBytes = <usize>OW << 3;
  for (let r = 0; r < rows; r++) {
    const top = x + <usize>r * (rowBytes << 1);
    const bottom = top + rowBytes;
    const yRow = y + (<usize>r * <usize>OW << 2);
    let o = 0;
    for (; o + 4 <= OW; o += 4) {
      const at = <usize>o << 3;
      const u0 = v128.load(top + at), v0 = v128.load(top + at, 16);
      const u1 = v128.load(bottom + at), v1 = v128.load(bottom + at, 16);
      const even0 = v128.shuffle<f32>(u0, v0, 0, 2, 4, 6), odd0 = v128.shuffle<f32>(u0, v0, 1, 3, 5, 7);
      const even1 = v128.shuffle<f32>(u1, v1, 0, 2, 4, 6), odd1 = v128.shuffle<f32>(u1, v1, 1, 3, 5, 7);
      const zero = f64x2.splat(0);
      const lo = f64x2.add(f64x2.add(zero, pairSums(even0, odd0, false)), pairSums(even1, odd1, false));
      const hi = f64x2.add(f64x2.add(zero, pairSums(even0, odd0, true)), pairSums(even1, odd1, true));
      v128.store(yRow + (<usize>o << 2), demoteScaled(lo, hi, scale));
    }
    for (; o < OW; o++) {
      const at = <usize>o << 3;
      let sum: f64 = 0;
      sum += <f64>load<f32>(top + at) + <f64>load<f32>(top + at, 4);
      sum += <f64>load<f32>(bottom + at) + <f64>load<f32>(bottom + at, 4);
      store<f32>(yRow + (<usize>o << 2), <f32>(sum * reciprocal));
    }
  }
}

/**
 * Float64 sums of the pairs (2o, 2o+1) of float32 values from `p`: of the first four values, or
 * with `high` of the next four. Two values per load, promoted straight from memory, so that each
 * half loads only the values it adds.
 */
@inline function rowPairSums(p: usize, high: bool): v128 {
  const q = high ? p + 16 : p;
  const a = f64x2.promote_low_f32x4(v128.load64_zero(q)), b = f64x2.promote_low_f32x4(v128.load64_zero(q, 8));
  return f64x2.add(v128.shuffle<f64>(a, b, 0, 2), v128.shuffle<f64>(a, b, 1, 3));
}

/**
 * acc[o] = (0 with `first`, else acc[o]) + the float64 sum of the pair (2o, 2o+1) of the float32
 * row at `row`, for the OW outputs of a row (`acc` as many float64s as the row has bytes).
 */
@inline function addRowPairs(row: usize, acc: usize, OW: i32, first: bool): void {
  const whole = OW & ~3;
  for (let o = 0; o < whole; o += 4) {
    const at = <usize>o << 3;
    const lo = first ? f64x2.splat(0) : v128.load(acc + at);
    const hi = first ? f64x2.splat(0) : v128.load(acc + at, 16);
    v128.store(acc + at, f64x2.add(lo, rowPairSums(row + at, false)));
    v128.store(acc + at, f64x2.add(hi, rowPairSums(row + at, true)), 16);
  }
  for (let o = whole; o < OW; o++) {
    const at = <usize>o << 3;
    store<f64>(acc + at, (first ? 0 : load<f64>(acc + at)) + (<f64>load<f32>(row + at) + <f64>load<f32>(row + at, 4)));
  }
}

/** Adds the pairs of the last row of the windows to `acc` (see addRowPairs) and stores the sums times 1/q at `y`. */
@inline function finishRowPairs(row: usize, acc: usize, y: usize, OW: i32, reciprocal: f64): void {
  const scale = f64x2.splat(reciprocal);
  const whole = OW & ~3;
  for (let o = 0; o < whole; o += 4) {
    const at = <usize>o << 3;
    const lo = f64x2.add(v128.load(acc + at), rowPairSums(row + at, false));
    const hi = f64x2.add(v128.load(acc + at, 16), rowPairSums(row + at, true));
    v128.store(y + (<usize>o << 2), demoteScaled(lo, hi, scale));
  }
  for (let o = whole; o < OW; o++) {
    const at = <usize>o << 3;
    const sum = load<f64>(acc + at) + (<f64>load<f32>(row + at) + <f64>load<f32>(row + at, 4));
    store<f32>(y + (<usize>o << 2), <f32>(sum * reciprocal));
  }
}

/**
 * avg_quads_cf_f32 in three dimensions: 2x2x2 tiles, nothing padded or left over (D = 2 OD,
 * H = 2 OH, W = 2 OW). Every depth pair of every plane is a slab of two depth slices; output row
 * r reads rows 2r and 2r + 1 of both. The rows go one at a time, in memory order within a band
 * of `band` output rows of one slice, then of the other, each adding its pairs to the band's
 * float64 sums in `scratch` (band * OW values). From memory, reading the two rows of a window
 * side by side ran at 10-14 GB/s against 16-21 on slices 128 and 256 wide, and alternating
 * between the slices every few rows at about half the speed of whole 64x64 slices in one band.
 * Sums in the same order as avg_pairs_cf_f32 (depth, then height: the same bits), every window
 * over `q`; starting from 0 makes a window of -0s average to +0, as the reference's sums do.
 */
export function avg_octets_cf_f32(x: usize, y: usize, slabs: i32, OH: i32, OW: i32, q: f64, band: i32, scratch: usize): void {
  const reciprocal = 1 / q;
  const rowBytes = <usize>OW << 3;
  const sliceBytes = <usize>OH * (rowBytes << 1);
  let yRow = y;
  for (let s = 0; s < slabs; s++) {
    const slab = x + <usize>s * (sliceBytes << 1);
    for (let first = 0; first < OH; first += band) {
      const rows = min(band, OH - first);
      let row = slab + <usize>first * (rowBytes << 1);
      for (let r = 0, acc = scratch; r < rows; r++, acc += rowBytes, row += rowBytes << 1) {
        addRowPairs(row, acc, OW, true);
        addRowPairs(row + rowBytes, acc, OW, false);
      }
      row = slab + sliceBytes + <usize>first * (rowBytes << 1);
      for (let r = 0, acc = scratch; r < rows; r++, acc += rowBytes, row += rowBytes << 1, yRow += <usize>OW << 2) {
        addRowPairs(row, acc, OW, false);
        finishRowPairs(row + rowBytes, acc, yRow, OW, reciprocal);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Float32 channels-first averages with unit tap steps at a cost per output that does not grow with
// the window's height and width: split sums. Along an axis cut into blocks as long as its longest
// window, a window is the tail of one block and the head of the next, so its sum is the tail's
// suffix sum plus the head's prefix sum (van Herk's and Gil and Werman's scheme for running
// maxima, applied to sums). Depth windows add their slices row by row; width windows are split
// over each such row; height windows over the rows of width-window sums. Every partial sum holds
// only values of the windows it serves: a window's sum, and its error, depend on its own values
// alone, and a NaN or an infinity reaches only the windows that hold it. (Prefix sums over a whole
// row, differenced, did not: a huge value anywhere before a window of ones cancelled every bit of
// it, issue 11; such running sums serve only planes where they are exact, see avg_running_cf_f32.)
// No partial sum is -0 (every chain starts from +0), so a window of -0 averages to +0, as the
// reference's sums do.

/** Block lengths of the plan being executed: its longest width and height windows (at least 1). */
let blockW = 1, blockH = 1;

/** Taps p and p + 1 of a row of T (float32 input, or float64 sums of depth slices) as float64. */
@inline function twoTaps<T>(row: usize, p: usize): v128 {
  return sizeof<T>() == 4 ? f64x2.promote_low_f32x4(v128.load64_zero(row + (p << 2))) : v128.load(row + (p << 3));
}

/** Tap t of two rows of T, `a` and `b`, as a float64 pair (lane 0 from `a`). */
@inline function tapPair<T>(a: usize, b: usize, t: i32): v128 {
  const p = <usize>t << alignof<T>();
  return sizeof<T>() == 4
    ? f64x2.promote_low_f32x4(v128.load32_lane(b + p, v128.load32_zero(a + p), 1))
    : v128.load64_lane(b + p, v128.load64_zero(a + p), 1);
}

/**
 * Stores `sum` + t0, `sum` + (t0 + t1), `sum` + ((t0 + t1) + t2) and returns, stored too,
 * `sum` + ((t0 + t1) + (t2 + t3)): four steps of a chain of sums with one dependent addition. The
 * stores go 16 bytes apart from `at`, up (`ahead`) or down.
 */
@inline function fourSums(sum: v128, t0: v128, t1: v128, t2: v128, t3: v128, at: usize, ahead: bool): v128 {
  const t01 = f64x2.add(t0, t1);
  const next = f64x2.add(sum, f64x2.add(t01, f64x2.add(t2, t3)));
  v128.store(at, f64x2.add(sum, t0));
  v128.store(ahead ? at + 16 : at - 16, f64x2.add(sum, t01));
  v128.store(ahead ? at + 32 : at - 32, f64x2.add(sum, f64x2.add(t01, t2)));
  v128.store(ahead ? at + 48 : at - 48, next);
  return next;
}

/**
 * The split sums of two rows of T, `a` and `b` (rows r and r + 1), in float64 pairs (lane 0 from
 * `a`): `suffix[t]` sums taps t to the end of t's block, `prefix[t]` the taps of t's block before
 * t (0 at a block's first tap), for t up to W. A block's forward and backward chains go side by
 * side, four taps a step. A lone row goes as a pair with itself.
 */
function rowPairSplitSums<T>(a: usize, b: usize, suffix: usize, prefix: usize): void {
  const zero = f64x2.splat(0);
  let start = 0;
  for (; start < W; start += blockW) {
    const end = min(start + blockW, W);
    const length = end - start;
    v128.store(prefix + (<usize>start << 4), zero);
    let ahead = zero, behind = zero;
    let k = 0;
    for (; k + 4 <= length; k += 4) {
      const p = <usize>(start + k);
      const a01 = twoTaps<T>(a, p), a23 = twoTaps<T>(a, p + 2), b01 = twoTaps<T>(b, p), b23 = twoTaps<T>(b, p + 2);
      const t0 = v128.shuffle<f64>(a01, b01, 0, 2), t1 = v128.shuffle<f64>(a01, b01, 1, 3);
      ahead = fourSums(ahead, t0, t1, v128.shuffle<f64>(a23, b23, 0, 2), v128.shuffle<f64>(a23, b23, 1, 3), prefix + (p << 4) + 16, true);
      const q = <usize>(end - k - 4);
      const c01 = twoTaps<T>(a, q), c23 = twoTaps<T>(a, q + 2), d01 = twoTaps<T>(b, q), d23 = twoTaps<T>(b, q + 2);
      const s3 = v128.shuffle<f64>(c23, d23, 1, 3), s2 = v128.shuffle<f64>(c23, d23, 0, 2);
      behind = fourSums(behind, s3, s2, v128.shuffle<f64>(c01, d01, 1, 3), v128.shuffle<f64>(c01, d01, 0, 2), suffix + (q << 4) + 48, false);
    }
    for (; k < length; k++) {
      ahead = f64x2.add(ahead, tapPair<T>(a, b, start + k));
      v128.store(prefix + (<usize>(start + k + 1) << 4), ahead);
      behind = f64x2.add(behind, tapPair<T>(a, b, end - 1 - k));
      v128.store(suffix + (<usize>(end - 1 - k) << 4), behind);
    }
  }
  // W closes a whole block: prefix[W] is the (empty) head of the next one.
  if (start == W) v128.store(prefix + (<usize>W << 4), zero);
}

/**
 * The sums of the width window of `count` taps from `first` in rows `a` and `b`, over their split
 * sums. A window is at most a block long: a suffix plus the next block's prefix, or one of them,
 * or (a window inside a block that touches neither end, which no plan makes today: clipped windows
 * touch the map's edge, adaptive bins are at most one tap shorter than the longest) its taps added
 * one by one.
 */
function widthWindowPairSum<T>(a: usize, b: usize, suffix: usize, prefix: usize, first: i32, count: i32): v128 {
  if (count == 0) return f64x2.splat(0);
  const end = first + count;
  const blockStart = first - first % blockW;
  if (end >= blockStart + blockW) return f64x2.add(v128.load(suffix + (<usize>first << 4)), v128.load(prefix + (<usize>end << 4)));
  if (first == blockStart) return v128.load(prefix + (<usize>end << 4));
  if (end == W) return v128.load(suffix + (<usize>first << 4));
  let sum = f64x2.splat(0);
  for (let t = first; t < end; t++) sum = f64x2.add(sum, tapPair<T>(a, b, t));
  return sum;
}

/**
 * The width-window sums of rows `a` and `b` (r and r + 1) into `outA` and `outB` (OW float64
 * each), and the prefix sums down the rows: `headB` (row r + 1's) = `head` (row r's) + row r's
 * sums, `headC` (row r + 2's) = `headB` + row r + 1's, except at block starts (`newB`, `newC`):
 * their prefix is 0 (`zeros`), not written. The run of whole windows one apart (see findWholeRun)
 * goes two at a time.
 */
function rowPairWindowSums<T>(
  a: usize,
  b: usize,
  suffix: usize,
  prefix: usize,
  outA: usize,
  outB: usize,
  head: usize,
  headB: usize,
  headC: usize,
  newB: bool,
  newC: bool,
): void {
  const zero = f64x2.splat(0);
  let o = 0;
  while (o < OW) {
    if (o == wholeFrom && wholeTo - wholeFrom >= 2) {
      const first = at32(fW, o);
      let s = suffix + (<usize>first << 4), p = prefix + (<usize>(first + blockW) << 4);
      for (; o + 2 <= wholeTo; o += 2, s += 32, p += 32) {
        const m0 = f64x2.add(v128.load(s), v128.load(p)), m1 = f64x2.add(v128.load(s, 16), v128.load(p, 16));
        const at = <usize>o << 3;
        const sumsA = v128.shuffle<f64>(m0, m1, 0, 2), sumsB = v128.shuffle<f64>(m0, m1, 1, 3);
        v128.store(outA + at, sumsA);
        v128.store(outB + at, sumsB);
        const below = f64x2.add(v128.load(head + at), sumsA);
        if (!newB) v128.store(headB + at, below);
        if (!newC) v128.store(headC + at, f64x2.add(newB ? zero : below, sumsB));
      }
      if (o == wholeTo) continue;
    }
    const sums = widthWindowPairSum<T>(a, b, suffix, prefix, at32(fW, o), at32(cW, o));
    const at = <usize>o << 3;
    const sumA = f64x2.extract_lane(sums, 0), sumB = f64x2.extract_lane(sums, 1);
    store<f64>(outA + at, sumA);
    store<f64>(outB + at, sumB);
    const below = load<f64>(head + at) + sumA;
    if (!newB) store<f64>(headB + at, below);
    if (!newC) store<f64>(headC + at, (newB ? 0 : below) + sumB);
    o++;
  }
}

/** out = a + b, for rows of OW float64. */
function addRows(a: usize, b: usize, out: usize): void {
  let o = 0;
  for (; o + 2 <= OW; o += 2) {
    const at = <usize>o << 3;
    v128.store(out + at, f64x2.add(v128.load(a + at), v128.load(b + at)));
  }
  if (o < OW) store<f64>(out + (<usize>o << 3), load<f64>(a + (<usize>o << 3)) + load<f64>(b + (<usize>o << 3)));
}

/** Row `row` of depth slices d0 .. d0 + dn - 1 of the plane at `xb`, added in float64 at `out` (W values). */
function addSlices(xb: usize, d0: i32, dn: i32, row: i32, out: usize): void {
  const slice = <usize>H * <usize>W << 2;
  const first = xb + (<usize>((d0 * H + row) * W) << 2);
  let w = 0;
  for (; w + 4 <= W; w += 4) {
    let p = first + (<usize>w << 2);
    let v = v128.load(p);
    let lo = f64x2.promote_low_f32x4(v), hi = promoteHigh(v);
    for (let i = 1; i < dn; i++) {
      p += slice;
      v = v128.load(p);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, promoteHigh(v));
    }
    v128.store(out + (<usize>w << 3), lo);
    v128.store(out + (<usize>w << 3), hi, 16);
  }
  for (; w < W; w++) {
    let p = first + (<usize>w << 2);
    let sum = <f64>load<f32>(p);
    for (let i = 1; i < dn; i++) sum += <f64>load<f32>((p += slice));
    store<f64>(out + (<usize>w << 3), sum);
  }
}

// The divisor rule of the plan avg_running_cf_f32 executes (mode, override value, the value of an
// empty window), and the reciprocals of the divisors of an output row (OW float64 at
// `reciprocals`) for the row's factor of them, `rowFactor`.
let divMode: i32 = 0, divValue: f64 = 0, emptyValue: f64 = 0;
let reciprocals: usize = 0, rowFactor: f64 = -1;

/**
 * Makes `reciprocals` those of output row h of depth d (dn depth taps): 1/q for each window, one
 * rounding (the product is then within 2 float64 ulps of the quotient, see storeRowF32), or
 * `emptyValue` for a window without taps (whose sum, 0, times it is the empty window's value).
 * Rows share them but at the edges: they are worked out only when the row's factor changes.
 */
function useReciprocals(d: i32, h: i32, dn: i32): void {
  const factor = divMode == DIVISOR_VALID ? <f64>(dn * at32(cH, h)) : divMode == DIVISOR_PADDED ? <f64>at32(pD, d) * <f64>at32(pH, h) : 1;
  if (factor == rowFactor) return;
  rowFactor = factor;
  for (let o = 0; o < OW; o++) {
    const q = divMode == DIVISOR_VALID ? factor * <f64>at32(cW, o) : divMode == DIVISOR_PADDED ? factor * <f64>at32(pW, o) : divValue;
    store<f64>(reciprocals + (<usize>o << 3), at32(cW, o) == 0 ? emptyValue : 1 / q);
  }
}

/** Outputs o and o + 1 of the row at `yRow`: their float64 sums times their reciprocals, as float32. */
@inline function storeMeans(sums: v128, yRow: usize, o: i32): void {
  v128.store64_lane(yRow + (<usize>o << 2), f32x4.demote_f64x2_zero(f64x2.mul(sums, v128.load(reciprocals + (<usize>o << 3)))), 0);
}

/**
 * storeAverageRow of suffixRows + b after suffixRows = row + `above` (a block's suffix sums down
 * the rows gaining one row), in one pass.
 */
function storeAverageRowAdding(row: usize, above: usize, b: usize, yRow: usize, d: i32, h: i32, dn: i32): void {
  useReciprocals(d, h, dn);
  let o = 0;
  for (; o + 2 <= OW; o += 2) {
    const at = <usize>o << 3;
    const tail = f64x2.add(v128.load(row + at), v128.load(above + at));
    v128.store(suffixRows + at, tail);
    storeMeans(f64x2.add(tail, v128.load(b + at)), yRow, o);
  }
  if (o < OW) {
    const at = <usize>o << 3;
    const tail = load<f64>(row + at) + load<f64>(above + at);
    store<f64>(suffixRows + at, tail);
    store<f32>(yRow + (<usize>o << 2), <f32>((tail + load<f64>(b + at)) * load<f64>(reciprocals + at)));
  }
}

/**
 * Output row h of depth d (dn depth taps): the float64 sums a[o] + b[o] (a[o] - b[o] with
 * `difference`) times the reciprocals of their divisors (see useReciprocals); a row of windows
 * without taps is `emptyValue`.
 */
function storeAverageRow(a: usize, b: usize, difference: bool, yRow: usize, d: i32, h: i32, dn: i32): void {
  let o = 0;
  if (dn * at32(cH, h) == 0) {
    for (; o < OW; o++) store<f32>(yRow + (<usize>o << 2), <f32>emptyValue);
    return;
  }
  useReciprocals(d, h, dn);
  for (; o + 2 <= OW; o += 2) {
    const at = <usize>o << 3;
    const x = v128.load(a + at), y = v128.load(b + at);
    storeMeans(difference ? f64x2.sub(x, y) : f64x2.add(x, y), yRow, o);
  }
  if (o < OW) {
    const at = <usize>o << 3;
    const sum = difference ? load<f64>(a + at) - load<f64>(b + at) : load<f64>(a + at) + load<f64>(b + at);
    store<f32>(yRow + (<usize>o << 2), <f32>(sum * load<f64>(reciprocals + at)));
  }
}

/** How an output row's height window sums its rows (see avg_running_cf_f32). */
const ROWS_NONE: i32 = 0;
const ROWS_TAIL_AND_HEAD: i32 = 1;
const ROWS_HEAD: i32 = 2;
const ROWS_TAIL: i32 = 3;
const ROWS_ONE_BY_ONE: i32 = 4;

/** The slot of row t in a ring of `slots` rows where row q sits in `slotQ` (t within `slots` rows of q). */
@inline function slotNear(t: i32, q: i32, slotQ: i32, slots: i32): i32 {
  const slot = slotQ + (t - q);
  return slot < 0 ? slot + slots : slot >= slots ? slot - slots : slot;
}

/**
 * The width-window sums of row `row` of the depth window (d0, dn) at `out`, alone (its prefix sums
 * down the rows left alone), with `scratch` as avg_running_cf_f32's.
 */
function windowSumsOfRow(xb: usize, d0: i32, dn: i32, row: i32, scratch: usize, zeros: usize, out: usize): void {
  const suffix = scratch;
  const prefix = suffix + (<usize>W << 4);
  const slices = prefix + (<usize>(W + 1) << 4);
  if (dn == 1) {
    const a = xb + (<usize>((d0 * H + row) * W) << 2);
    rowPairSplitSums<f32>(a, a, suffix, prefix);
    rowPairWindowSums<f32>(a, a, suffix, prefix, out, out, zeros, out, out, true, true);
  } else {
    addSlices(xb, d0, dn, row, slices);
    rowPairSplitSums<f64>(slices, slices, suffix, prefix);
    rowPairWindowSums<f64>(slices, slices, suffix, prefix, out, out, zeros, out, out, true, true);
  }
}

// The ring rows and output rows of the plane and depth avg_running_cf_f32 is at: width-window
// sums of input rows and their prefix sums down the rows (rings of `slots` rows, row q in slot
// `slotQ`), the suffix sums of the block being finished, and the first output row not yet out.
let rowsRing: usize = 0, headsRing: usize = 0, slots: i32 = 0, slotQ: i32 = 0, q: i32 = 0;
let suffixRows: usize = 0, nextOut: i32 = 0;

@inline function ringRow(ring: usize, t: i32): usize {
  return ring + <usize>slotNear(t, q, slotQ, slots) * (<usize>OW << 3);
}

/**
 * The output rows whose height windows start in the block of rows [start, end): the block's
 * suffix sums down the rows, from its last row up, go out with the next block's prefix sums as
 * they are made (ROWS_TAIL_AND_HEAD), alone (ROWS_TAIL), or the window's own prefix sums
 * (ROWS_HEAD). Called once the next block is complete (or the block is the last).
 */
function finishBlock(
  start: i32,
  end: i32,
  yPlane: usize,
  kinds: usize,
  xb: usize,
  d: i32,
  d0: i32,
  dn: i32,
  scratch: usize,
  zeros: usize,
  direct: usize,
  spare: usize,
): void {
  const rowBytes = <usize>OW << 3;
  let last = nextOut;
  while (last < OH && (load<i32>(kinds + (<usize>last << 2)) == ROWS_NONE || at32(fH, last) < end)) last++;
  // Rows [added, end) are in suffixRows.
  let added = end;
  for (let h = last - 1; h >= nextOut; h--) {
    const kind = load<i32>(kinds + (<usize>h << 2));
    if (kind == ROWS_NONE) continue;
    const s = at32(fH, h), e = s + at32(cH, h);
    const yRow = yPlane + <usize>h * (<usize>OW << 2);
    if (added == s + 1 && (kind == ROWS_TAIL_AND_HEAD || kind == ROWS_TAIL)) {
      // One more row (sliding windows one row apart): its sums and the output in one pass.
      const b = kind == ROWS_TAIL ? zeros : ringRow(headsRing, e);
      storeAverageRowAdding(ringRow(rowsRing, s), added == end ? zeros : suffixRows, b, yRow, d, h, dn);
      added = s;
      continue;
    }
    for (; added > s; added--) addRows(ringRow(rowsRing, added - 1), added == end ? zeros : suffixRows, suffixRows);
    let a = suffixRows, b = zeros;
    if (kind == ROWS_TAIL_AND_HEAD) {
      b = ringRow(headsRing, e);
    } else if (kind == ROWS_HEAD) {
      a = ringRow(headsRing, e);
    } else if (kind == ROWS_ONE_BY_ONE) {
      memory.fill(direct, 0, rowBytes);
      for (let t = s; t < e; t++) {
        windowSumsOfRow(xb, d0, dn, t, scratch, zeros, spare);
        addRows(direct, spare, direct);
      }
      a = direct;
    }
    storeAverageRow(a, b, false, yRow, d, h, dn);
  }
  nextOut = last;
}

/**
 * The split sums of one plane (see above), input rows two at a time. The rows of width-window sums
 * and their prefix sums down the rows go into rings of `slots` rows (two blocks and the two rows
 * read ahead, or every row of a short map). Once a block of rows is complete, the output rows whose
 * windows start in the block before it go out, from that block's suffix sums (one row of them,
 * made from the last row up) and this block's prefix sums. A height window inside a block that
 * touches neither of its ends adds its rows one by one, each worked out again (no plan makes one
 * today: clipped windows touch the map's edge, adaptive bins are at most one row shorter than the
 * longest).
 */
function splitPlane(xb: usize, yb: usize, kinds: usize, zeros: usize, region: usize): void {
  const rowBytes = <usize>OW << 3;
  const ringBytes = <usize>slots * rowBytes;
  // Split sums of a pair of rows (suffix, prefix), and the pair's depth-window sums.
  const suffix = region;
  const prefix = suffix + (<usize>W << 4);
  const slicesA = prefix + (<usize>(W + 1) << 4);
  const slicesB = slicesA + (<usize>W << 3);
  const direct = slicesB + (<usize>W << 3);
  const spare = direct + rowBytes;
  suffixRows = spare + rowBytes;
  rowsRing = suffixRows + rowBytes;
  headsRing = rowsRing + ringBytes;
  for (let d = 0; d < OD; d++) {
    const yPlane = yb + (<usize>(d * OH * OW) << 2);
    const d0 = at32(fD, d), dn = at32(cD, d);
    nextOut = 0;
    // The first rows of the block before the one being read, of that one, and of the next.
    let previous = -1, blockStart = 0, nextBlock = blockH;
    for (let r = 0, slotR = 0; r < H && dn > 0; r += 2, slotR = slotNear(r, r - 2, slotR, slots)) {
      // Rows r and r + 1 (or row r alone, paired with itself, when it is the last).
      const last = r + 1 == H ? r : r + 1;
      const slotB = slotNear(r + 1, r, slotR, slots);
      const rowA = rowsRing + <usize>slotR * rowBytes;
      const rowB = last == r ? spare : rowsRing + <usize>slotB * rowBytes;
      // Row r's head, and rows r + 1's and r + 2's (a block's first row has none: it is 0).
      const head = r == blockStart ? zeros : headsRing + <usize>slotR * rowBytes;
      const headB = headsRing + <usize>slotB * rowBytes;
      const headC = last == r ? spare : headsRing + <usize>slotNear(r + 2, r, slotR, slots) * rowBytes;
      const newB = r + 1 == nextBlock, newC = last == r || r + 2 == nextBlock || r + 2 == nextBlock + blockH;
      if (dn == 1) {
        const a = xb + (<usize>((d0 * H + r) * W) << 2), b = xb + (<usize>((d0 * H + last) * W) << 2);
        rowPairSplitSums<f32>(a, b, suffix, prefix);
        rowPairWindowSums<f32>(a, b, suffix, prefix, rowA, rowB, head, headB, headC, newB, newC);
      } else {
        addSlices(xb, d0, dn, r, slicesA);
        addSlices(xb, d0, dn, last, slicesB);
        rowPairSplitSums<f64>(slicesA, slicesB, suffix, prefix);
        rowPairWindowSums<f64>(slicesA, slicesB, suffix, prefix, rowA, rowB, head, headB, headC, newB, newC);
      }
      for (q = r; q <= last; q++) {
        slotQ = q == r ? slotR : slotB;
        if (q + 1 != nextBlock && q + 1 != H) continue;
        if (previous >= 0) finishBlock(previous, blockStart, yPlane, kinds, xb, d, d0, dn, region, zeros, direct, spare);
        if (q + 1 == H) finishBlock(blockStart, H, yPlane, kinds, xb, d, d0, dn, region, zeros, direct, spare);
        previous = blockStart;
        blockStart = nextBlock;
        nextBlock += blockH;
      }
    }
    // Windows of no rows (or no depth slices): empty.
    for (let h = 0; h < OH; h++) {
      if (dn == 0 || load<i32>(kinds + (<usize>h << 2)) == ROWS_NONE) {
        storeAverageRow(zeros, zeros, false, yPlane + <usize>h * (<usize>OW << 2), d, h, dn);
      }
    }
  }
}

// What the exactness test of running sums (runningSumsExact) has seen of a plane's values: the
// largest magnitude's bit pattern and the finest lowest set bit's, in four lanes each.
let largestBits: v128 = i32x4.splat(0), finestBits: v128 = i32x4.splat(-1);

/** Takes `length` float32 values from `p` into largestBits and finestBits. */
function observeMagnitudes(p: usize, length: i32): void {
  const magnitude = i32x4.splat(0x7fffffff), one = i32x4.splat(1);
  let largest = largestBits, finest = finestBits;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const b = v128.and(v128.load(p + (<usize>i << 2)), magnitude);
    largest = i32x4.max_u(largest, b);
    // b less b without its lowest set bit: that bit's value (exact, one exponent), or for a power
    // of two at least half of it; less 1, so that zeros (which every power of two divides) come
    // out as the largest pattern.
    finest = i32x4.min_u(finest, i32x4.sub(f32x4.sub(b, v128.and(b, i32x4.sub(b, one))), one));
  }
  for (; i < length; i++) {
    const b = load<u32>(p + (<usize>i << 2)) & 0x7fffffff;
    const lowest = reinterpret<u32>(reinterpret<f32>(b) - reinterpret<f32>(b & (b - 1))) - 1;
    largest = i32x4.max_u(largest, i32x4.splat(b));
    finest = i32x4.min_u(finest, i32x4.splat(lowest));
  }
  largestBits = largest;
  finestBits = finest;
}

/**
 * Whether float64 running sums over a plane of `length` float32 values are exact, whatever they
 * add and take away, given the values observed: every value is a multiple of 2^g (2^g at most the
 * finest lowest set bit), every running sum adds at most `length` values, so stays below
 * length * max|x| < 2^(ceil(log2 length) + eMax - 126) (eMax the largest biased exponent), and
 * float64 holds every multiple of 2^g below 2^(53 + g). NaN and the infinities (exponent 255) fail.
 */
function runningSumsExact(length: i32): bool {
  const l = largestBits, f = finestBits;
  const top = max(max(<u32>i32x4.extract_lane(l, 0), <u32>i32x4.extract_lane(l, 1)), max(<u32>i32x4.extract_lane(l, 2), <u32>i32x4.extract_lane(l, 3)));
  if (top == 0) return true;
  const eMax = <i32>(top >>> 23);
  if (eMax == 255) return false;
  const fine = min(min(<u32>i32x4.extract_lane(f, 0), <u32>i32x4.extract_lane(f, 1)), min(<u32>i32x4.extract_lane(f, 2), <u32>i32x4.extract_lane(f, 3))) + 1;
  const eFine = <i32>(fine >>> 23);
  const g = eFine == 0 ? -149 : eFine - 127;
  return (length > 1 ? 32 - <i32>clz(length - 1) : 0) + eMax - 126 <= 53 + g;
}

/** Builds the prefix sums P[0..W] of one float32 row in float64, four values per step. */
function prefixSums(row: usize, P: usize): void {
  let running: f64 = 0;
  store<f64>(P, 0);
  let w = 0;
  for (; w + 4 <= W; w += 4) {
    const p = row + (<usize>w << 2);
    const a = <f64>load<f32>(p), b = <f64>load<f32>(p, 4), c = <f64>load<f32>(p, 8), d = <f64>load<f32>(p, 12);
    const ab = a + b;
    const at = P + (<usize>w << 3);
    store<f64>(at, running + a, 8);
    store<f64>(at, running + ab, 16);
    store<f64>(at, running + (ab + c), 24);
    running += ab + (c + d);
    store<f64>(at, running, 32);
  }
  for (; w < W; w++) {
    running += <f64>load<f32>(row + (<usize>w << 2));
    store<f64>(P + (<usize>(w + 1) << 3), running);
  }
}

/**
 * Qrow[o] = Qprev[o] + (P[first + count] - P[first]) for every width window o: the run of whole
 * windows one apart (see findWholeRun) two per step, the others one at a time.
 */
function accumulateWindowSums(P: usize, Qprev: usize, Qrow: usize): void {
  for (let o = 0; o < OW; o++) {
    if (o == wholeFrom) {
      const span = <usize>wideW << 3;
      let p = P + (<usize>at32(fW, o) << 3);
      let at = <usize>o << 3;
      for (; o + 2 <= wholeTo; o += 2, p += 16, at += 16) {
        const sums = f64x2.sub(v128.load(p + span), v128.load(p));
        v128.store(Qrow + at, f64x2.add(v128.load(Qprev + at), sums));
      }
      if (o >= OW) break;
    }
    const w0 = at32(fW, o);
    const sum = load<f64>(P + (<usize>(w0 + at32(cW, o)) << 3)) - load<f64>(P + (<usize>w0 << 3));
    store<f64>(Qrow + (<usize>o << 3), load<f64>(Qprev + (<usize>o << 3)) + sum);
  }
}

/**
 * A plane through running sums, at a cost per output that does not grow with the window: each
 * input row's width-window sums (differences of its prefix sums) are accumulated down the rows
 * into Q, so each height window is Q[end] - Q[first]; depth windows add their slices. Each depth
 * slice's rows go through the exactness test as they are first read (they are in cache then);
 * false as soon as the running sums may not be exact (the plane then goes through split sums).
 * Exact, they are the sums the split sums (or the reference) make of each window's values, and the
 * output is scaled as splitPlane's: the same bits.
 */
function runningPlane(xb: usize, yb: usize, region: usize): bool {
  const rowBytes = <usize>OW << 3;
  const P = region;
  const Q = P + (<usize>(W + 4) << 3);
  largestBits = i32x4.splat(0);
  finestBits = i32x4.splat(-1);
  // Depth slices [0, observed) have been through the test.
  let observed = 0;
  let yRow = yb;
  for (let d = 0; d < OD; d++) {
    const d0 = at32(fD, d), dn = at32(cD, d);
    memory.fill(Q, 0, rowBytes);
    for (let h = 0; h < H; h++) {
      const Qrow = Q + <usize>(h + 1) * rowBytes;
      if (dn == 0) memory.copy(Qrow, Qrow - rowBytes, rowBytes);
      for (let i = 0; i < dn; i++) {
        const row = xb + (<usize>(((d0 + i) * H + h) * W) << 2);
        prefixSums(row, P);
        accumulateWindowSums(P, i == 0 ? Qrow - rowBytes : Qrow, Qrow);
        if (d0 + i < observed) continue;
        observeMagnitudes(row, W);
        if (!runningSumsExact(inSpatial)) return false;
      }
    }
    observed = max(observed, d0 + dn);
    for (let h = 0; h < OH; h++, yRow += <usize>OW << 2) {
      const top = Q + <usize>at32(fH, h) * rowBytes;
      const bottom = Q + <usize>(at32(fH, h) + at32(cH, h)) * rowBytes;
      storeAverageRow(bottom, top, true, yRow, d, h, dn);
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// 2-D planes whose running sums are exact go through column sums: the float64 sums of each column
// over an output row's height window are carried from one output row to the next (the rows that
// enter the window added, the rows that leave it taken away), and the row's width windows are
// differences of the prefix sums of those column sums. The cost per output does not grow with the
// window, and every input value is read once as it enters a window and once as it leaves it.
// Exact (see observePlane), every column sum, prefix sum and difference is the very sum of the
// values it covers, whatever the order of the additions: a window's sum is the same float64 the
// split sums (and the old row-prefix running sums) make of its values, and its output the same bits.

// How observePlane found a plane: running sums may not be exact (split sums), running sums exact,
// or also every difference of two of its values exact in float32 (a column sum then takes the row
// leaving from the row entering in float32, one conversion to float64 instead of two).
const PLANE_SPLIT: i32 = 0;
const PLANE_RUNNING: i32 = 1;
const PLANE_RUNNING_FLOAT32_DIFFERENCES: i32 = 2;

// The raw bits of the values observePlane has seen, ORed and ANDed: their sign bits say whether
// the values have one sign.
let anyBits: v128 = i32x4.splat(0), everyBits: v128 = i32x4.splat(-1);

/**
 * largestBits and finestBits (as observeMagnitudes) and anyBits and everyBits of `length` float32
 * values from `p`, eight a step.
 */
function observeSigned(p: usize, length: i32): void {
  const magnitude = i32x4.splat(0x7fffffff), one = i32x4.splat(1);
  let largest = i32x4.splat(0), finest = i32x4.splat(-1), any = i32x4.splat(0), every = i32x4.splat(-1);
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const u = v128.load(p + (<usize>i << 2)), v = v128.load(p + (<usize>i << 2), 16);
    any = v128.or(any, v128.or(u, v));
    every = v128.and(every, v128.and(u, v));
    const a = v128.and(u, magnitude), b = v128.and(v, magnitude);
    largest = i32x4.max_u(largest, i32x4.max_u(a, b));
    // The value of each lowest set bit, less 1 (see observeMagnitudes).
    const lowA = i32x4.sub(f32x4.sub(a, v128.and(a, i32x4.sub(a, one))), one);
    const lowB = i32x4.sub(f32x4.sub(b, v128.and(b, i32x4.sub(b, one))), one);
    finest = i32x4.min_u(finest, i32x4.min_u(lowA, lowB));
  }
  largestBits = largest;
  finestBits = finest;
  observeMagnitudes(p + (<usize>i << 2), length - i);
  for (; i < length; i++) {
    const bits = i32x4.splat(load<i32>(p + (<usize>i << 2)));
    any = v128.or(any, bits);
    every = v128.and(every, bits);
  }
  anyBits = any;
  everyBits = every;
}

/** The lanes of `v` ORed (`or`) or ANDed. */
@inline function foldLanes(v: v128, or: bool): i32 {
  const a = i32x4.extract_lane(v, 0), b = i32x4.extract_lane(v, 1), c = i32x4.extract_lane(v, 2), d = i32x4.extract_lane(v, 3);
  return or ? a | b | c | d : a & b & c & d;
}

/**
 * How a plane of `length` float32 values at `p` goes (PLANE_*). Running sums: runningSumsExact.
 * Float32 differences: every value is a multiple of 2^g (as there) and below 2^e in magnitude,
 * so a difference of two is a multiple of 2^g below 2^(e+1), or below 2^e when all values have
 * one sign; below 2^(g+24) it has at most 24 significant bits: float32 holds it exactly.
 */
function observePlane(p: usize, length: i32): i32 {
  observeSigned(p, length);
  if (!runningSumsExact(length)) return PLANE_SPLIT;
  const l = largestBits, f = finestBits;
  const top = max(max(<u32>i32x4.extract_lane(l, 0), <u32>i32x4.extract_lane(l, 1)), max(<u32>i32x4.extract_lane(l, 2), <u32>i32x4.extract_lane(l, 3)));
  if (top == 0) return PLANE_RUNNING_FLOAT32_DIFFERENCES;
  const fine = min(min(<u32>i32x4.extract_lane(f, 0), <u32>i32x4.extract_lane(f, 1)), min(<u32>i32x4.extract_lane(f, 2), <u32>i32x4.extract_lane(f, 3))) + 1;
  const eFine = <i32>(fine >>> 23);
  const g = eFine == 0 ? -149 : eFine - 127;
  // |x| < 2^e, e = eMax - 126; -0 counts as negative, so a -0 among positive values is "mixed".
  const e = <i32>(top >>> 23) - 126;
  const oneSign = foldLanes(anyBits, true) >= 0 || foldLanes(everyBits, false) < 0;
  return e + (oneSign ? 0 : 1) <= g + 24 ? PLANE_RUNNING_FLOAT32_DIFFERENCES : PLANE_RUNNING;
}

/**
 * Prefix sums of eight column sums (c0 .. c3, two a vector) on top of `run` (both lanes the sum
 * of the columns before), stored at P[1 .. 8] from `at`; returns the new run. The eight are summed
 * among themselves before `run` is added, so that the chain from one step to the next is one
 * addition and one shuffle.
 */
@inline function prefixOfEight(c0: v128, c1: v128, c2: v128, c3: v128, run: v128, at: usize): v128 {
  const zero = f64x2.splat(0);
  const s0 = f64x2.add(c0, v128.shuffle<f64>(zero, c0, 0, 2));
  const s1 = f64x2.add(f64x2.add(c1, v128.shuffle<f64>(zero, c1, 0, 2)), v128.shuffle<f64>(s0, s0, 1, 1));
  const s2 = f64x2.add(c2, v128.shuffle<f64>(zero, c2, 0, 2));
  const s3 = f64x2.add(f64x2.add(c3, v128.shuffle<f64>(zero, c3, 0, 2)), v128.shuffle<f64>(s2, s2, 1, 1));
  const upTo3 = v128.shuffle<f64>(s1, s1, 1, 1);
  v128.store(at, f64x2.add(run, s0), 8);
  v128.store(at, f64x2.add(run, s1), 24);
  v128.store(at, f64x2.add(run, f64x2.add(s2, upTo3)), 40);
  const last = f64x2.add(run, f64x2.add(s3, upTo3));
  v128.store(at, last, 56);
  return v128.shuffle<f64>(last, last, 1, 1);
}

/** P[w + 1] = P[w] + C[w] from `run` (both lanes P[w]) on, for the columns from `w` to the end. */
@inline function prefixTail(C: usize, P: usize, w: i32, run: v128): void {
  let sum = f64x2.extract_lane(run, 0);
  for (; w < W; w++) {
    sum += load<f64>(C + (<usize>w << 3));
    store<f64>(P + (<usize>(w + 1) << 3), sum);
  }
}

/** P[0 .. W] = the prefix sums of the column sums C. */
function prefixOfColumns(C: usize, P: usize): void {
  let run = f64x2.splat(0);
  let w = 0;
  for (; w + 8 <= W; w += 8) {
    const at = C + (<usize>w << 3);
    run = prefixOfEight(v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48), run, P + (<usize>w << 3));
  }
  prefixTail(C, P, w, run);
}

/** C += the float32 row `enter` (0: none) - the row `leave` (0: none), in float64. */
function updateColumns(enter: usize, leave: usize, C: usize): void {
  let w = 0;
  for (; w + 4 <= W; w += 4) {
    const at = C + (<usize>w << 3);
    let lo = v128.load(at), hi = v128.load(at, 16);
    if (enter) {
      const v = v128.load(enter + (<usize>w << 2));
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, promoteHigh(v));
    }
    if (leave) {
      const v = v128.load(leave + (<usize>w << 2));
      lo = f64x2.sub(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.sub(hi, promoteHigh(v));
    }
    v128.store(at, lo);
    v128.store(at, hi, 16);
  }
  for (; w < W; w++) {
    const at = C + (<usize>w << 3);
    let sum = load<f64>(at);
    if (enter) sum += <f64>load<f32>(enter + (<usize>w << 2));
    if (leave) sum -= <f64>load<f32>(leave + (<usize>w << 2));
    store<f64>(at, sum);
  }
}

/**
 * updateColumns with a row entering and a row leaving, then prefixOfColumns, in one pass: the
 * output rows of a window sliding one row at a time. With `differences` the row leaving is taken
 * from the row entering in float32 (exact: PLANE_RUNNING_FLOAT32_DIFFERENCES) and the difference
 * converted once.
 */
@inline function slideColumns(enter: usize, leave: usize, C: usize, P: usize, differences: bool): void {
  let run = f64x2.splat(0);
  let w = 0;
  for (; w + 8 <= W; w += 8) {
    const at = C + (<usize>w << 3);
    const e = enter + (<usize>w << 2), l = leave + (<usize>w << 2);
    const u = v128.load(e), u2 = v128.load(e, 16);
    const v = v128.load(l), v2 = v128.load(l, 16);
    let c0 = v128.load(at), c1 = v128.load(at, 16), c2 = v128.load(at, 32), c3 = v128.load(at, 48);
    if (differences) {
      const d = f32x4.sub(u, v), d2 = f32x4.sub(u2, v2);
      c0 = f64x2.add(c0, f64x2.promote_low_f32x4(d));
      c1 = f64x2.add(c1, promoteHigh(d));
      c2 = f64x2.add(c2, f64x2.promote_low_f32x4(d2));
      c3 = f64x2.add(c3, promoteHigh(d2));
    } else {
      c0 = f64x2.sub(f64x2.add(c0, f64x2.promote_low_f32x4(u)), f64x2.promote_low_f32x4(v));
      c1 = f64x2.sub(f64x2.add(c1, promoteHigh(u)), promoteHigh(v));
      c2 = f64x2.sub(f64x2.add(c2, f64x2.promote_low_f32x4(u2)), f64x2.promote_low_f32x4(v2));
      c3 = f64x2.sub(f64x2.add(c3, promoteHigh(u2)), promoteHigh(v2));
    }
    v128.store(at, c0);
    v128.store(at, c1, 16);
    v128.store(at, c2, 32);
    v128.store(at, c3, 48);
    run = prefixOfEight(c0, c1, c2, c3, run, P + (<usize>w << 3));
  }
  for (let t = w; t < W; t++) {
    const at = C + (<usize>t << 3);
    const a = load<f32>(enter + (<usize>t << 2)), b = load<f32>(leave + (<usize>t << 2));
    store<f64>(at, load<f64>(at) + (differences ? <f64>(a - b) : <f64>a - <f64>b));
  }
  prefixTail(C, P, w, run);
}

/**
 * Output row h of a plane (at `yRow`) from the prefix sums P of its column sums: each width
 * window's sum P[first + count] - P[first] times its reciprocal (see useReciprocals); the run of
 * whole windows one apart four a step.
 */
function columnSumsRow(P: usize, yRow: usize, h: i32): void {
  useReciprocals(0, h, 1);
  let o = 0;
  while (o < OW) {
    if (o == wholeFrom && wholeTo - wholeFrom >= 4) {
      const span = <usize>wideW << 3;
      const first = P + (<usize>at32(fW, o) << 3);
      // The last group of four ends at wholeTo, overlapping its predecessor.
      const last = <usize>(wholeTo - wholeFrom - 4);
      for (let t: usize = 0; ; t += 4) {
        if (t > last) t = last;
        const p = first + (t << 3), r = reciprocals + ((<usize>o + t) << 3);
        const lo = f64x2.mul(f64x2.sub(v128.load(p + span), v128.load(p)), v128.load(r));
        const hi = f64x2.mul(f64x2.sub(v128.load(p + span, 16), v128.load(p, 16)), v128.load(r, 16));
        v128.store(yRow + ((<usize>o + t) << 2), v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
        if (t == last) break;
      }
      o = wholeTo;
      continue;
    }
    const w0 = at32(fW, o);
    const sum = load<f64>(P + (<usize>(w0 + at32(cW, o)) << 3)) - load<f64>(P + (<usize>w0 << 3));
    store<f32>(yRow + (<usize>o << 2), <f32>(sum * load<f64>(reciprocals + (<usize>o << 3))));
    o++;
  }
}

/**
 * A 2-D plane (one depth slice in and out) whose running sums are exact, through column sums (see
 * above). Height windows only move down (sliding or adaptive), so the rows [lo, hi) that C sums
 * become each output row's [first, first + count) by adding rows at the bottom and taking rows
 * away at the top; a window starting below the last one's end starts C afresh. `C`: W + 2
 * float64, `P`: W + 2, both 16-byte aligned; `zeros`: OW float64 0.
 */
function columnSumsPlane(xb: usize, yb: usize, differences: bool, C: usize, P: usize, zeros: usize): void {
  const rowBytes = <usize>W << 2;
  store<f64>(P, 0);
  let lo = 0, hi = 0;
  memory.fill(C, 0, <usize>W << 3);
  for (let h = 0; h < OH; h++) {
    const yRow = yb + <usize>h * (<usize>OW << 2);
    const first = at32(fH, h), end = first + at32(cH, h);
    if (end == first) {
      // No rows: the empty window's value (C stays as it was).
      storeAverageRow(zeros, zeros, false, yRow, 0, h, 1);
      continue;
    }
    if (first >= hi) {
      memory.fill(C, 0, <usize>W << 3);
      lo = hi = first;
    }
    // An unchanged window (adaptive bins may repeat one) keeps its prefix sums.
    while (hi < end || lo < first) {
      const enter = hi < end ? xb + <usize>hi * rowBytes : 0;
      const leave = lo < first ? xb + <usize>lo * rowBytes : 0;
      if (enter) hi++;
      if (leave) lo++;
      const done = hi == end && lo == first;
      if (done && enter && leave) {
        if (differences) slideColumns(enter, leave, C, P, true);
        else slideColumns(enter, leave, C, P, false);
      } else {
        updateColumns(enter, leave, C);
        if (done) prefixOfColumns(C, P);
      }
    }
    columnSumsRow(P, yRow, h);
  }
}

/**
 * Channels-first float32 average with unit tap steps, at a cost per output that does not grow with
 * the window's height and width. Planes whose running sums are exact (see runningSumsExact: all
 * values multiples of a power of two 2^g, the plane's size times its largest magnitude below
 * 2^(53 + g), as with values of few significant bits or within about 2^29 / size of each other in
 * magnitude) go through running sums, the fastest way; the others through split sums, which add
 * only each window's own values. Either way a window's average
 * depends on its values alone. `scratch` holds 2 * OW + max(6W + 2 + OW * (3 + 2 * slots),
 * W + 4 + (H + 1) * OW) float64 values, then OH i32; slots = min(2 * tallest height window + 2,
 * H + 1).
 */
export function avg_running_cf_f32(x: usize, y: usize, planes: i32, geo: usize, mode: i32, value: f64, empty: f64, unitStrideW: i32, scratch: usize): void {
  bind(geo);
  findWholeRun(unitStrideW);
  blockW = max(1, wideW);
  blockH = 1;
  for (let h = 0; h < OH; h++) blockH = max(blockH, at32(cH, h));
  slots = min(2 * blockH + 2, H + 1);
  const rowBytes = <usize>OW << 3;
  divMode = mode;
  divValue = value;
  emptyValue = empty;
  reciprocals = scratch;
  rowFactor = -1;
  const zeros = reciprocals + rowBytes;
  const region = zeros + rowBytes;
  const kinds = region + (<usize>max(6 * W + 2 + OW * (3 + 2 * slots), W + 4 + (H + 1) * OW) << 3);
  // Each output row's way of adding its rows in split sums: a block's tail and the next block's
  // head, a tail (to its block's end or the last row), a head (from a block's start), or the rows
  // one by one.
  for (let h = 0; h < OH; h++) {
    const s = at32(fH, h), e = s + at32(cH, h);
    const start = s - s % blockH;
    const kind =
      e == s ? ROWS_NONE
      : e > start + blockH ? ROWS_TAIL_AND_HEAD
      : e == start + blockH || e == H ? ROWS_TAIL
      : s == start ? ROWS_HEAD
      : ROWS_ONE_BY_ONE;
    store<i32>(kinds + (<usize>h << 2), kind);
  }
  memory.fill(zeros, 0, rowBytes);
  // One depth slice in and out: column sums (their two rows of W + 2 float64 fit in the region).
  const planar = inSpatial == H * W && OD == 1 && at32(cD, 0) == 1;
  const columns = (region + 15) & ~15;
  const prefixes = columns + (<usize>(W + 2) << 3);
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    const yb = y + (<usize>plane * <usize>outSpatial << 2);
    if (planar) {
      const way = observePlane(xb, inSpatial);
      if (way == PLANE_SPLIT) splitPlane(xb, yb, kinds, zeros, region);
      else columnSumsPlane(xb, yb, way == PLANE_RUNNING_FLOAT32_DIFFERENCES, columns, prefixes, zeros);
    } else if (!runningPlane(xb, yb, region)) splitPlane(xb, yb, kinds, zeros, region);
  }
}

// ---------------------------------------------------------------------------------------------
// Max pooling, channels-first, unit tap steps, separably: every input row's width-window maxima
// (value and column), then each output's maximum over the rows of its height and depth windows.
// First maximum in row-major order = the first row attaining the window's maximum, at that row's
// first maximum (ties 'last': the last of each), and the first NaN likewise: the reference's tap.

/**
 * Whether tap value v replaces the best so far (`at` < 0: nothing taken yet). Bitwise, not
 * short-circuit: on data in no order a branch per comparison mispredicts about half the time.
 */
@inline function takes(v: f64, best: f64, at: i32, nanIgnore: bool, tiesLast: bool): bool {
  const isNaN = <i32>(v != v);
  const wins = <i32>(at < 0) | <i32>(v > best) | (<i32>tiesLast & <i32>(v == best));
  if (nanIgnore) return <bool>(wins & (isNaN ^ 1));
  return <bool>(wins | (isNaN & <i32>(best == best)));
}

/** `scratch` holds D*H*OW values of T and as many i32 columns. */
function maxSeparable<T>(x: usize, y: usize, indices: usize, planes: i32, flags: i32, scratch: usize): void {
  const nanIgnore = (flags & NAN_IGNORE) != 0;
  const tiesLast = (flags & TIES_LAST) != 0;
  const rows = inSpatial / W;
  const width = <usize>sizeof<T>();
  const values = scratch;
  const columns = scratch + <usize>rows * <usize>OW * width;
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + <usize>plane * <usize>inSpatial * width;
    for (let r = 0; r < rows; r++) {
      const row = xb + <usize>r * <usize>W * width;
      for (let o = 0; o < OW; o++) {
        const w0 = at32(fW, o), wn = at32(cW, o);
        let best: f64 = -Infinity;
        let at = -1;
        for (let k = 0; k < wn; k++) {
          const v = <f64>load<T>(row + <usize>(w0 + k) * width);
          const take = takes(v, best, at, nanIgnore, tiesLast);
          best = select<f64>(v, best, take);
          at = select<i32>(w0 + k, at, take);
        }
        const slot = r * OW + o;
        store<T>(values + <usize>slot * width, <T>best);
        store<i32>(columns + (<usize>slot << 2), at);
      }
    }
    const yb = plane * outSpatial;
    let o = 0;
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      for (let h = 0; h < OH; h++) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        for (let w = 0; w < OW; w++, o++) {
          let best: f64 = -Infinity;
          let at = -1;
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const r = (d0 + i) * H + h0 + j;
              const slot = r * OW + w;
              const column = load<i32>(columns + (<usize>slot << 2));
              const v = <f64>load<T>(values + <usize>slot * width);
              const take = <bool>(<i32>(column >= 0) & <i32>takes(v, best, at, nanIgnore, tiesLast));
              best = select<f64>(v, best, take);
              at = select<i32>(r * W + column, at, take);
            }
          }
          storeAs<T>(y, yb + o, best);
          store<i32>(indices + (<usize>(yb + o) << 2), at);
        }
      }
    }
  }
}

/** takes() for four float32 lanes: a mask of the lanes whose tap replaces the best so far. */
@inline function takesX4(v: v128, best: v128, at: v128, nanIgnore: bool, tiesLast: bool): v128 {
  const isNaN = f32x4.ne(v, v);
  let wins = v128.or(i32x4.lt_s(at, i32x4.splat(0)), f32x4.gt(v, best));
  if (tiesLast) wins = v128.or(wins, f32x4.eq(v, best));
  if (nanIgnore) return v128.andnot(wins, isNaN);
  return v128.or(wins, v128.and(isNaN, f32x4.eq(best, best)));
}

/**
 * Whether width windows o..o+3 hold `kernelW` taps each, `strideW` apart (the first and the last
 * say it for all four on a sliding axis; windows wider than the map fail it: clipped alike).
 */
@inline function lanesApart(o: i32, w0: i32, kernelW: i32, strideW: i32): bool {
  return at32(cW, o) == kernelW && at32(cW, o + 3) == kernelW && at32(fW, o + 3) == w0 + 3 * strideW;
}

/** Four taps `strideW` (1 or 2) apart from p. */
@inline function loadTaps(p: usize, strideW: i32): v128 {
  return strideW == 1 ? v128.load(p) : v128.shuffle<f32>(v128.load(p), v128.load(p, 16), 0, 2, 4, 6);
}

/**
 * Float32 channels-first max, values only (ties 'first'), any window with unit tap steps: first
 * down the rows of each output row's height and depth windows at full width (contiguous, four
 * columns at a time), then along that row's width windows (four outputs at a time where they are
 * whole and `strideW` apart, else one by one). A pseudo-max keeps the earlier value on ties and
 * against NaN; NaN lanes are remembered and restored, unless NAN_IGNORE, where skipping them is
 * the rule. `scratch`: W + 8 float32 values.
 */
function maxValuesF32(x: usize, y: usize, planes: i32, flags: i32, strideW: i32, scratch: usize): void {
  const propagate = (flags & NAN_IGNORE) == 0;
  const NaNs = f32x4.splat(NaN);
  const minusInfinity = f32x4.splat(-Infinity);
  const noNaN = i32x4.splat(0);
  let kernelW = 0;
  for (let o = 0; o < OW; o++) kernelW = max(kernelW, at32(cW, o));
  const columnMax = scratch;
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    let yRow = y + (<usize>plane * <usize>outSpatial << 2);
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      for (let h = 0; h < OH; h++, yRow += <usize>OW << 2) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        let w = 0;
        for (; w + 4 <= W; w += 4) {
          let best = minusInfinity;
          let nan = noNaN;
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const v = v128.load(xb + (<usize>(((d0 + i) * H + h0 + j) * W + w) << 2));
              best = f32x4.pmax(best, v);
              if (propagate) nan = v128.or(nan, f32x4.ne(v, v));
            }
          }
          v128.store(columnMax + (<usize>w << 2), v128.bitselect(NaNs, best, nan));
        }
        for (; w < W; w++) {
          let best: f32 = -Infinity;
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const v = load<f32>(xb + (<usize>(((d0 + i) * H + h0 + j) * W + w) << 2));
              best = propagate && v != v ? v : best != best || !(v > best) ? best : v;
            }
          }
          store<f32>(columnMax + (<usize>w << 2), best);
        }
        let o = 0;
        while (o < OW) {
          const w0 = at32(fW, o);
          if (strideW != 0 && o + 4 <= OW && lanesApart(o, w0, kernelW, strideW)) {
            // Whole windows: every lane read lies inside the row (the scratch has room past it).
            let best = minusInfinity;
            let nan = noNaN;
            for (let k = 0; k < kernelW; k++) {
              const v = loadTaps(columnMax + (<usize>(w0 + k) << 2), strideW);
              best = f32x4.pmax(best, v);
              if (propagate) nan = v128.or(nan, f32x4.ne(v, v));
            }
            v128.store(yRow + (<usize>o << 2), v128.bitselect(NaNs, best, nan));
            o += 4;
            continue;
          }
          const wn = at32(cW, o);
          let best: f32 = -Infinity;
          for (let k = 0; k < wn; k++) {
            const v = load<f32>(columnMax + (<usize>(w0 + k) << 2));
            best = propagate && v != v ? v : best != best || !(v > best) ? best : v;
          }
          store<f32>(yRow + (<usize>o << 2), best);
          o++;
        }
      }
    }
  }
}

export function max_values_cf_f32(x: usize, y: usize, planes: i32, geo: usize, flags: i32, strideW: i32, scratch: usize): void {
  bind(geo);
  maxValuesF32(x, y, planes, flags, strideW, scratch);
}

// ---------------------------------------------------------------------------------------------
// Float32 max of 2-D planes, values only (ties 'first'), rows first: each input row's width
// windows once (into a ring of row maxima as tall as the tallest height window), then each
// output row over its height window's rows. The maximum taken is the first in row-major order
// (pmax keeps its first operand unless the second is larger, and "the first of the largest" is
// associative), so -0 and +0 come out as the reference's. NaN-free planes go without NaN
// bookkeeping; a plane where the cheap probe sees one is done again NaN-exact. Windows of three
// rows two apart over three-tap stride-2 width windows (the ResNet stem's) take their two new rows
// and the output row in one pass (threeRowsK3S2).

// The run of whole width windows of the plan being executed: outputs [wholeFrom, wholeTo) hold
// `wideW` taps each (the widest count), `strideW` apart; empty when they are not.
let wholeFrom = 0, wholeTo = 0, wideW = 0;

function findWholeRun(strideW: i32): void {
  wideW = 0;
  for (let o = 0; o < OW; o++) wideW = max(wideW, at32(cW, o));
  wholeFrom = wholeTo = 0;
  if (strideW == 0 || wideW == 0) return;
  let from = -1, to = -1;
  for (let o = 0; o < OW; o++) {
    if (at32(cW, o) != wideW) continue;
    if (from < 0) from = o;
    to = o + 1;
  }
  for (let o = from; o < to; o++) {
    if (at32(cW, o) != wideW || at32(fW, o) != at32(fW, from) + (o - from) * strideW) return;
  }
  wholeFrom = from;
  wholeTo = to;
}

/** Four taps two apart from p (p[0], p[2], p[4], p[6]), reading nothing past p[6]. */
@inline function loadEvens(p: usize): v128 {
  return v128.shuffle<f32>(v128.load(p), v128.load(p, 12), 0, 2, 5, 7);
}

/** Four taps `strideW` (1 or 2) apart from p, reading nothing past the last. */
@inline function loadTapsExactly(p: usize, strideW: i32): v128 {
  return strideW == 1 ? v128.load(p) : loadEvens(p);
}

// One group of four whole width windows of a NaN-free row, from `p` (the first window's first
// tap) into `q`. Each returns `probe` plus the taps of the group's first 4 * strideW columns
// (NaN when one is NaN).

/** Two or three taps, stride 2: the even and odd columns from one deinterleave, then the next evens. */
@inline function groupStride2(p: usize, q: usize, probe: v128, threeTaps: bool): v128 {
  const a = v128.load(p), b = v128.load(p, 16);
  const even = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const odd = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const best = f32x4.pmax(even, odd);
  v128.store(q, threeTaps ? f32x4.pmax(best, loadEvens(p + 8)) : best);
  return f32x4.add(probe, f32x4.add(even, odd));
}

/** Any number of taps (wideW), stride 1 or 2. */
@inline function groupAnyKernel(p: usize, q: usize, probe: v128, strideW: i32): v128 {
  let best = loadTapsExactly(p, strideW);
  probe = f32x4.add(probe, best);
  for (let k = 1; k < wideW; k++) {
    const v = loadTapsExactly(p + (<usize>k << 2), strideW);
    best = f32x4.pmax(best, v);
    if (k < strideW) probe = f32x4.add(probe, v);
  }
  v128.store(q, best);
  return probe;
}

/**
 * The whole run of a NaN-free row (at least four windows) from `p` (its first tap) into `q`
 * (its first output), four windows a step; the last group ends at the run's end, overlapping
 * its predecessor. Returns a sum of every tap of the run: NaN if one is NaN (or if both
 * infinities are there).
 */
function wholeRunF32(p: usize, q: usize, row: usize, strideW: i32): v128 {
  const span = wholeTo - wholeFrom;
  const groups = span >> 2;
  const back = (4 - (span & 3)) & 3;
  const step = <usize>strideW << 4;
  let probe = f32x4.splat(0);
  if (strideW == 2 && wideW == 3) {
    // Two groups a step, each with its own probe (the ResNet stem's case; about 5% faster).
    let i = 0;
    let probe2 = f32x4.splat(0);
    for (; i + 2 <= groups; i += 2, p += step << 1, q += 32) {
      probe = groupStride2(p, q, probe, true);
      probe2 = groupStride2(p + step, q + 16, probe2, true);
    }
    probe = f32x4.add(probe, probe2);
    if (i < groups) {
      probe = groupStride2(p, q, probe, true);
      p += step;
      q += 16;
    }
    if (back) probe = groupStride2(p - (<usize>(back * strideW) << 2), q - (<usize>back << 2), probe, true);
  } else if (strideW == 2 && wideW == 2) {
    for (let i = 0; i < groups; i++, p += step, q += 16) probe = groupStride2(p, q, probe, false);
    if (back) probe = groupStride2(p - (<usize>(back * strideW) << 2), q - (<usize>back << 2), probe, false);
  } else {
    for (let i = 0; i < groups; i++, p += step, q += 16) probe = groupAnyKernel(p, q, probe, strideW);
    if (back) probe = groupAnyKernel(p - (<usize>(back * strideW) << 2), q - (<usize>back << 2), probe, strideW);
  }
  // The taps past the last group's own 4 * strideW columns (p is where the last full group ends).
  const lastEnd = <i32>((p - row) >> 2) + (back ? (4 - back) * strideW : 0);
  let tail: f32 = 0;
  for (let w = lastEnd; w < lastEnd + wideW - strideW; w++) tail += load<f32>(row + (<usize>w << 2));
  return f32x4.add(probe, f32x4.splat(tail - tail));
}

/**
 * The width-window maxima of the row at `row` into `out` (OW values). `exact`: NaN taps win
 * (propagate) or are skipped; else the row is taken to hold no NaN, and the result says whether
 * it may (a NaN tap, or +Infinity and -Infinity summed by the probe).
 */
@inline function rowMaximaF32(row: usize, out: usize, strideW: i32, exact: bool, propagate: bool): bool {
  let sawNaN = false;
  let o = 0;
  while (o < OW) {
    if (o == wholeFrom && wholeTo - wholeFrom >= 4) {
      const first = row + (<usize>at32(fW, o) << 2);
      if (!exact) {
        const probe = wholeRunF32(first, out + (<usize>o << 2), row, strideW);
        sawNaN = sawNaN || v128.any_true(f32x4.ne(probe, probe));
        o = wholeTo;
        continue;
      }
      for (; o < wholeTo; o += 4) {
        // The last group ends at wholeTo, overlapping its predecessor.
        const group = min(o, wholeTo - 4);
        const p = first + (<usize>((group - wholeFrom) * strideW) << 2);
        let best = f32x4.splat(-Infinity);
        let nan = i32x4.splat(0);
        for (let k = 0; k < wideW; k++) {
          const v = loadTapsExactly(p + (<usize>k << 2), strideW);
          best = f32x4.pmax(best, v);
          nan = v128.or(nan, f32x4.ne(v, v));
        }
        v128.store(out + (<usize>group << 2), propagate ? v128.bitselect(f32x4.splat(NaN), best, nan) : best);
      }
      o = wholeTo;
      continue;
    }
    const w0 = at32(fW, o), wn = at32(cW, o);
    let best: f32 = -Infinity;
    let nan = false;
    for (let k = 0; k < wn; k++) {
      const v = load<f32>(row + (<usize>(w0 + k) << 2));
      nan = nan || v != v;
      best = best < v ? v : best;
    }
    store<f32>(out + (<usize>o << 2), exact && propagate && nan ? NaN : best);
    sawNaN = sawNaN || nan;
    o++;
  }
  return !exact && sawNaN;
}

/**
 * Output row `out` (OW values) over the `count` row maxima whose addresses sit at `rows`.
 * `exact`: NaN row maxima win (under ignore there are none); else there are none.
 */
@inline function columnMaximaF32(rows: usize, count: i32, out: usize, exact: bool): void {
  if (count == 0) {
    for (let o = 0; o < OW; o++) store<f32>(out + (<usize>o << 2), -Infinity);
    return;
  }
  if (!exact && count <= 3 && OW >= 4) {
    // Rows repeated where the window has fewer than three: pmax(a, a) is a.
    const r0 = load<usize>(rows);
    const r1 = load<usize>(rows + (<usize>min(1, count - 1) << 2));
    const r2 = load<usize>(rows + (<usize>(count - 1) << 2));
    const last = <usize>(OW - 4) << 2;
    for (let at: usize = 0; ; at += 16) {
      // The last group ends at OW, overlapping its predecessor.
      if (at > last) at = last;
      v128.store(out + at, f32x4.pmax(f32x4.pmax(v128.load(r0 + at), v128.load(r1 + at)), v128.load(r2 + at)));
      if (at == last) break;
    }
    return;
  }
  for (let o = 0; o < OW; o++) {
    let best: f32 = -Infinity;
    let nan = false;
    for (let j = 0; j < count; j++) {
      const v = load<f32>(load<usize>(rows + (<usize>j << 2)) + (<usize>o << 2));
      nan = nan || v != v;
      best = best < v ? v : best;
    }
    store<f32>(out + (<usize>o << 2), exact && nan ? NaN : best);
  }
}

/**
 * Output row `out` of a height window of three rows for three-tap stride-2 width windows (the
 * ResNet stem's), NaN-free rows only: the first row's maxima are held at `m0`, the other two rows
 * (`p1`, `p2`) are new. Both new rows' maxima and the output come from one pass, which keeps them
 * in registers; only the last row's maxima are stored (at `m2`: the next window shares that row).
 * The third taps of a group are its evens moved one lane on, with the next group's first tap.
 * Returns whether the rows may hold a NaN (the sum of their taps is NaN, as wholeRunF32's probe).
 */
function threeRowsK3S2(p1: usize, p2: usize, m0: usize, m2: usize, out: usize): bool {
  let nan = false;
  for (let o = 0; o < OW; o++) {
    if (o == wholeFrom) o = wholeTo;
    if (o == OW) break;
    const w0 = at32(fW, o), wn = at32(cW, o);
    // Lane 0: the first row's running maximum, lane 1: the second's, without a branch on the data
    // (a mispredicted one waits on the row's first, uncached, load).
    let best = f32x4.replace_lane(f32x4.splat(-Infinity), 0, load<f32>(m0 + (<usize>o << 2)));
    let taps = f32x4.splat(0);
    for (let k = 0; k < wn; k++) {
      const v = v128.load32_lane(p2 + (<usize>(w0 + k) << 2), v128.load32_zero(p1 + (<usize>(w0 + k) << 2)), 1);
      taps = f32x4.add(taps, v);
      best = f32x4.pmax(best, v);
    }
    const last = f32x4.extract_lane(best, 1);
    store<f32>(m2 + (<usize>o << 2), last);
    store<f32>(out + (<usize>o << 2), f32x4.extract_lane(f32x4.pmax(best, f32x4.splat(last)), 0));
    nan = nan || v128.any_true(f32x4.ne(taps, taps));
  }
  const first = <usize>at32(fW, wholeFrom) << 2;
  p1 += first;
  p2 += first;
  let probe1 = f32x4.splat(0), probe2 = f32x4.splat(0);
  const lastGroup = <usize>(wholeTo - 4) << 2;
  let at = <usize>wholeFrom << 2;
  let s1 = f32x4.splat(0), s2 = f32x4.splat(0);
  while (true) {
    // The last group ends at wholeTo, overlapping its predecessor.
    if (at > lastGroup) at = lastGroup;
    const from = (at - (<usize>wholeFrom << 2)) << 1;
    const a1 = v128.load(p1 + from), b1 = v128.load(p1 + from, 16);
    const a2 = v128.load(p2 + from), b2 = v128.load(p2 + from, 16);
    s1 = v128.load32_splat(p1 + from, 32);
    s2 = v128.load32_splat(p2 + from, 32);
    const e1 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6);
    const e2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6);
    const r1 = f32x4.pmax(f32x4.pmax(e1, v128.shuffle<f32>(a1, b1, 1, 3, 5, 7)), v128.shuffle<f32>(e1, s1, 1, 2, 3, 4));
    const r2 = f32x4.pmax(f32x4.pmax(e2, v128.shuffle<f32>(a2, b2, 1, 3, 5, 7)), v128.shuffle<f32>(e2, s2, 1, 2, 3, 4));
    v128.store(m2 + at, r2);
    v128.store(out + at, f32x4.pmax(f32x4.pmax(v128.load(m0 + at), r1), r2));
    probe1 = f32x4.add(probe1, f32x4.add(a1, b1));
    probe2 = f32x4.add(probe2, f32x4.add(a2, b2));
    if (at == lastGroup) break;
    at += 16;
  }
  // The last group's third taps past its eight columns.
  const probe = f32x4.add(f32x4.add(probe1, s1), f32x4.add(probe2, s2));
  return nan || v128.any_true(f32x4.ne(probe, probe));
}

/**
 * One plane, from `xb` into `yb`. Not `exact`: gives up (returns false) as soon as the plane may
 * hold a NaN. `scratch`: `ringRows` row maxima of OW values, then which input row each holds
 * (ringRows i32), then the addresses of an output row's window rows (ringRows).
 */
@inline function rowsFirstPlaneF32(xb: usize, yb: usize, strideW: i32, ringRows: i32, scratch: usize, exact: bool, propagate: bool): bool {
  const rowBytes = <usize>OW << 2;
  const held = scratch + <usize>ringRows * rowBytes;
  const rows = held + (<usize>ringRows << 2);
  for (let s = 0; s < ringRows; s++) store<i32>(held + (<usize>s << 2), -1);
  let mayHoldNaN = false;
  const k3s2 = !exact && strideW == 2 && wideW == 3 && wholeTo - wholeFrom >= 4 && ringRows == 3;
  for (let oh = 0; oh < OH; oh++) {
    const h0 = at32(fH, oh), hn = at32(cH, oh);
    if (k3s2 && hn == 3) {
      const s0 = h0 % 3, s1 = s0 == 2 ? 0 : s0 + 1, s2 = s1 == 2 ? 0 : s1 + 1;
      if (load<i32>(held + (<usize>s0 << 2)) == h0 && load<i32>(held + (<usize>s1 << 2)) != h0 + 1) {
        // Row h0 + 1's maxima are not kept: a later window that takes it computes them again.
        store<i32>(held + (<usize>s1 << 2), -1);
        store<i32>(held + (<usize>s2 << 2), h0 + 2);
        const p1 = xb + (<usize>((h0 + 1) * W) << 2);
        const nan = threeRowsK3S2(p1, p1 + (<usize>W << 2), scratch + <usize>s0 * rowBytes, scratch + <usize>s2 * rowBytes, yb + <usize>oh * rowBytes);
        if (nan) return false;
        continue;
      }
    }
    // A window's rows are consecutive and at most ringRows: they sit in distinct slots, row r in
    // slot r % ringRows.
    let slot = h0 % ringRows;
    for (let j = 0; j < hn; j++, slot = slot + 1 == ringRows ? 0 : slot + 1) {
      const r = h0 + j;
      const buffer = scratch + <usize>slot * rowBytes;
      if (load<i32>(held + (<usize>slot << 2)) != r) {
        store<i32>(held + (<usize>slot << 2), r);
        if (rowMaximaF32(xb + (<usize>(r * W) << 2), buffer, strideW, exact, propagate)) mayHoldNaN = true;
      }
      store<usize>(rows + (<usize>j << 2), buffer);
    }
    if (mayHoldNaN) return false;
    columnMaximaF32(rows, hn, yb + <usize>oh * rowBytes, exact);
  }
  return true;
}

/**
 * Float32 channels-first max of 2-D (or 1-D) planes, values only, ties 'first', unit tap steps,
 * rows first (see above). `strideW`: the width stride when 1 or 2 (four outputs a step where the
 * width windows are whole), else 0. `scratch`: (OW + 2) * (tallest height window) float32.
 */
export function max_rows_cf_f32(x: usize, y: usize, planes: i32, geo: usize, flags: i32, strideW: i32, scratch: usize): void {
  bind(geo);
  findWholeRun(strideW);
  const propagate = (flags & NAN_IGNORE) == 0;
  let ringRows = 1;
  for (let o = 0; o < OH; o++) ringRows = max(ringRows, at32(cH, o));
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    const yb = y + (<usize>plane * <usize>outSpatial << 2);
    if (!rowsFirstPlaneF32(xb, yb, strideW, ringRows, scratch, false, propagate)) {
      rowsFirstPlaneF32(xb, yb, strideW, ringRows, scratch, true, propagate);
    }
  }
}

/**
 * maxSeparable for float32 with four outputs per step: down the rows always, and along a row
 * where four neighbouring width windows are whole and `strideW` (1 or 2; 0 when the width axis is
 * not a sliding window) apart. Edges and tails take the scalar path.
 */
function maxSeparableF32(x: usize, y: usize, indices: usize, planes: i32, flags: i32, strideW: i32, scratch: usize): void {
  const nanIgnore = (flags & NAN_IGNORE) != 0;
  const tiesLast = (flags & TIES_LAST) != 0;
  const rows = inSpatial / W;
  const values = scratch;
  const columns = scratch + (<usize>rows * <usize>OW << 2);
  let kernelW = 0;
  for (let o = 0; o < OW; o++) kernelW = max(kernelW, at32(cW, o));
  const minusInfinity = f32x4.splat(-Infinity);
  const none = i32x4.splat(-1);
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    for (let r = 0; r < rows; r++) {
      const row = xb + (<usize>(r * W) << 2);
      const rowValues = values + (<usize>(r * OW) << 2);
      const rowColumns = columns + (<usize>(r * OW) << 2);
      let o = 0;
      while (o < OW) {
        const w0 = at32(fW, o);
        const whole =
          strideW != 0 && o + 4 <= OW && lanesApart(o, w0, kernelW, strideW) && w0 + 3 * strideW + kernelW - 1 + strideW <= W;
        if (!whole) {
          const wn = at32(cW, o);
          let best: f64 = -Infinity;
          let at = -1;
          for (let k = 0; k < wn; k++) {
            const v = <f64>load<f32>(row + (<usize>(w0 + k) << 2));
            const take = takes(v, best, at, nanIgnore, tiesLast);
            best = select<f64>(v, best, take);
            at = select<i32>(w0 + k, at, take);
          }
          store<f32>(rowValues + (<usize>o << 2), <f32>best);
          store<i32>(rowColumns + (<usize>o << 2), at);
          o++;
          continue;
        }
        let best = minusInfinity;
        let at = none;
        let column = i32x4.add(i32x4.splat(w0), i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(strideW)));
        for (let k = 0; k < kernelW; k++) {
          const v = loadTaps(row + (<usize>(w0 + k) << 2), strideW);
          const take = takesX4(v, best, at, nanIgnore, tiesLast);
          best = v128.bitselect(v, best, take);
          at = v128.bitselect(column, at, take);
          column = i32x4.add(column, i32x4.splat(1));
        }
        v128.store(rowValues + (<usize>o << 2), best);
        v128.store(rowColumns + (<usize>o << 2), at);
        o += 4;
      }
    }
    const yb = y + (<usize>plane * <usize>outSpatial << 2);
    const ib = indices + (<usize>plane * <usize>outSpatial << 2);
    let out = 0;
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      for (let h = 0; h < OH; h++, out += OW) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        let w = 0;
        for (; w + 4 <= OW; w += 4) {
          let best = minusInfinity;
          let at = none;
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const r = (d0 + i) * H + h0 + j;
              const slot = <usize>(r * OW + w) << 2;
              const v = v128.load(values + slot);
              const column = v128.load(columns + slot);
              const take = v128.and(i32x4.ge_s(column, i32x4.splat(0)), takesX4(v, best, at, nanIgnore, tiesLast));
              best = v128.bitselect(v, best, take);
              at = v128.bitselect(i32x4.add(column, i32x4.splat(r * W)), at, take);
            }
          }
          v128.store(yb + (<usize>(out + w) << 2), best);
          v128.store(ib + (<usize>(out + w) << 2), at);
        }
        for (; w < OW; w++) {
          let best: f64 = -Infinity;
          let at = -1;
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              const r = (d0 + i) * H + h0 + j;
              const slot = <usize>(r * OW + w) << 2;
              const column = load<i32>(columns + slot);
              const v = <f64>load<f32>(values + slot);
              const take = <bool>(<i32>(column >= 0) & <i32>takes(v, best, at, nanIgnore, tiesLast));
              best = select<f64>(v, best, take);
              at = select<i32>(r * W + column, at, take);
            }
          }
          store<f32>(yb + (<usize>(out + w) << 2), <f32>best);
          store<i32>(ib + (<usize>(out + w) << 2), at);
        }
      }
    }
  }
}

/**
 * The maximum over window [a, a + count) of a run whose blocks of `block` values have prefix
 * maxima `g` and suffix maxima `h` (van Herk / Gil-Werman): a window of at most `block` values
 * that is whole or clipped at the run's ends starts a block, ends one, or spans two.
 */
@inline function blockWindow(a: i32, count: i32, block: i32): i32 {
  // 0: g[end], 1: h[a], 2: max(h[a], g[end]).
  const end = a + count - 1;
  if (a / block != end / block) return 2;
  return a % block == 0 ? 0 : 1;
}

/** Whether any of `length` float32 values from `p` is NaN. */
function anyNaNF32(p: usize, length: i32): bool {
  let seen = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    seen = v128.or(seen, f32x4.ne(v, v));
  }
  let tail = false;
  for (; i < length; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    tail = tail || v != v;
  }
  return tail || v128.any_true(seen);
}

/** The larger of a and b, the earlier on ties (b is the earlier); for values that are not NaN. */
@inline function later(a: f32, b: f32): f32 {
  return select<f32>(a, b, a > b);
}

/**
 * Float32 channels-first 2-D max, values only, at a cost per output that does not grow with the
 * window (van Herk / Gil-Werman along rows, then along columns four outputs at a time), for
 * sliding windows with unit dilation. Planes holding a NaN take maxValuesF32 (the
 * comparisons here assume none). Of equal values the block maxima keep the earlier, but van
 * Herk's last step may pick a +0 over a -0 seen first (equal values either way).
 * `scratch`: 2 * W + (2 * H + 1) * OW float32 values.
 */
export function max_large_cf_f32(x: usize, y: usize, planes: i32, geo: usize, flags: i32, strideW: i32, scratch: usize): void {
  bind(geo);
  const g = scratch;
  const h = g + (<usize>W << 2);
  const rowMax = h + (<usize>W << 2);
  const suffix = rowMax + (<usize>(H * OW) << 2);
  const kindsW = suffix + (<usize>(H * OW) << 2);
  let blockW = 1, blockH = 1;
  for (let o = 0; o < OW; o++) blockW = max(blockW, at32(cW, o));
  for (let o = 0; o < OH; o++) blockH = max(blockH, at32(cH, o));
  const lastInBlock = (W - 1) % blockW;
  const rowBytes = <usize>OW << 2;
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    const yb = y + (<usize>plane * <usize>outSpatial << 2);
    if (anyNaNF32(xb, inSpatial)) {
      maxValuesF32(xb, yb, 1, flags, strideW, scratch);
      continue;
    }
    // maxValuesF32 may have used the scratch: the window kinds are rewritten per plane.
    for (let o = 0; o < OW; o++) store<i32>(kindsW + (<usize>o << 2), blockWindow(at32(fW, o), at32(cW, o), blockW));
    for (let r = 0; r < H; r++) {
      const row = xb + (<usize>(r * W) << 2);
      // Prefix maxima forwards and suffix maxima backwards in one loop: two independent chains
      // of comparisons. Positions in the blocks are counted alongside (no division per value).
      let prefix: f32 = 0, suffixMax: f32 = 0;
      let forward = 0, backward = lastInBlock;
      for (let w = 0, v = W - 1; w < W; w++, v--) {
        const ahead = load<f32>(row + (<usize>w << 2));
        prefix = forward == 0 ? ahead : later(ahead, prefix);
        store<f32>(g + (<usize>w << 2), prefix);
        if (++forward == blockW) forward = 0;
        const behind = load<f32>(row + (<usize>v << 2));
        // Going backwards, the new value is the earlier one: it wins ties.
        suffixMax = v == W - 1 || backward == blockW - 1 ? behind : later(suffixMax, behind);
        store<f32>(h + (<usize>v << 2), suffixMax);
        backward = backward == 0 ? blockW - 1 : backward - 1;
      }
      for (let o = 0; o < OW; o++) {
        const a = at32(fW, o), count = at32(cW, o);
        let m: f32 = -Infinity;
        if (count > 0) {
          const end = load<f32>(g + (<usize>(a + count - 1) << 2));
          const start = load<f32>(h + (<usize>a << 2));
          const kind = load<i32>(kindsW + (<usize>o << 2));
          m = kind == 0 ? end : kind == 1 ? start : later(end, start);
        }
        store<f32>(rowMax + (<usize>(r * OW + o) << 2), m);
      }
    }
    // Down the columns: suffix maxima into `suffix`, then prefix maxima in place of rowMax.
    let inBlock = (H - 1) % blockH;
    for (let r = H - 1; r >= 0; r--) {
      const at = <usize>r * rowBytes;
      if (r == H - 1 || inBlock == blockH - 1) memory.copy(suffix + at, rowMax + at, rowBytes);
      else maxRows(suffix + at, suffix + at + rowBytes, rowMax + at);
      inBlock = inBlock == 0 ? blockH - 1 : inBlock - 1;
    }
    inBlock = 1;
    for (let r = 1; r < H; r++) {
      const at = <usize>r * rowBytes;
      if (inBlock != 0) maxRows(rowMax + at, rowMax + at, rowMax + at - rowBytes);
      if (++inBlock == blockH) inBlock = 0;
    }
    for (let oh = 0; oh < OH; oh++) {
      const a = at32(fH, oh), count = at32(cH, oh);
      const out = yb + <usize>oh * rowBytes;
      if (count == 0) {
        for (let o = 0; o < OW; o++) store<f32>(out + (<usize>o << 2), -Infinity);
        continue;
      }
      const end = rowMax + <usize>(a + count - 1) * rowBytes;
      const start = suffix + <usize>a * rowBytes;
      const kind = blockWindow(a, count, blockH);
      if (kind == 0) memory.copy(out, end, rowBytes);
      else if (kind == 1) memory.copy(out, start, rowBytes);
      else maxRows(out, end, start);
    }
  }
}

/** out[o] = the larger of a[o] and b[o], b's on ties (b holds the earlier values); no NaN. */
function maxRows(out: usize, a: usize, b: usize): void {
  let o = 0;
  for (; o + 4 <= OW; o += 4) {
    const at = <usize>o << 2;
    v128.store(out + at, f32x4.pmax(v128.load(b + at), v128.load(a + at)));
  }
  for (; o < OW; o++) {
    const at = <usize>o << 2;
    store<f32>(out + at, later(load<f32>(a + at), load<f32>(b + at)));
  }
}

export function max_separable_cf_f32(x: usize, y: usize, indices: usize, planes: i32, geo: usize, flags: i32, strideW: i32, scratch: usize): void {
  bind(geo);
  maxSeparableF32(x, y, indices, planes, flags, strideW, scratch);
}
export function max_separable_cf_f64(x: usize, y: usize, indices: usize, planes: i32, geo: usize, flags: i32, scratch: usize): void {
  bind(geo);
  maxSeparable<f64>(x, y, indices, planes, flags, scratch);
}

/**
 * Channels-last average, vectorised over the channels: every tap adds a contiguous run of C values
 * into C float64 sums (`scratch`), taps in the reference's order, so each channel's sum is the
 * reference's. Any window geometry.
 */
function avgForwardChannelsLast<T>(x: usize, y: usize, batch: i32, C: i32, geo: usize, mode: i32, value: f64, empty: f64, acc: usize): void {
  bind(geo);
  const width = <usize>sizeof<T>();
  for (let n = 0; n < batch; n++) {
    const xb = x + <usize>n * <usize>inSpatial * <usize>C * width;
    let yAt = y + <usize>n * <usize>outSpatial * <usize>C * width;
    startWindows();
    for (let o = 0; o < outSpatial; o++, nextWindow(), yAt += <usize>C * width) {
      memory.fill(acc, 0, <usize>C << 3);
      for (let i = 0; i < countD; i++) {
        for (let j = 0; j < countH; j++) {
          for (let k = 0; k < countW; k++) {
            const spatial = (((firstD + i * sD) * H + firstH + j * sH) * W + firstW + k * sW);
            const p = xb + <usize>spatial * <usize>C * width;
            let c = 0;
            if (sizeof<T>() == 4) {
              for (; c + 4 <= C; c += 4) {
                const v = v128.load(p + (<usize>c << 2));
                const a = acc + (<usize>c << 3);
                v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
                v128.store(a, f64x2.add(v128.load(a, 16), promoteHigh(v)), 16);
              }
            } else {
              for (; c + 2 <= C; c += 2) {
                const a = acc + (<usize>c << 3);
                v128.store(a, f64x2.add(v128.load(a), v128.load(p + (<usize>c << 3))));
              }
            }
            for (; c < C; c++) {
              const a = acc + (<usize>c << 3);
              store<f64>(a, load<f64>(a) + <f64>load<T>(p + <usize>c * width));
            }
          }
        }
      }
      const q = divisorOf(mode, value, atD, atH, atW);
      if (sizeof<T>() == 4) storeRowF32(acc, yAt, C, q, empty);
      else for (let c = 0; c < C; c++) store<f64>(yAt + (<usize>c << 3), q == 0 ? empty : load<f64>(acc + (<usize>c << 3)) / q);
    }
  }
}

/**
 * Channels-last max (values and indices), vectorised over the channels: every tap updates C
 * running maxima (`scratch`: C values of T, then C i32 indices) with the reference's rule, taps in
 * scan order; four channels at a time for float32.
 */
function maxForwardChannelsLast<T>(x: usize, y: usize, indices: usize, batch: i32, C: i32, geo: usize, flags: i32, scratch: usize): void {
  bind(geo);
  const nanIgnore = (flags & NAN_IGNORE) != 0;
  const tiesLast = (flags & TIES_LAST) != 0;
  const width = <usize>sizeof<T>();
  const best = scratch;
  const at = scratch + <usize>C * width;
  for (let n = 0; n < batch; n++) {
    const xb = x + <usize>n * <usize>inSpatial * <usize>C * width;
    let out = n * outSpatial * C;
    startWindows();
    for (let o = 0; o < outSpatial; o++, nextWindow(), out += C) {
      for (let c = 0; c < C; c++) {
        store<T>(best + <usize>c * width, <T>-Infinity);
        store<i32>(at + (<usize>c << 2), -1);
      }
      for (let i = 0; i < countD; i++) {
        for (let j = 0; j < countH; j++) {
          for (let k = 0; k < countW; k++) {
            const spatial = ((firstD + i * sD) * H + firstH + j * sH) * W + firstW + k * sW;
            const p = xb + <usize>spatial * <usize>C * width;
            let c = 0;
            if (sizeof<T>() == 4) {
              const tap = i32x4.splat(spatial);
              for (; c + 4 <= C; c += 4) {
                const v = v128.load(p + (<usize>c << 2));
                const b = v128.load(best + (<usize>c << 2));
                const a = v128.load(at + (<usize>c << 2));
                const take = takesX4(v, b, a, nanIgnore, tiesLast);
                v128.store(best + (<usize>c << 2), v128.bitselect(v, b, take));
                v128.store(at + (<usize>c << 2), v128.bitselect(tap, a, take));
              }
            }
            for (; c < C; c++) {
              const v = <f64>load<T>(p + <usize>c * width);
              const b = <f64>load<T>(best + <usize>c * width);
              const a = load<i32>(at + (<usize>c << 2));
              const take = takes(v, b, a, nanIgnore, tiesLast);
              store<T>(best + <usize>c * width, <T>select<f64>(v, b, take));
              store<i32>(at + (<usize>c << 2), select<i32>(spatial, a, take));
            }
          }
        }
      }
      memory.copy(y + <usize>out * width, best, <usize>C * width);
      memory.copy(indices + (<usize>out << 2), at, <usize>C << 2);
    }
  }
}

/**
 * Channels-last average backward, vectorised over the channels: each output's C shares
 * dy / divisor (`scratch`: C float64) are added to its taps' C gradients in float64, outputs in
 * order, as the reference adds them.
 */
function avgBackwardChannelsLast<T>(dy: usize, dx: usize, batch: i32, C: i32, geo: usize, mode: i32, value: f64, share: usize): void {
  bind(geo);
  const width = <usize>sizeof<T>();
  for (let n = 0; n < batch; n++) {
    const dxb = dx + (<usize>n * <usize>inSpatial * <usize>C << 3);
    let g = dy + <usize>n * <usize>outSpatial * <usize>C * width;
    startWindows();
    for (let o = 0; o < outSpatial; o++, nextWindow(), g += <usize>C * width) {
      const q = divisorOf(mode, value, atD, atH, atW);
      if (q == 0) continue;
      for (let c = 0; c < C; c++) store<f64>(share + (<usize>c << 3), <f64>load<T>(g + <usize>c * width) / q);
      for (let i = 0; i < countD; i++) {
        for (let j = 0; j < countH; j++) {
          for (let k = 0; k < countW; k++) {
            const spatial = ((firstD + i * sD) * H + firstH + j * sH) * W + firstW + k * sW;
            const p = dxb + (<usize>spatial * <usize>C << 3);
            let c = 0;
            for (; c + 2 <= C; c += 2) {
              const at = p + (<usize>c << 3);
              v128.store(at, f64x2.add(v128.load(at), v128.load(share + (<usize>c << 3))));
            }
            if (c < C) addF64(p, c, load<f64>(share + (<usize>c << 3)));
          }
        }
      }
    }
  }
}

export function avg_backward_cl_f32(dy: usize, dx: usize, n: i32, c: i32, geo: usize, mode: i32, value: f64, scratch: usize): void {
  avgBackwardChannelsLast<f32>(dy, dx, n, c, geo, mode, value, scratch);
}
export function avg_backward_cl_f64(dy: usize, dx: usize, n: i32, c: i32, geo: usize, mode: i32, value: f64, scratch: usize): void {
  avgBackwardChannelsLast<f64>(dy, dx, n, c, geo, mode, value, scratch);
}

export function max_forward_cl_f32(x: usize, y: usize, indices: usize, n: i32, c: i32, geo: usize, flags: i32, scratch: usize): void {
  maxForwardChannelsLast<f32>(x, y, indices, n, c, geo, flags, scratch);
}
export function max_forward_cl_f64(x: usize, y: usize, indices: usize, n: i32, c: i32, geo: usize, flags: i32, scratch: usize): void {
  maxForwardChannelsLast<f64>(x, y, indices, n, c, geo, flags, scratch);
}

export function avg_forward_cl_f32(x: usize, y: usize, n: i32, c: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  avgForwardChannelsLast<f32>(x, y, n, c, geo, mode, value, empty, scratch);
}
export function avg_forward_cl_f64(x: usize, y: usize, n: i32, c: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  avgForwardChannelsLast<f64>(x, y, n, c, geo, mode, value, empty, scratch);
}

// ---------------------------------------------------------------------------------------------
// Average pooling, float32 channels-first 2-D (or 1-D) planes, small windows, rows first: each
// input row's width-window sums are computed once, in float64, into a ring of rows as tall as two
// neighbouring height windows; each output row is the sum of its height window's ring rows
// times the reciprocal of its divisor (two neighbouring output rows at once, adding the rows
// they share once). Every tap is a float32 value added in float64, so the
// order of the adds does not change the sum (see the note on the float32 fast paths), and NaN
// and the infinities come out as they do tap by tap. Cost per output grows with the kernel's
// height plus its width; larger windows go through avg_running_cf_f32.

/** The float32 row at `row` (W values) as float64 at `out`. */
function promoteRowF32(row: usize, out: usize): void {
  let w = 0;
  for (; w + 4 <= W; w += 4) {
    const v = v128.load(row + (<usize>w << 2));
    v128.store(out + (<usize>w << 3), f64x2.promote_low_f32x4(v));
    v128.store(out + (<usize>w << 3), promoteHigh(v), 16);
  }
  for (; w < W; w++) store<f64>(out + (<usize>w << 3), <f64>load<f32>(row + (<usize>w << 2)));
}

// The whole run of a row's width windows (see findWholeRun, stride 1; at least four), from `p`
// (its first window's first tap) into `q` (its first sum): four windows a step, the last group
// ending at the run's end and overlapping its predecessor. Two or three taps come straight from
// the float32 row (two loads one tap apart give every pair of neighbours), more from the row
// promoted to float64 once.

/**
 * Two or three (`three`) taps: taps t .. t + 5 of the group at t; with three, the middle pair is
 * shared by both halves. Inlined with a constant `three`, each caller gets its own loop.
 */
@inline function runOfNeighbours(p: usize, q: usize, span: i32, three: bool): void {
  const last = <usize>(span - 4);
  for (let t: usize = 0; ; t += 4) {
    if (t > last) t = last;
    const at = p + (t << 2);
    const v = v128.load(at), shifted = v128.load(at, 4);
    let lo = f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(shifted));
    let hi = f64x2.add(promoteHigh(v), promoteHigh(shifted));
    if (three) {
      lo = f64x2.add(lo, promoteHigh(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(v128.load64_zero(at, 16)));
    }
    v128.store(q + (t << 3), lo);
    v128.store(q + (t << 3), hi, 16);
    if (t == last) break;
  }
}

/** Any number of taps (wideW), from the promoted row at `X` (`p` is its first tap there). */
function runOfAny(p: usize, q: usize, span: i32): void {
  const last = <usize>(span - 4);
  for (let t: usize = 0; ; t += 4) {
    if (t > last) t = last;
    const at = p + (t << 3);
    let lo = v128.load(at), hi = v128.load(at, 16);
    for (let k = 1; k < wideW; k++) {
      const tap = at + (<usize>k << 3);
      lo = f64x2.add(lo, v128.load(tap));
      hi = f64x2.add(hi, v128.load(tap, 16));
    }
    v128.store(q + (t << 3), lo);
    v128.store(q + (t << 3), hi, 16);
    if (t == last) break;
  }
}

/**
 * The width-window sums of the float32 row at `row` into `sums` (OW float64): the whole run four
 * a step (`X`: room for the row promoted, W float64), clipped windows one at a time over their
 * in-bounds taps only.
 */
function rowWindowSums(row: usize, X: usize, sums: usize): void {
  const span = wholeTo - wholeFrom;
  let o = 0;
  while (o < OW) {
    if (o == wholeFrom && span >= 4) {
      const first = <usize>at32(fW, o);
      const q = sums + (<usize>o << 3);
      if (wideW == 2) runOfNeighbours(row + (first << 2), q, span, false);
      else if (wideW == 3) runOfNeighbours(row + (first << 2), q, span, true);
      else {
        promoteRowF32(row, X);
        runOfAny(X + (first << 3), q, span);
      }
      o = wholeTo;
      continue;
    }
    const w0 = at32(fW, o), wn = at32(cW, o);
    let sum: f64 = 0;
    for (let k = 0; k < wn; k++) sum += <f64>load<f32>(row + (<usize>(w0 + k) << 2));
    store<f64>(sums + (<usize>o << 3), sum);
    o++;
  }
}

/** Float32 lanes of the float64 sums `lo` and `hi` times the reciprocals at `reciprocals`. */
@inline function scaledF32(lo: v128, hi: v128, reciprocals: usize): v128 {
  const low = f32x4.demote_f64x2_zero(f64x2.mul(lo, v128.load(reciprocals)));
  const high = f32x4.demote_f64x2_zero(f64x2.mul(hi, v128.load(reciprocals, 16)));
  return v128.shuffle<f32>(low, high, 0, 1, 4, 5);
}

/**
 * One output row (`pair` false) or two consecutive ones (`pair` true) of float32 at `out`, with
 * the reciprocals `reciprocals` (OW float64). The first row's height window is the `count` ring
 * rows whose addresses sit at `rows`, the second's the `count` from the next address: the
 * `count - 1` rows they share are added once. The sums start from +0 (the reference's: a window
 * of -0 gives +0). An empty width window sums to 0 and has the reciprocal `empty` (0 or NaN),
 * which gives `empty`.
 */
function averageRowsF32(rows: usize, count: i32, pair: bool, reciprocals: usize, out: usize): void {
  const zero = f64x2.splat(0);
  const top = load<usize>(rows), bottom = load<usize>(rows + (<usize>count << 2));
  const second = out + (<usize>OW << 2);
  // The last group of four ends at OW, overlapping its predecessor.
  const last = <usize>(OW - 4) << 3;
  if (OW >= 4 && count == 3 && pair) {
    // Two windows of three rows, the common case, without a loop over the rows.
    const r1 = load<usize>(rows, 4), r2 = load<usize>(rows, 8);
    for (let at: usize = 0; ; at += 32) {
      if (at > last) at = last;
      const lo = f64x2.add(f64x2.add(zero, v128.load(r1 + at)), v128.load(r2 + at));
      const hi = f64x2.add(f64x2.add(zero, v128.load(r1 + at, 16)), v128.load(r2 + at, 16));
      const reciprocal = reciprocals + at;
      v128.store(out + (at >> 1), scaledF32(f64x2.add(lo, v128.load(top + at)), f64x2.add(hi, v128.load(top + at, 16)), reciprocal));
      v128.store(second + (at >> 1), scaledF32(f64x2.add(lo, v128.load(bottom + at)), f64x2.add(hi, v128.load(bottom + at, 16)), reciprocal));
      if (at == last) break;
    }
    return;
  }
  if (OW >= 4) {
    for (let at: usize = 0; ; at += 32) {
      if (at > last) at = last;
      let lo = zero, hi = zero;
      for (let j = 1; j < count; j++) {
        const r = load<usize>(rows + (<usize>j << 2));
        lo = f64x2.add(lo, v128.load(r + at));
        hi = f64x2.add(hi, v128.load(r + at, 16));
      }
      const reciprocal = reciprocals + at;
      v128.store(out + (at >> 1), scaledF32(f64x2.add(lo, v128.load(top + at)), f64x2.add(hi, v128.load(top + at, 16)), reciprocal));
      if (pair) {
        v128.store(second + (at >> 1), scaledF32(f64x2.add(lo, v128.load(bottom + at)), f64x2.add(hi, v128.load(bottom + at, 16)), reciprocal));
      }
      if (at == last) break;
    }
    return;
  }
  for (let o = 0; o < OW; o++) {
    const at = <usize>o << 3;
    let shared: f64 = 0;
    for (let j = 1; j < count; j++) shared += load<f64>(load<usize>(rows + (<usize>j << 2)) + at);
    const reciprocal = load<f64>(reciprocals + at);
    store<f32>(out + (<usize>o << 2), <f32>((shared + load<f64>(top + at)) * reciprocal));
    if (pair) store<f32>(second + (<usize>o << 2), <f32>((shared + load<f64>(bottom + at)) * reciprocal));
  }
}

/**
 * Float32 channels-first average of 2-D (or 1-D) planes (one depth in and out, depth window of
 * one tap), unit tap steps, rows first (see above). `scratch`: W + OW * (slots + keys) float64,
 * then 2 * slots i32, where slots is one more than the tallest height window (two neighbouring
 * windows at once) and keys one more than the largest height factor of a divisor (the padded
 * count with `mode` 1, the in-bounds count with 0, none with 2): a row of reciprocals per
 * height factor.
 */
export function avg_rows_cf_f32(x: usize, y: usize, planes: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  bind(geo);
  findWholeRun(1);
  let slots = 1, keys = 1;
  for (let h = 0; h < OH; h++) {
    slots = max(slots, at32(cH, h) + 1);
    if (mode != DIVISOR_VALID && mode != DIVISOR_PADDED) continue;
    keys = max(keys, 1 + (mode == DIVISOR_VALID ? at32(cH, h) : at32(pH, h)));
  }
  const rowBytes = <usize>OW << 3;
  const X = scratch;
  const ring = X + (<usize>W << 3);
  const table = ring + <usize>slots * rowBytes;
  const held = table + <usize>keys * rowBytes;
  const rows = held + (<usize>slots << 2);
  // Divisors vary only with the windows' counts: the reciprocals of every height factor, once.
  for (let key = 0; key < keys; key++) {
    for (let o = 0; o < OW; o++) {
      let reciprocal = empty;
      if (at32(cW, o) != 0) {
        const q =
          mode == DIVISOR_VALID
            ? <f64>(key * at32(cD, 0) * at32(cW, o))
            : mode == DIVISOR_PADDED
              ? <f64>at32(pD, 0) * <f64>key * <f64>at32(pW, o)
              : value;
        reciprocal = 1 / q;
      }
      store<f64>(table + <usize>key * rowBytes + (<usize>o << 3), reciprocal);
    }
  }
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    let yRow = y + (<usize>plane * <usize>outSpatial << 2);
    for (let s = 0; s < slots; s++) store<i32>(held + (<usize>s << 2), -1);
    for (let oh = 0; oh < OH; ) {
      const h0 = at32(fH, oh), hn = at32(cH, oh);
      if (hn == 0) {
        for (let o = 0; o < OW; o++) store<f32>(yRow + (<usize>o << 2), <f32>empty);
        oh++;
        yRow += <usize>OW << 2;
        continue;
      }
      const key = mode == DIVISOR_VALID ? hn : mode == DIVISOR_PADDED ? at32(pH, oh) : 0;
      // The next row's window one row lower, as tall and with the same divisors: both at once.
      const pair =
        oh + 1 < OH && at32(fH, oh + 1) == h0 + 1 && at32(cH, oh + 1) == hn && (mode != DIVISOR_PADDED || at32(pH, oh + 1) == key);
      // Rows are consecutive and at most slots at once: row r sits in slot r % slots.
      const span = pair ? hn + 1 : hn;
      let slot = h0 % slots;
      for (let j = 0; j < span; j++, slot = slot + 1 == slots ? 0 : slot + 1) {
        const r = h0 + j;
        const sums = ring + <usize>slot * rowBytes;
        if (load<i32>(held + (<usize>slot << 2)) != r) {
          store<i32>(held + (<usize>slot << 2), r);
          rowWindowSums(xb + (<usize>(r * W) << 2), X, sums);
        }
        store<usize>(rows + (<usize>j << 2), sums);
      }
      averageRowsF32(rows, hn, pair, table + <usize>key * rowBytes, yRow);
      const done = pair ? 2 : 1;
      oh += done;
      yRow += <usize>(OW * done) << 2;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Layout changes, float32: a channels-last average whose channels-first plan has a fast kernel
// runs that kernel on its channels transposed into planes and transposes the outputs back (see
// wasm-backend.ts). Moving bits changes none, so the result is the channels-first kernel's, bit
// for bit, on the transposed data.

/** The 4x4 block of float32 rows at `p` (`step` bytes apart), transposed into rows `outStep` bytes apart at `out`. */
@inline function rowsOf4x4(p: usize, step: usize, out: usize, outStep: usize): void {
  const a = v128.load(p), b = v128.load(p + step), c = v128.load(p + 2 * step), d = v128.load(p + 3 * step);
  const ab0 = v128.shuffle<f32>(a, b, 0, 4, 1, 5), ab1 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd0 = v128.shuffle<f32>(c, d, 0, 4, 1, 5), cd1 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(ab0, cd0, 0, 1, 4, 5));
  v128.store(out + outStep, v128.shuffle<f32>(ab0, cd0, 2, 3, 6, 7));
  v128.store(out + 2 * outStep, v128.shuffle<f32>(ab1, cd1, 0, 1, 4, 5));
  v128.store(out + 3 * outStep, v128.shuffle<f32>(ab1, cd1, 2, 3, 6, 7));
}

/** Columns a pass of 4x4 blocks covers at once: the source rows it reads stay in the L1 cache. */
const TRANSPOSE_COLUMNS: i32 = 64;

/**
 * dst[c * dstStride + r] = src[r * srcStride + c] for r < rows, c < cols (float32 elements):
 * `rows` x `cols` taken from rows `srcStride` apart, written as `cols` rows `dstStride` apart.
 * Blocks of 4x4 by shuffles, sixteen source rows at a time so that each destination row gets 64
 * contiguous bytes (a cache line) at once: destination rows a power of two apart share cache
 * sets, and lines filled 16 bytes at a time were evicted half written (a 64-row group of 16384
 * spatial positions transposed 10x slower than a 16-row one). The edges one element at a time.
 */
export function transpose_f32(src: usize, dst: usize, rows: i32, cols: i32, srcStride: i32, dstStride: i32): void {
  const srcRow = <usize>srcStride << 2, dstRow = <usize>dstStride << 2;
  const rows4 = rows & ~3, rows16 = rows & ~15, cols4 = cols & ~3;
  for (let c0 = 0; c0 < cols4; c0 += TRANSPOSE_COLUMNS) {
    const c1 = min(c0 + TRANSPOSE_COLUMNS, cols4);
    for (let r = 0; r < rows16; r += 16) {
      const from = src + <usize>r * srcRow, to = dst + (<usize>r << 2);
      for (let c = c0; c < c1; c += 4) {
        const p = from + (<usize>c << 2), q = to + <usize>c * dstRow;
        rowsOf4x4(p, srcRow, q, dstRow);
        rowsOf4x4(p + 4 * srcRow, srcRow, q + 16, dstRow);
        rowsOf4x4(p + 8 * srcRow, srcRow, q + 32, dstRow);
        rowsOf4x4(p + 12 * srcRow, srcRow, q + 48, dstRow);
      }
    }
    for (let r = rows16; r < rows4; r += 4) {
      const from = src + <usize>r * srcRow, to = dst + (<usize>r << 2);
      for (let c = c0; c < c1; c += 4) rowsOf4x4(from + (<usize>c << 2), srcRow, to + <usize>c * dstRow, dstRow);
    }
  }
  for (let r = rows4; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(dst + <usize>c * dstRow + (<usize>r << 2), load<f32>(src + <usize>r * srcRow + (<usize>c << 2)));
  }
  for (let c = cols4; c < cols; c++) {
    for (let r = 0; r < rows4; r++) store<f32>(dst + <usize>c * dstRow + (<usize>r << 2), load<f32>(src + <usize>r * srcRow + (<usize>c << 2)));
  }
}

// ---------------------------------------------------------------------------------------------
// Float32 channels-first max with indices, ties 'first', unit tap steps, for planes without NaN:
// maxSeparableF32's two passes with one "greater than" per tap. A tap replaces the best so far
// only when larger, so the first maximum in scan order stays (-0 and +0 tie), which is the
// reference's tap when no tap is NaN; the rules for NaN (and the bookkeeping of "nothing taken
// yet") are what made maxSeparableF32 cost several times the values-only kernels. Every tap is
// added into a probe on the way (NaN when a tap is NaN); a plane whose probe is NaN, and plans
// with empty windows, go through maxSeparableF32.

/** Whether any window of the bound plan is empty on some axis. */
function anyEmptyWindow(): bool {
  for (let d = 0; d < OD; d++) if (at32(cD, d) == 0) return true;
  for (let h = 0; h < OH; h++) if (at32(cH, h) == 0) return true;
  for (let w = 0; w < OW; w++) if (at32(cW, w) == 0) return true;
  return false;
}

/**
 * The first maximum of width window `o` of the row at `row` into slot `o` of `rowValues` and
 * `rowColumns`; returns whether the sum of its taps is NaN (a tap is NaN, or the taps hold both
 * infinities: then the NaN-exact kernel runs for nothing, but gives the same result).
 */
@inline function firstMaxOfWindow(row: usize, o: i32, rowValues: usize, rowColumns: usize): bool {
  const w0 = at32(fW, o), wn = at32(cW, o);
  let best = load<f32>(row + (<usize>w0 << 2));
  let at = w0;
  let probe = best;
  for (let k = 1; k < wn; k++) {
    const v = load<f32>(row + (<usize>(w0 + k) << 2));
    probe += v;
    // Selects, not branches: on data in no order a branch per tap mispredicts half the time.
    const take = v > best;
    best = select<f32>(v, best, take);
    at = select<i32>(w0 + k, at, take);
  }
  store<f32>(rowValues + (<usize>o << 2), best);
  store<i32>(rowColumns + (<usize>o << 2), at);
  return probe != probe;
}

/**
 * Whether width windows o..o+3 (the first from w0) take one SIMD step: whole, `strideW` apart,
 * every load within the row (the ResNet stem's loads reach w0 + 8, loadTaps' 3 or 7 past the
 * last tap's start).
 */
@inline function fourWholeAt(o: i32, w0: i32, kernelW: i32, strideW: i32): bool {
  const reach = kernelW == 3 && strideW == 2 ? 8 : kernelW - 1 + 4 * strideW - 1;
  return strideW != 0 && o + 4 <= OW && lanesApart(o, w0, kernelW, strideW) && w0 + reach < W;
}

// The width outputs [groupsFrom, groupsTo) of the plan max_indices_cf_f32 runs go four at a time
// (fourWholeAt holds for each group: a run of whole windows; the last group may end at OW,
// overlapping its predecessor); the others one by one.
let groupsFrom = 0, groupsTo = 0;

function findGroups(kernelW: i32, strideW: i32): void {
  let o = 0;
  while (o + 4 <= OW && !fourWholeAt(o, at32(fW, o), kernelW, strideW)) o++;
  groupsFrom = groupsTo = o + 4 <= OW ? o : OW;
  while (groupsTo + 4 <= OW && fourWholeAt(groupsTo, at32(fW, groupsTo), kernelW, strideW)) groupsTo += 4;
  if (groupsTo > groupsFrom && groupsTo < OW && fourWholeAt(OW - 4, at32(fW, OW - 4), kernelW, strideW)) groupsTo = OW;
}

/** One plane's width-window maxima and their columns, row by row; returns whether a tap may be NaN (see probe). */
function rowMaximaNaNFree(xb: usize, values: usize, columns: usize, kernelW: i32, strideW: i32): bool {
  const rows = inSpatial / W;
  // Every tap added up: NaN if a tap is NaN (or if taps hold both infinities, or overflow both
  // ways: the NaN-exact kernel then runs for nothing, with the same result). One add per tap.
  let probe = f32x4.splat(0);
  let nan = false;
  const rowBytes = <usize>W << 2, slotBytes = <usize>OW << 2;
  for (let r = 0, row = xb, rowValues = values, rowColumns = columns; r < rows; r++, row += rowBytes, rowValues += slotBytes, rowColumns += slotBytes) {
    for (let o = 0; o < groupsFrom; o++) nan = firstMaxOfWindow(row, o, rowValues, rowColumns) || nan;
    for (let o = groupsTo; o < OW; o++) nan = firstMaxOfWindow(row, o, rowValues, rowColumns) || nan;
    for (let next = groupsFrom; next < groupsTo; next += 4) {
      const o = min(next, groupsTo - 4);
      const w0 = at32(fW, o);
      let column = i32x4.add(i32x4.splat(w0), i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(strideW)));
      const p = row + (<usize>w0 << 2);
      let best: v128, at = column;
      if (kernelW == 3 && strideW == 2) {
        // The ResNet stem's windows: taps w0 + 2i, + 1 and + 2 from one even/odd split and the
        // next even tap (fourWholeAt keeps w0 + 8 within the row).
        const low = v128.load(p), high = v128.load(p, 16);
        const even = v128.shuffle<f32>(low, high, 0, 2, 4, 6), odd = v128.shuffle<f32>(low, high, 1, 3, 5, 7);
        const third = v128.shuffle<f32>(even, v128.load32_zero(p, 32), 1, 2, 3, 4);
        probe = f32x4.add(probe, f32x4.add(f32x4.add(even, odd), third));
        best = even;
        let take = f32x4.gt(odd, best);
        best = v128.bitselect(odd, best, take);
        at = v128.bitselect(i32x4.add(column, i32x4.splat(1)), at, take);
        take = f32x4.gt(third, best);
        best = v128.bitselect(third, best, take);
        at = v128.bitselect(i32x4.add(column, i32x4.splat(2)), at, take);
      } else {
        best = loadTaps(p, strideW);
        probe = f32x4.add(probe, best);
        for (let k = 1; k < kernelW; k++) {
          const v = loadTaps(p + (<usize>k << 2), strideW);
          column = i32x4.add(column, i32x4.splat(1));
          probe = f32x4.add(probe, v);
          const take = f32x4.gt(v, best);
          best = v128.bitselect(v, best, take);
          at = v128.bitselect(column, at, take);
        }
      }
      v128.store(rowValues + (<usize>o << 2), best);
      v128.store(rowColumns + (<usize>o << 2), at);
    }
  }
  return nan || v128.any_true(f32x4.ne(probe, probe));
}

/** One plane's outputs from its row maxima: each output's first maximum over its window's rows. */
function columnMaximaNaNFree(values: usize, columns: usize, yb: usize, ib: usize): void {
  let out = 0;
  for (let d = 0; d < OD; d++) {
    const d0 = at32(fD, d), dn = at32(cD, d);
    for (let h = 0; h < OH; h++, out += OW) {
      const h0 = at32(fH, h), hn = at32(cH, h);
      const r0 = d0 * H + h0;
      let w = 0;
      for (; w + 4 <= OW; w += 4) {
        const first = <usize>(r0 * OW + w) << 2;
        let best = v128.load(values + first);
        let at = i32x4.add(v128.load(columns + first), i32x4.splat(r0 * W));
        for (let i = 0; i < dn; i++) {
          for (let j = i == 0 ? 1 : 0; j < hn; j++) {
            const r = (d0 + i) * H + h0 + j;
            const slot = <usize>(r * OW + w) << 2;
            const v = v128.load(values + slot);
            const take = f32x4.gt(v, best);
            best = v128.bitselect(v, best, take);
            at = v128.bitselect(i32x4.add(v128.load(columns + slot), i32x4.splat(r * W)), at, take);
          }
        }
        v128.store(yb + (<usize>(out + w) << 2), best);
        v128.store(ib + (<usize>(out + w) << 2), at);
      }
      for (; w < OW; w++) {
        let best = load<f32>(values + (<usize>(r0 * OW + w) << 2));
        let at = r0 * W + load<i32>(columns + (<usize>(r0 * OW + w) << 2));
        for (let i = 0; i < dn; i++) {
          for (let j = i == 0 ? 1 : 0; j < hn; j++) {
            const r = (d0 + i) * H + h0 + j;
            const v = load<f32>(values + (<usize>(r * OW + w) << 2));
            if (v > best) {
              best = v;
              at = r * W + load<i32>(columns + (<usize>(r * OW + w) << 2));
            }
          }
        }
        store<f32>(yb + (<usize>(out + w) << 2), best);
        store<i32>(ib + (<usize>(out + w) << 2), at);
      }
    }
  }
}

/**
 * Float32 channels-first max with indices, ties 'first' (`flags` without TIES_LAST), unit tap
 * steps: NaN-free planes as above, others (and plans with empty windows) through
 * maxSeparableF32 with `flags`. `scratch` as max_separable_cf_f32's.
 */
export function max_indices_cf_f32(x: usize, y: usize, indices: usize, planes: i32, geo: usize, flags: i32, strideW: i32, scratch: usize): void {
  bind(geo);
  if (anyEmptyWindow()) {
    maxSeparableF32(x, y, indices, planes, flags, strideW, scratch);
    return;
  }
  const values = scratch;
  const columns = scratch + (<usize>(inSpatial / W) * <usize>OW << 2);
  let kernelW = 0;
  for (let o = 0; o < OW; o++) kernelW = max(kernelW, at32(cW, o));
  findGroups(kernelW, strideW);
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    const yb = y + (<usize>plane * <usize>outSpatial << 2);
    const ib = indices + (<usize>plane * <usize>outSpatial << 2);
    if (rowMaximaNaNFree(xb, values, columns, kernelW, strideW)) maxSeparableF32(xb, yb, ib, 1, flags, strideW, scratch);
    else columnMaximaNaNFree(values, columns, yb, ib);
  }
}
