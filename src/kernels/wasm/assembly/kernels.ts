// AssemblyScript: the WebAssembly kernels. Compiled by scripts/build-wasm.mjs (asc --enable simd -O3,
// runtime stub) into src/kernels/wasm/gen/kernels-wasm.ts; excluded from the TypeScript build.
//
// The kernels only execute a plan. The host writes the plan's resolved windows into linear memory
// (the geometry block below) and passes raw byte addresses; nothing here allocates. Every rank runs
// as 3-D (depth, height, width), like the JS kernels.
//
// Numerics follow the reference kernel: sums of float32 values go in float64 and are rounded once;
// the generic kernels add taps in the reference's scan order (so float64 results are the same bits),
// and the float32 fast paths reorder only float64 sums of float32 values, which are exact unless the
// values span more than 2^29 in magnitude.
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
  let o = 0;
  for (let d = 0; d < OD; d++) {
    const d0 = at32(fD, d), dn = at32(cD, d);
    for (let h = 0; h < OH; h++) {
      const h0 = at32(fH, h), hn = at32(cH, h);
      for (let w = 0; w < OW; w++, o++) {
        const w0 = at32(fW, w), wn = at32(cW, w);
        const q = divisorOf(mode, value, d, h, w);
        if (backward && q == 0) continue;
        const share = backward ? loadAs<T>(a, yb + o * step) / q : 0;
        let sum: f64 = 0;
        for (let i = 0; i < dn; i++) {
          const rowD = (d0 + i * sD) * H;
          for (let j = 0; j < hn; j++) {
            let p = xb + ((rowD + h0 + j * sH) * W + w0) * step;
            const pStep = sW * step;
            if (backward) for (let k = 0; k < wn; k++, p += pStep) addF64(b, p, share);
            else for (let k = 0; k < wn; k++, p += pStep) sum += loadAs<T>(a, p);
          }
        }
        if (!backward) storeAs<T>(b, yb + o * step, q == 0 ? extra : sum / q);
      }
    }
  }
}

/** Max forward: value and per-plane flat index of each window's maximum (NaN and tie rules). */
function maxPlane<T>(x: usize, y: usize, indices: usize, xb: i32, yb: i32, step: i32, flags: i32): void {
  const nanIgnore = (flags & NAN_IGNORE) != 0;
  const tiesLast = (flags & TIES_LAST) != 0;
  let o = 0;
  for (let d = 0; d < OD; d++) {
    const d0 = at32(fD, d), dn = at32(cD, d);
    for (let h = 0; h < OH; h++) {
      const h0 = at32(fH, h), hn = at32(cH, h);
      for (let w = 0; w < OW; w++, o++) {
        const w0 = at32(fW, w), wn = at32(cW, w);
        let best: f64 = -Infinity;
        let bestAt = -1;
        let sawNaN = false;
        for (let i = 0; i < dn && !sawNaN; i++) {
          const rowD = (d0 + i * sD) * H;
          for (let j = 0; j < hn && !sawNaN; j++) {
            const rowH = (rowD + h0 + j * sH) * W + w0;
            for (let k = 0; k < wn; k++) {
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
  let o = 0;
  for (let d = 0; d < OD; d++) {
    const d0 = at32(fD, d), dn = at32(cD, d);
    for (let h = 0; h < OH; h++) {
      const h0 = at32(fH, h), hn = at32(cH, h);
      for (let w = 0; w < OW; w++, o++) {
        const w0 = at32(fW, w), wn = at32(cW, w);
        const scale = lpScale(rescale, d, h, w);
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
        for (let i = 0; i < dn; i++) {
          const rowD = (d0 + i * sD) * H;
          for (let j = 0; j < hn; j++) {
            const rowH = (rowD + h0 + j * sH) * W + w0;
            for (let k = 0; k < wn; k++) {
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
// Float32 fast paths. Each sums float32 values in float64 (exact at any order for values within
// 2^29 of each other in magnitude) and divides once, as the reference does.

@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Float64 sum of `length` float32 values from `p`, with eight lanes in flight. */
function sumF32(p: usize, length: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const u = v128.load(p + (<usize>i << 2));
    const v = v128.load(p + (<usize>i << 2), 16);
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(u));
    a1 = f64x2.add(a1, promoteHigh(u));
    a2 = f64x2.add(a2, f64x2.promote_low_f32x4(v));
    a3 = f64x2.add(a3, promoteHigh(v));
  }
  const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < length; i++) sum += <f64>load<f32>(p + (<usize>i << 2));
  return sum;
}

/** Global average, channels-first: one contiguous plane of `size` values per output. */
export function global_avg_cf_f32(x: usize, y: usize, planes: i32, size: i32, divisor: f64): void {
  for (let plane = 0; plane < planes; plane++) {
    const sum = sumF32(x + (<usize>plane * <usize>size << 2), size);
    store<f32>(y + (<usize>plane << 2), <f32>(sum / divisor));
  }
}

/** Stores `count` float64 row sums over `q` as float32 (or `empty` when q is 0). */
function storeRowF32(acc: usize, y: usize, count: i32, q: f64, empty: f64): void {
  let o = 0;
  if (q == 0) {
    for (; o < count; o++) store<f32>(y + (<usize>o << 2), <f32>empty);
    return;
  }
  const qv = f64x2.splat(q);
  for (; o + 4 <= count; o += 4) {
    const lo = f32x4.demote_f64x2_zero(f64x2.div(v128.load(acc + (<usize>o << 3)), qv));
    const hi = f32x4.demote_f64x2_zero(f64x2.div(v128.load(acc + (<usize>o << 3), 16), qv));
    v128.store(y + (<usize>o << 2), v128.shuffle<f32>(lo, hi, 0, 1, 4, 5));
  }
  for (; o < count; o++) store<f32>(y + (<usize>o << 2), <f32>(load<f64>(acc + (<usize>o << 3)) / q));
}

/**
 * Channels-first average whose width windows are exactly the pairs (2o, 2o+1) (kernel 2, stride 2,
 * no width padding): pairs are summed four outputs at a time; depth and height windows are any.
 * `scratch` holds one output row of float64 sums.
 */
export function avg_pairs_cf_f32(x: usize, y: usize, planes: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  bind(geo);
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    let yRow = y + (<usize>plane * <usize>outSpatial << 2);
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      for (let h = 0; h < OH; h++, yRow += <usize>OW << 2) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        memory.fill(scratch, 0, <usize>OW << 3);
        for (let i = 0; i < dn; i++) {
          for (let j = 0; j < hn; j++) {
            const row = xb + (<usize>(((d0 + i * sD) * H + h0 + j * sH) * W) << 2);
            let o = 0;
            for (; o + 4 <= OW; o += 4) {
              const u = v128.load(row + (<usize>o << 3));
              const v = v128.load(row + (<usize>o << 3), 16);
              const even = v128.shuffle<f32>(u, v, 0, 2, 4, 6);
              const odd = v128.shuffle<f32>(u, v, 1, 3, 5, 7);
              const a = scratch + (<usize>o << 3);
              const lo = f64x2.add(f64x2.promote_low_f32x4(even), f64x2.promote_low_f32x4(odd));
              const hi = f64x2.add(promoteHigh(even), promoteHigh(odd));
              v128.store(a, f64x2.add(v128.load(a), lo));
              v128.store(a, f64x2.add(v128.load(a, 16), hi), 16);
            }
            for (; o < OW; o++) {
              const a = scratch + (<usize>o << 3);
              const p = row + (<usize>o << 3);
              store<f64>(a, load<f64>(a) + (<f64>load<f32>(p) + <f64>load<f32>(p, 4)));
            }
          }
        }
        // Every width window holds two taps, none padded: the divisor is the same along the row.
        storeRowF32(scratch, yRow, OW, divisorOf(mode, value, d, h, 0), empty);
      }
    }
  }
}

/** Whether all `length` float32 values from `p` are finite: v - v is 0 for them, NaN otherwise. */
function allFiniteF32(p: usize, length: i32): bool {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const v = v128.load(p + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.sub(v, v));
  }
  let tail: f32 = 0;
  for (; i < length; i++) {
    const v = load<f32>(p + (<usize>i << 2));
    tail += v - v;
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3) + tail == 0;
}

/**
 * Channels-first average with unit tap steps through prefix sums, so the cost per output does not
 * grow with the height and width of the window: per input row, prefix sums P give each width window
 * as P[end] - P[first]; those window sums, accumulated down the rows into Q, give each height window
 * as Q[end] - Q[first]. Depth windows add their slices. All in float64: the prefix sums of float32
 * values stay exact, so the differences are the window sums the reference adds up tap by tap.
 * `scratch` holds (W + 1) + (H + 1) * OW float64 values.
 */
export function avg_running_cf_f32(x: usize, y: usize, planes: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  bind(geo);
  const P = scratch;
  const Q = scratch + (<usize>(W + 1) << 3);
  const rowBytes = <usize>OW << 3;
  for (let plane = 0; plane < planes; plane++) {
    const xb = x + (<usize>plane * <usize>inSpatial << 2);
    let yOut = y + (<usize>plane * <usize>outSpatial << 2);
    if (!allFiniteF32(xb, inSpatial)) {
      // A NaN or infinity would poison every prefix sum after it: this plane goes tap by tap.
      avgPlane<f32>(x, y, plane * inSpatial, plane * outSpatial, 1, false, mode, value, empty);
      continue;
    }
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      memory.fill(Q, 0, rowBytes);
      for (let h = 0; h < H; h++) {
        const Qrow = Q + <usize>(h + 1) * rowBytes;
        memory.copy(Qrow, Qrow - rowBytes, rowBytes);
        for (let i = 0; i < dn; i++) {
          const row = xb + (<usize>(((d0 + i) * H + h) * W) << 2);
          let running: f64 = 0;
          store<f64>(P, 0);
          for (let w = 0; w < W; w++) {
            running += <f64>load<f32>(row + (<usize>w << 2));
            store<f64>(P + (<usize>(w + 1) << 3), running);
          }
          for (let o = 0; o < OW; o++) {
            const w0 = at32(fW, o);
            const windowSum = load<f64>(P + (<usize>(w0 + at32(cW, o)) << 3)) - load<f64>(P + (<usize>w0 << 3));
            const a = Qrow + (<usize>o << 3);
            store<f64>(a, load<f64>(a) + windowSum);
          }
        }
      }
      for (let h = 0; h < OH; h++) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        const top = Q + <usize>h0 * rowBytes;
        const bottom = Q + <usize>(h0 + hn) * rowBytes;
        for (let o = 0; o < OW; o++, yOut += 4) {
          const q = divisorOf(mode, value, d, h, o);
          const sum = load<f64>(bottom + (<usize>o << 3)) - load<f64>(top + (<usize>o << 3));
          store<f32>(yOut, <f32>(q == 0 ? empty : sum / q));
        }
      }
    }
  }
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
    for (let d = 0; d < OD; d++) {
      const d0 = at32(fD, d), dn = at32(cD, d);
      for (let h = 0; h < OH; h++) {
        const h0 = at32(fH, h), hn = at32(cH, h);
        for (let w = 0; w < OW; w++, yAt += <usize>C * width) {
          const w0 = at32(fW, w), wn = at32(cW, w);
          memory.fill(acc, 0, <usize>C << 3);
          for (let i = 0; i < dn; i++) {
            for (let j = 0; j < hn; j++) {
              for (let k = 0; k < wn; k++) {
                const spatial = (((d0 + i * sD) * H + h0 + j * sH) * W + w0 + k * sW);
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
          const q = divisorOf(mode, value, d, h, w);
          if (sizeof<T>() == 4) storeRowF32(acc, yAt, C, q, empty);
          else for (let c = 0; c < C; c++) store<f64>(yAt + (<usize>c << 3), q == 0 ? empty : load<f64>(acc + (<usize>c << 3)) / q);
        }
      }
    }
  }
}

export function avg_forward_cl_f32(x: usize, y: usize, n: i32, c: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  avgForwardChannelsLast<f32>(x, y, n, c, geo, mode, value, empty, scratch);
}
export function avg_forward_cl_f64(x: usize, y: usize, n: i32, c: i32, geo: usize, mode: i32, value: f64, empty: f64, scratch: usize): void {
  avgForwardChannelsLast<f64>(x, y, n, c, geo, mode, value, empty, scratch);
}
