/**
 * The WGSL of the WebGPU kernels. They execute a plan and never plan: every window's first tap,
 * tap count and padded count come from the plan's own tables (plan-words.ts), read from a storage
 * buffer. Values travel as their bits (array<u32>), so a maximum is copied bit for bit and NaN and
 * infinity are recognised by their exponent field, which no compiler flag can assume away.
 *
 * Averages sum in two floats (hi + lo, Knuth's TwoSum) in a fixed order and divide with a
 * correction through an exact product (Dekker's TwoProduct), so a mean lands within 1 ulp of the
 * exact one where a float32 sum is off by millions of ulps on cancelling data. WGSL lets a compiler
 * reassociate and fuse float arithmetic, which would quietly turn that back into a float32 sum: the
 * probe shader runs these same helpers at start-up and the host checks their bits (probe.ts).
 */

/** Word positions of the plan header every kernel reads (the window tables follow it). */
export const WORD = {
  outputs: 0,
  channels: 1,
  channelsLast: 2,
  inSpatial: 3,
  outSpatial: 4,
  reducer: 5,
  divisorMode: 6,
  emptyNan: 7,
  nanIgnore: 8,
  tiesLast: 9,
  divisorHi: 10,
  divisorLo: 11,
  inSize: 12,
  outSize: 15,
  step: 18,
  tableBase: 21,
  planes: 24,
  inputs: 25,
  candidateBase: 26,
} as const;

/** Header words before the window tables. */
export const HEADER_WORDS = 29;

/** Threads per workgroup of the one-thread-per-output kernel (and of the one-thread-per-input backward kernel). */
export const WINDOW_WORKGROUP = 64;
/** Threads per workgroup (one workgroup per plane) of the global average kernel. */
export const GLOBAL_WORKGROUP = 256;

function constants(): string {
  return Object.entries(WORD)
    .map(([name, index]) => `const W_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()} = ${index}u;`)
    .join('\n');
}

/**
 * The two-float helpers every average kernel and the probe share. Exported so that the probe runs
 * exactly this text, and so a test can hand the probe a broken variant.
 */
export const TWO_FLOAT_WGSL = /* wgsl */ `
// a + b = s + e exactly (Knuth), whatever the magnitudes.
fn twoSum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  let bv = s - a;
  let av = s - bv;
  return vec2<f32>(s, (a - av) + (b - bv));
}

// a + b = s + e exactly when |a| >= |b| (Dekker).
fn quickTwoSum(a: f32, b: f32) -> vec2<f32> {
  let s = a + b;
  return vec2<f32>(s, b - (s - a));
}

// A two-float plus one float, renormalised.
fn addValue(acc: vec2<f32>, v: f32) -> vec2<f32> {
  let s = twoSum(acc.x, v);
  return quickTwoSum(s.x, s.y + acc.y);
}

// Two two-floats added (the accurate double-double sum), for the workgroup tree.
fn addPair(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let s = twoSum(a.x, b.x);
  let t = twoSum(a.y, b.y);
  let u = quickTwoSum(s.x, s.y + t.x);
  return quickTwoSum(u.x, u.y + t.y);
}

// Veltkamp's split: a = hi + lo with 12-bit halves, so their products are exact in float32.
fn splitFloat(a: f32) -> vec2<f32> {
  let c = 4097.0 * a;
  let hi = c - (c - a);
  return vec2<f32>(hi, a - hi);
}

// a * b = p + e exactly (Dekker), without relying on a fused multiply-add.
fn twoProduct(a: f32, b: f32) -> vec2<f32> {
  let p = a * b;
  let x = splitFloat(a);
  let y = splitFloat(b);
  return vec2<f32>(p, ((x.x * y.x - p) + x.x * y.y + x.y * y.x) + x.y * y.y);
}

// (s.hi + s.lo) / (d.hi + d.lo) as a two-float q + remainder/d: WGSL's division may be 2.5 ulp
// off; the remainder s - q*d is exact (TwoProduct, Sterbenz), so the pair is good to about 2^-44
// and its hi is within 1 ulp of the quotient. A divisor past 2^64 (an override) would overflow the
// split: it is scaled by 2^-64 first, which is exact, and the quotient scaled back. A sum or
// quotient of 1e30 or more keeps the plain division.
fn quotientTwoFloat(s: vec2<f32>, d: vec2<f32>) -> vec2<f32> {
  let large = abs(d.x) >= 18446744073709551616.0;
  let divisor = select(d, vec2<f32>(ldexp(d.x, -64), ldexp(d.y, -64)), large);
  let q = s.x / divisor.x;
  var result = vec2<f32>(q, 0.0);
  if (abs(q) < 1.0e30 && abs(s.x) < 1.0e30) {
    let p = twoProduct(q, divisor.x);
    let r = (((s.x - p.x) - p.y) + s.y) - q * divisor.y;
    result = quickTwoSum(q, r / divisor.x);
  }
  if (large) {
    return vec2<f32>(ldexp(result.x, -64), ldexp(result.y, -64));
  }
  return result;
}

// The quotient rounded once more after the correction: within 1 ulp.
fn divideTwoFloat(s: vec2<f32>, d: vec2<f32>) -> f32 {
  return quotientTwoFloat(s, d).x;
}

// An unsigned count as a two-float: exact up to 2^31.
fn twoFloatOfCount(n: u32) -> vec2<f32> {
  let hi = f32(n);
  let h = u32(hi);
  if (n >= h) {
    return vec2<f32>(hi, f32(n - h));
  }
  return vec2<f32>(hi, -f32(h - n));
}
`;

const SHARED_WGSL = /* wgsl */ `
// Where element \`position\` of plane (n, c) lies in a tensor of \`spatial\` positions per plane, in either layout.
fn elementOffset(n: u32, c: u32, position: u32, spatial: u32, channels: u32, channelsLast: bool) -> u32 {
  if (channelsLast) {
    return (n * spatial + position) * channels + c;
  }
  return (n * channels + c) * spatial + position;
}

const NAN_BITS = 0x7fc00000u;
const POSITIVE_INFINITY_BITS = 0x7f800000u;
const NEGATIVE_INFINITY_BITS = 0xff800000u;
const FLAG_NAN = 1u;
const FLAG_POSITIVE_INFINITY = 2u;
const FLAG_NEGATIVE_INFINITY = 4u;

// Which special value these bits are (0 for a finite value), from the exponent field alone.
fn specialOf(bits: u32) -> u32 {
  if ((bits & 0x7f800000u) != 0x7f800000u) {
    return 0u;
  }
  if ((bits & 0x007fffffu) != 0u) {
    return FLAG_NAN;
  }
  return select(FLAG_POSITIVE_INFINITY, FLAG_NEGATIVE_INFINITY, (bits & 0x80000000u) != 0u);
}

// The bits of a sum that met special values (flags != 0): NaN wins, +inf and -inf together make
// NaN, a lone infinity keeps its sign, flipped when \`negate\` (a negative divisor).
fn specialBits(flags: u32, negate: bool) -> u32 {
  if ((flags & FLAG_NAN) != 0u || (flags & 6u) == 6u) {
    return NAN_BITS;
  }
  let negative = ((flags & FLAG_NEGATIVE_INFINITY) != 0u) != negate;
  return select(POSITIVE_INFINITY_BITS, NEGATIVE_INFINITY_BITS, negative);
}

// The mean's bits from the sum of the finite taps, the special values met and the divisor.
fn averageBits(sum: vec2<f32>, flags: u32, divisor: vec2<f32>) -> u32 {
  if (flags != 0u) {
    return specialBits(flags, divisor.x < 0.0);
  }
  return bitcast<u32>(divideTwoFloat(sum, divisor));
}
`;

/** Reads of the plan's window tables, shared by the forward and backward window kernels. */
const TABLES_WGSL = /* wgsl */ `
fn tableFirst(axis: u32, o: u32) -> u32 {
  return plan[plan[W_TABLE_BASE + axis] + o];
}
fn tableCount(axis: u32, o: u32) -> u32 {
  return plan[plan[W_TABLE_BASE + axis] + plan[W_OUT_SIZE + axis] + o];
}
fn tablePadded(axis: u32, o: u32) -> u32 {
  return plan[plan[W_TABLE_BASE + axis] + 2u * plan[W_OUT_SIZE + axis] + o];
}

// The divisor of output (o0, o1, o2) as the plan's rule says: padded taps, valid taps or the override.
fn windowDivisor(o0: u32, o1: u32, o2: u32) -> vec2<f32> {
  let mode = plan[W_DIVISOR_MODE];
  if (mode == 0u) {
    return twoFloatOfCount(tablePadded(0u, o0) * tablePadded(1u, o1) * tablePadded(2u, o2));
  }
  if (mode == 1u) {
    return twoFloatOfCount(tableCount(0u, o0) * tableCount(1u, o1) * tableCount(2u, o2));
  }
  return vec2<f32>(bitcast<f32>(plan[W_DIVISOR_HI]), bitcast<f32>(plan[W_DIVISOR_LO]));
}
`;

/**
 * One thread per output: average or max over the window the plan's tables give, taps in row-major
 * scan order (the reference's order: ties and the first NaN are found where it finds them).
 */
export function windowShader(): string {
  return /* wgsl */ `
${constants()}
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(3) var<storage, read> plan: array<u32>;
${TWO_FLOAT_WGSL}
${SHARED_WGSL}
${TABLES_WGSL}

// Float order as unsigned integers (for non-NaN values; -0 ranks as +0, as IEEE compares them).
fn orderKey(bits: u32) -> u32 {
  if ((bits & 0x7fffffffu) == 0u) {
    return 0x80000000u;
  }
  return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

@compute @workgroup_size(${WINDOW_WORKGROUP})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = (group.y * groups.x + group.x) * ${WINDOW_WORKGROUP}u + lane;
  if (i >= plan[W_OUTPUTS]) {
    return;
  }
  let channels = plan[W_CHANNELS];
  let outSpatial = plan[W_OUT_SPATIAL];
  let inSpatial = plan[W_IN_SPATIAL];
  let channelsLast = plan[W_CHANNELS_LAST] != 0u;
  var plane: u32;
  var o: u32;
  if (channelsLast) {
    let rest = i / channels;
    o = rest % outSpatial;
    plane = (rest / outSpatial) * channels + i % channels;
  } else {
    plane = i / outSpatial;
    o = i % outSpatial;
  }
  let n = plane / channels;
  let c = plane % channels;
  let out1 = plan[W_OUT_SIZE + 1u];
  let out2 = plan[W_OUT_SIZE + 2u];
  let o2 = o % out2;
  let o1 = (o / out2) % out1;
  let o0 = o / (out2 * out1);
  let first0 = tableFirst(0u, o0);
  let first1 = tableFirst(1u, o1);
  let first2 = tableFirst(2u, o2);
  let count0 = tableCount(0u, o0);
  let count1 = tableCount(1u, o1);
  let count2 = tableCount(2u, o2);
  let step0 = plan[W_STEP];
  let step1 = plan[W_STEP + 1u];
  let step2 = plan[W_STEP + 2u];
  let size1 = plan[W_IN_SIZE + 1u];
  let size2 = plan[W_IN_SIZE + 2u];
  let isMax = plan[W_REDUCER] == 1u;
  let nanIgnore = plan[W_NAN_IGNORE] != 0u;
  let tiesLast = plan[W_TIES_LAST] != 0u;

  var sum = vec2<f32>(0.0, 0.0);
  var flags = 0u;
  var found = false;
  var bestBits = NEGATIVE_INFINITY_BITS;
  var bestKey = 0u;
  var bestPosition = -1;
  var done = false;
  for (var j0 = 0u; j0 < count0 && !done; j0++) {
    let q0 = first0 + j0 * step0;
    for (var j1 = 0u; j1 < count1 && !done; j1++) {
      let q1 = first1 + j1 * step1;
      for (var j2 = 0u; j2 < count2 && !done; j2++) {
        let position = (q0 * size1 + q1) * size2 + first2 + j2 * step2;
        let bits = x[elementOffset(n, c, position, inSpatial, channels, channelsLast)];
        let special = specialOf(bits);
        if (isMax) {
          if (special == FLAG_NAN) {
            if (!nanIgnore) {
              bestBits = bits;
              bestPosition = i32(position);
              done = true;
            }
            continue;
          }
          let key = orderKey(bits);
          if (!found || key > bestKey || (tiesLast && key == bestKey)) {
            found = true;
            bestKey = key;
            bestBits = bits;
            bestPosition = i32(position);
          }
        } else if (special != 0u) {
          flags = flags | special;
        } else {
          sum = addValue(sum, bitcast<f32>(bits));
        }
      }
    }
  }
  if (isMax) {
    y[i] = bestBits;
    argmax[i] = bestPosition;
    return;
  }
  if (count0 * count1 * count2 == 0u) {
    y[i] = select(0u, NAN_BITS, plan[W_EMPTY_NAN] != 0u);
    return;
  }
  y[i] = averageBits(sum, flags, windowDivisor(o0, o1, o2));
}
`;
}

/**
 * One workgroup per (n, c) plane: each thread sums a fixed stride of the plane in two floats, then
 * a fixed-order tree in workgroup memory adds the partial sums pairwise. No atomics, no subgroup
 * operations (their order is unspecified): the same bits on every run.
 */
export function globalAverageShader(): string {
  return /* wgsl */ `
${constants()}
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> plan: array<u32>;
${TWO_FLOAT_WGSL}
${SHARED_WGSL}

var<workgroup> partialHi: array<f32, ${GLOBAL_WORKGROUP}>;
var<workgroup> partialLo: array<f32, ${GLOBAL_WORKGROUP}>;
var<workgroup> partialFlags: array<u32, ${GLOBAL_WORKGROUP}>;

@compute @workgroup_size(${GLOBAL_WORKGROUP})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let plane = group.y * groups.x + group.x;
  if (plane >= plan[W_PLANES]) {
    return;
  }
  let channels = plan[W_CHANNELS];
  let inSpatial = plan[W_IN_SPATIAL];
  let channelsLast = plan[W_CHANNELS_LAST] != 0u;
  let n = plane / channels;
  let c = plane % channels;
  var sum = vec2<f32>(0.0, 0.0);
  var flags = 0u;
  for (var p = lane; p < inSpatial; p += ${GLOBAL_WORKGROUP}u) {
    let bits = x[elementOffset(n, c, p, inSpatial, channels, channelsLast)];
    let special = specialOf(bits);
    if (special != 0u) {
      flags = flags | special;
    } else {
      sum = addValue(sum, bitcast<f32>(bits));
    }
  }
  partialHi[lane] = sum.x;
  partialLo[lane] = sum.y;
  partialFlags[lane] = flags;
  workgroupBarrier();
  for (var width = ${GLOBAL_WORKGROUP / 2}u; width > 0u; width = width / 2u) {
    if (lane < width) {
      let total = addPair(vec2<f32>(partialHi[lane], partialLo[lane]), vec2<f32>(partialHi[lane + width], partialLo[lane + width]));
      partialHi[lane] = total.x;
      partialLo[lane] = total.y;
      partialFlags[lane] = partialFlags[lane] | partialFlags[lane + width];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    let divisor = vec2<f32>(bitcast<f32>(plan[W_DIVISOR_HI]), bitcast<f32>(plan[W_DIVISOR_LO]));
    y[plane] = averageBits(vec2<f32>(partialHi[0], partialLo[0]), partialFlags[0], divisor);
  }
}
`;
}

/** Divisors an average's gradient sums under before it divides (see backwardShader). */
export const GRADIENT_DIVISOR_GROUPS = 4;

/**
 * The gradient of a window plan, one thread per input element, gathering rather than scattering
 * (so no two threads write one element and no float atomics are needed): the thread walks the
 * outputs whose windows may hold its element (the plan's candidate runs, plan-words.ts) in
 * row-major output order, the reference's order, keeps those whose in-bounds taps include it by
 * the window tables, and adds their gradients in two floats. For max, dy itself where the forward
 * index is this element. For averages, dy / divisor: adding two-float quotients would keep only
 * 48 bits of each, which cancelling gradients through many windows turn into ulps of the result;
 * so the dy of outputs sharing a divisor (all of them away from the borders, every one under an
 * override) are summed first, where float32 values add exactly, and each such sum is divided once
 * (a two-float quotient). The first ${GRADIENT_DIVISOR_GROUPS} divisors met get a sum each;
 * outputs of further divisors add their quotients directly. The sum is rounded once, as the CPU's
 * float64 sum is: the same bits on every run.
 */
export function backwardShader(): string {
  return /* wgsl */ `
${constants()}
@group(0) @binding(0) var<storage, read> dy: array<u32>;
@group(0) @binding(1) var<storage, read_write> dx: array<u32>;
@group(0) @binding(2) var<storage, read> argmax: array<i32>;
@group(0) @binding(3) var<storage, read> plan: array<u32>;
${TWO_FLOAT_WGSL}
${SHARED_WGSL}
${TABLES_WGSL}

fn candidateStart(axis: u32, p: u32) -> u32 {
  return plan[plan[W_CANDIDATE_BASE + axis] + p];
}
fn candidateCount(axis: u32, p: u32) -> u32 {
  return plan[plan[W_CANDIDATE_BASE + axis] + plan[W_IN_SIZE + axis] + p];
}

// Whether input index p of this axis is one of output o's in-bounds taps.
fn holds(axis: u32, o: u32, p: u32) -> bool {
  let first = tableFirst(axis, o);
  if (p < first) {
    return false;
  }
  let step = plan[W_STEP + axis];
  let distance = p - first;
  return distance % step == 0u && distance / step < tableCount(axis, o);
}

// An infinity divided by a negative divisor changes sign; NaN stays NaN.
fn dividedSpecial(special: u32, negative: bool) -> u32 {
  return select(special, 6u - special, negative && special != FLAG_NAN);
}

@compute @workgroup_size(${WINDOW_WORKGROUP})
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let i = (group.y * groups.x + group.x) * ${WINDOW_WORKGROUP}u + lane;
  if (i >= plan[W_INPUTS]) {
    return;
  }
  let channels = plan[W_CHANNELS];
  let outSpatial = plan[W_OUT_SPATIAL];
  let inSpatial = plan[W_IN_SPATIAL];
  let channelsLast = plan[W_CHANNELS_LAST] != 0u;
  var n: u32;
  var c: u32;
  var position: u32;
  if (channelsLast) {
    let rest = i / channels;
    position = rest % inSpatial;
    n = rest / inSpatial;
    c = i % channels;
  } else {
    let plane = i / inSpatial;
    position = i % inSpatial;
    n = plane / channels;
    c = plane % channels;
  }
  let size1 = plan[W_IN_SIZE + 1u];
  let size2 = plan[W_IN_SIZE + 2u];
  let p2 = position % size2;
  let p1 = (position / size2) % size1;
  let p0 = position / (size2 * size1);
  let start0 = candidateStart(0u, p0);
  let start1 = candidateStart(1u, p1);
  let start2 = candidateStart(2u, p2);
  let end0 = start0 + candidateCount(0u, p0);
  let end1 = start1 + candidateCount(1u, p1);
  let end2 = start2 + candidateCount(2u, p2);
  let out1 = plan[W_OUT_SIZE + 1u];
  let out2 = plan[W_OUT_SIZE + 2u];
  let isMax = plan[W_REDUCER] == 1u;

  var sum = vec2<f32>(0.0, 0.0);
  var flags = 0u;
  var groupDivisor: array<vec2<u32>, ${GRADIENT_DIVISOR_GROUPS}>;
  var groupSum: array<vec2<f32>, ${GRADIENT_DIVISOR_GROUPS}>;
  var divisorsMet = 0u;
  for (var o0 = start0; o0 < end0; o0++) {
    if (!holds(0u, o0, p0)) {
      continue;
    }
    for (var o1 = start1; o1 < end1; o1++) {
      if (!holds(1u, o1, p1)) {
        continue;
      }
      for (var o2 = start2; o2 < end2; o2++) {
        if (!holds(2u, o2, p2)) {
          continue;
        }
        let at = elementOffset(n, c, (o0 * out1 + o1) * out2 + o2, outSpatial, channels, channelsLast);
        if (isMax && argmax[at] != i32(position)) {
          continue;
        }
        let bits = dy[at];
        let special = specialOf(bits);
        if (isMax) {
          if (special != 0u) {
            flags = flags | special;
          } else {
            sum = addValue(sum, bitcast<f32>(bits));
          }
          continue;
        }
        let divisor = windowDivisor(o0, o1, o2);
        if (special != 0u) {
          flags = flags | dividedSpecial(special, divisor.x < 0.0);
          continue;
        }
        // Divisors compared by their bits: the plan's own values, never rounded differently. The
        // search never indexes past the divisors met: written as k < met && groupDivisor[k] != key,
        // SwiftShader gave wrong gradients once all groups were taken.
        let key = bitcast<vec2<u32>>(divisor);
        var k = 0u;
        loop {
          if (k >= divisorsMet) {
            break;
          }
          if (all(groupDivisor[k] == key)) {
            break;
          }
          k++;
        }
        if (k == divisorsMet && divisorsMet < ${GRADIENT_DIVISOR_GROUPS}u) {
          groupDivisor[k] = key;
          groupSum[k] = vec2<f32>(0.0, 0.0);
          divisorsMet++;
        }
        if (k < divisorsMet) {
          groupSum[k] = addValue(groupSum[k], bitcast<f32>(bits));
        } else {
          sum = addPair(sum, quotientTwoFloat(vec2<f32>(bitcast<f32>(bits), 0.0), divisor));
        }
      }
    }
  }
  for (var k = 0u; k < divisorsMet; k++) {
    sum = addPair(sum, quotientTwoFloat(groupSum[k], bitcast<vec2<f32>>(groupDivisor[k])));
  }
  if (flags != 0u) {
    dx[i] = specialBits(flags, false);
  } else {
    dx[i] = bitcast<u32>(sum.x);
  }
}
`;
}

/**
 * The start-up probe: for each pair (a, b) it writes twoSum, twoProduct and (a + b) / 3 (a
 * two-float sum and the corrected division), computed by the very helpers the kernels use, from
 * values the compiler cannot see. The host knows the exact answers (probe.ts).
 */
export function probeShader(twoFloat: string = TWO_FLOAT_WGSL): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> pairs: array<f32>;
@group(0) @binding(1) var<storage, read_write> results: array<u32>;
${twoFloat}

@compute @workgroup_size(1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let k = id.x;
  let a = pairs[2u * k];
  let b = pairs[2u * k + 1u];
  let s = twoSum(a, b);
  let p = twoProduct(a, b);
  let mean = divideTwoFloat(addValue(addValue(vec2<f32>(0.0, 0.0), a), b), twoFloatOfCount(3u));
  results[5u * k] = bitcast<u32>(s.x);
  results[5u * k + 1u] = bitcast<u32>(s.y);
  results[5u * k + 2u] = bitcast<u32>(p.x);
  results[5u * k + 3u] = bitcast<u32>(p.y);
  results[5u * k + 4u] = bitcast<u32>(mean);
}
`;
}
