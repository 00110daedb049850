/**
 * The WebAssembly backend: stages a plan's windows and tensors in wasm memory and picks a kernel.
 * Tensors that already live in wasm memory (see zero-copy.ts) are read and written in place; others
 * are copied in and out. Every kernel gives the reference's result within 1 ulp (float64 plans: the
 * same bits), deterministically.
 */
import type { Backend, ForwardResult } from '../backend.js';
import type { PoolPlan, Reducer } from '../../plan/plan.js';
import { dtypeOf, type DType, type FloatArray, type Tensor } from '../../tensor.js';
import { divisors, geometry3d, type Geometry3d } from '../js/windows-3d.js';
import { MAX_WASM_BYTES, type WasmHeap } from './heap.js';
import { GenericKernel, loadedSharedWasm, loadedWasm, requireWasm, type KernelExports, type WasmRuntime } from './runtime.js';

/**
 * Windows at least this large (taps per output over height and width) go through running or split
 * sums (avg_running_cf_f32), whose cost does not grow with the window; smaller ones are summed tap
 * by tap.
 */
const RUNNING_SUM_MIN_TAPS = 9;

/** Max windows at least this large go through van Herk's block maxima (cost flat in the window). */
const VAN_HERK_MIN_TAPS = 625;

/** Bytes a call's first slab holds: every block of a small call fits in one heap allocation. */
const SLAB_BYTES = 64 * 1024;

/**
 * The allocations of one call, released together whatever happens: 16-byte aligned blocks cut
 * from slabs of the heap (a small call makes one heap allocation, not one per buffer).
 */
class Frame {
  private readonly slabs: number[] = [];
  private next = 0;
  private end = 0;
  constructor(readonly heap: WasmHeap) {}
  alloc(bytes: number): number {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    if (this.next + size > this.end) {
      const slab = Math.max(size, SLAB_BYTES);
      this.next = this.heap.alloc(slab);
      this.end = this.next + slab;
      this.slabs.push(this.next);
    }
    const ptr = this.next;
    this.next += size;
    return ptr;
  }
  release(): void {
    for (let i = this.slabs.length - 1; i >= 0; i--) this.heap.release(this.slabs[i]!);
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

export function wasmView(heap: WasmHeap, dtype: DType, ptr: number, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(heap.buffer, ptr, length) : new Float32Array(heap.buffer, ptr, length);
}

/**
 * The address of `data` when it is a view of a WasmTensor's memory in this heap, else undefined
 * (a view of other parts of wasm memory is staged like any host array: see WasmHeap.holdsTensorRange).
 */
export function residentAddress(heap: WasmHeap, data: FloatArray): number | undefined {
  return heap.holdsBuffer(data.buffer) && heap.holdsTensorRange(data.byteOffset, data.byteLength) ? data.byteOffset : undefined;
}

/** Whether `data` is a view of this heap's memory at all (a WasmTensor's or not). */
export function inWasmMemory(heap: WasmHeap, data: FloatArray): boolean {
  return heap.holdsBuffer(data.buffer);
}

/**
 * The runtime to run on: the shared one when one of the arrays lives in its memory (WasmTensors),
 * else the host one, which stages host arrays with plain copies.
 */
function runtimeHolding(...arrays: (FloatArray | undefined)[]): WasmRuntime {
  const shared = loadedSharedWasm();
  if (shared && arrays.some((data) => data && residentAddress(shared.heap, data) !== undefined)) return shared;
  return requireWasm();
}

/**
 * Addresses of arrays in wasm memory: in place when resident, else copies. Resident arrays are
 * located before anything is allocated, since a grow detaches them.
 */
function stageIn(frame: Frame, ...arrays: FloatArray[]): number[] {
  const resident = arrays.map((data) => residentAddress(frame.heap, data));
  return arrays.map((data, i) => {
    if (resident[i] !== undefined) return resident[i];
    const ptr = frame.alloc(data.byteLength);
    wasmView(frame.heap, dtypeOf(data), ptr, data.length).set(data);
    return ptr;
  });
}

/**
 * Plans whose geometry block is allocated, per heap, oldest first: a small call repeating a plan
 * (see the plan cache) finds its block already allocated. Evicted blocks are freed. The block's
 * contents are written again on every call: a caller holding a view of the whole wasm memory can
 * reach it, and a kernel must read only the plan's own tables.
 */
const STAGED_PLANS = 32;
const staged = new WeakMap<WasmHeap, Map<PoolPlan, number>>();

/** Header and window arrays as assembly/kernels.ts reads them; kept staged for later calls. */
/** Each plan's geometry block as assembly/kernels.ts reads it, packed once. */
const packedGeometry = new WeakMap<PoolPlan, Int32Array>();

function packGeometry(plan: PoolPlan, g: Geometry3d): Int32Array {
  let packed = packedGeometry.get(plan);
  if (packed) return packed;
  const [od, oh, ow] = g.outDims;
  packed = new Int32Array(16 + 3 * (od + oh + ow));
  packed.set(g.inDims, 0);
  packed.set(g.outDims, 3);
  packed.set(
    g.windows.map((w) => w.step),
    6,
  );
  packed[9] = plan.axes.reduce((p, a) => p * (a.kind === 'sliding' ? a.kernel : 1), 1);
  let at = 16;
  for (const w of g.windows) {
    for (const field of [w.first, w.count, w.padded]) {
      packed.set(field, at);
      at += field.length;
    }
  }
  packedGeometry.set(plan, packed);
  return packed;
}

/** A view of a heap's whole memory as int32, made again only when the memory's buffer changes. */
const int32Views = new WeakMap<WasmHeap, Int32Array>();

function int32View(heap: WasmHeap): Int32Array {
  const buffer = heap.buffer;
  let view = int32Views.get(heap);
  if (view?.buffer !== buffer) int32Views.set(heap, (view = new Int32Array(buffer)));
  return view;
}

function stageGeometry(frame: Frame, plan: PoolPlan, g: Geometry3d): number {
  const heap = frame.heap;
  let blocks = staged.get(heap);
  if (!blocks) staged.set(heap, (blocks = new Map()));
  const packed = packGeometry(plan, g);
  let ptr = blocks.get(plan);
  if (ptr === undefined) {
    ptr = heap.alloc(packed.byteLength);
    if (blocks.size >= STAGED_PLANS) {
      const [oldest, block] = blocks.entries().next().value!;
      blocks.delete(oldest);
      heap.release(block);
    }
    blocks.set(plan, ptr);
  }
  int32View(heap).set(packed, ptr >> 2);
  return ptr;
}

interface AvgParams {
  readonly mode: number;
  readonly value: number;
  readonly empty: number;
}

/** The kernels' divisor modes: 0 valid taps, 1 padded window, 2 the plan's number. */
const DIVISOR_OVERRIDE = 2;

function avgParams(r: Extract<Reducer, { op: 'avg' }>): AvgParams {
  return {
    mode: r.divisor === 'valid' ? 0 : r.divisor === 'padded' ? 1 : DIVISOR_OVERRIDE,
    value: typeof r.divisor === 'number' ? r.divisor : 0,
    empty: r.emptyWindow === 'nan' ? NaN : 0,
  };
}

function maxFlags(r: Extract<Reducer, { op: 'max' }>): number {
  return (r.nan === 'ignore' ? 1 : 0) | (r.ties === 'last' ? 2 : 0);
}

function lpFlags(r: Extract<Reducer, { op: 'lp' }>): number {
  return (r.signed ? 4 : 0) | (r.rescale ? 8 : 0);
}

function isGlobal(g: Geometry3d): boolean {
  return g.windows.every((w, a) => w.first.length === 1 && w.first[0] === 0 && w.count[0] === g.inDims[a]);
}

/** Width windows exactly (2o, 2o+1), nothing padded: the pair kernel's case. */
function widthWindowsArePairs(g: Geometry3d): boolean {
  const w = g.windows[2];
  if (w.step !== 1) return false;
  for (let o = 0; o < w.first.length; o++) {
    if (w.first[o] !== 2 * o || w.count[o] !== 2 || w.padded[o] !== 2) return false;
  }
  return true;
}

/** Height windows exactly the row pairs as well, one depth, no row or column left over: 2x2 tiles of the plane. */
function quadsTile(g: Geometry3d): boolean {
  const [D, H, W] = g.inDims;
  const [OD, OH, OW] = g.outDims;
  const h = g.windows[1];
  if (D !== 1 || OD !== 1 || H !== 2 * OH || W !== 2 * OW || h.step !== 1) return false;
  for (let o = 0; o < OH; o++) {
    if (h.first[o] !== 2 * o || h.count[o] !== 2 || h.padded[o] !== 2) return false;
  }
  return true;
}

/** Depth, height and width windows all exactly the pairs, nothing left over on any axis: 2x2x2 tiles of the volume. */
function octetsTile(g: Geometry3d): boolean {
  return g.windows.every((w, axis) => {
    if (g.inDims[axis] !== 2 * g.outDims[axis]! || w.step !== 1) return false;
    for (let o = 0; o < w.first.length; o++) {
      if (w.first[o] !== 2 * o || w.count[o] !== 2 || w.padded[o] !== 2) return false;
    }
    return true;
  });
}

function unitSteps(g: Geometry3d): boolean {
  return g.windows.every((w) => w.step === 1);
}

/** The width stride when the width axis slides with stride 1 or 2 (what four-lane loads serve), else 0. */
function simdStrideW(plan: PoolPlan): number {
  const axis = plan.axes[plan.axes.length - 1]!;
  return axis.kind === 'sliding' && axis.stride <= 2 ? axis.stride : 0;
}

/** A 2-D map whose windows slide (whole, or clipped at the ends): what van Herk's blocks need. */
function slidingPlanar(plan: PoolPlan, g: Geometry3d): boolean {
  return g.inDims[0] === 1 && plan.axes.every((a) => a.kind === 'sliding' && a.dilation === 1);
}

function largestWindow(g: Geometry3d, axis: number): number {
  let largest = 0;
  for (const c of g.windows[axis]!.count) largest = Math.max(largest, c);
  return largest;
}

/**
 * A forward kernel ready to launch on a run of planes (channels-first: `units` planes; channels-last:
 * `units` batch items): `indices` (max) and `yExact` (Lp's float64 outputs) may be 0.
 */
type ForwardLaunch = (x: number, y: number, indices: number, yExact: number, units: number) => void;

/**
 * Float32 averages of 2-D planes whose windows slide one step at a time go rows first when their
 * height plus twice their width (in taps) is at most this, or when they have too few taps for the
 * prefix sums. Measured on 8x64x56x56 (1 thread): rows first takes 1.0 ms at 3x3 against 2.2 ms,
 * 1.9 at 5x5 against 2.2, and ties the prefix sums about here (6x6, 8x5, 15x1, 1x9).
 */
const ROWS_FIRST_MAX_COST = 16;

/**
 * The float64 sums avg_octets_cf_f32 keeps for one band of output rows: a whole depth slice's
 * where they take at most OCTETS_SLICE_BYTES (the input is then read straight through), else
 * bands of OCTETS_BAND_BYTES. Measured on 33.5 MB, 1 thread: 64x64 slices (8 KiB of sums) ran at
 * 13-21 GB/s whole against 8-13 in bands of 4-16 rows; 128x128 and 256x256 slices at 15-20 GB/s
 * in bands of 2 KiB against 12-16 in bands of 16 KiB.
 */
const OCTETS_SLICE_BYTES = 16 * 1024;
const OCTETS_BAND_BYTES = 2 * 1024;

/**
 * The kernel for `plan`'s averages. With `planesOnly`, the plan's windows as channels-first
 * planes (whatever its layout), by a fast kernel or not at all (undefined).
 */
function prepareAverage(k: KernelExports, frame: Frame, plan: PoolPlan, g: Geometry3d, dtype: DType, geo: number, planesOnly?: false): ForwardLaunch;
function prepareAverage(k: KernelExports, frame: Frame, plan: PoolPlan, g: Geometry3d, dtype: DType, geo: number, planesOnly: true): ForwardLaunch | undefined;
function prepareAverage(k: KernelExports, frame: Frame, plan: PoolPlan, g: Geometry3d, dtype: DType, geo: number, planesOnly = false): ForwardLaunch | undefined {
  const { mode, value, empty } = avgParams(plan.reducer as Extract<Reducer, { op: 'avg' }>);
  const f32 = dtype === 'float32';
  const C = plan.channels;
  if (plan.layout === 'channels-last' && !planesOnly) {
    const viaPlanes = f32 ? channelsLastViaPlanes(k, frame, plan, g, geo) : undefined;
    if (viaPlanes) return viaPlanes;
    const acc = frame.alloc(C * 8);
    const kernel = f32 ? k.avg_forward_cl_f32 : k.avg_forward_cl_f64;
    return (x, y, _i, _e, units) => kernel(x, y, units, C, geo, mode, value, empty, acc);
  }
  if (f32 && isGlobal(g)) {
    const divisor = divisors(plan, g)[0]!;
    return (x, y, _i, _e, units) => k.global_avg_cf_f32(x, y, units, plan.inputSpatialSize, divisor);
  }
  const [, H, W] = g.inDims;
  const [, , OW] = g.outDims;
  if (f32 && widthWindowsArePairs(g) && quadsTile(g)) {
    const rowsPerPlane = g.outDims[1];
    // Four taps, none padded, in every window.
    const divisor = mode === DIVISOR_OVERRIDE ? value : 4;
    return (x, y, _i, _e, units) => k.avg_quads_cf_f32(x, y, units * rowsPerPlane, g.outDims[2], divisor);
  }
  if (f32 && octetsTile(g)) {
    const [OD, OH] = g.outDims;
    // Eight taps, none padded, in every window.
    const divisor = mode === DIVISOR_OVERRIDE ? value : 8;
    const band = OH * OW * 8 <= OCTETS_SLICE_BYTES ? OH : Math.max(1, Math.floor(OCTETS_BAND_BYTES / (OW * 8)));
    const scratch = frame.alloc(band * OW * 8);
    return (x, y, _i, _e, units) => k.avg_octets_cf_f32(x, y, units * OD, OH, OW, divisor, band, scratch);
  }
  if (f32 && widthWindowsArePairs(g)) return (x, y, _i, _e, units) => k.avg_pairs_cf_f32(x, y, units, geo, mode, value, empty);
  const planar = g.inDims[0] === 1 && g.outDims[0] === 1 && g.windows[0].count[0] === 1;
  const slidesByOne = plan.axes.every((a) => a.kind === 'sliding' && a.stride === 1);
  const tallest = largestWindow(g, 1);
  const widest = largestWindow(g, 2);
  if (f32 && planar && slidesByOne && unitSteps(g) && (tallest * widest < RUNNING_SUM_MIN_TAPS || tallest + 2 * widest <= ROWS_FIRST_MAX_COST)) {
    // A ring of row sums as tall as two neighbouring height windows, and a row of reciprocals
    // per height factor of a divisor (an in-bounds or a padded count).
    const slots = tallest + 1;
    const keys = 1 + g.windows[1].padded.reduce((a, b) => Math.max(a, b), tallest);
    const scratch = frame.alloc((W + OW * (slots + keys)) * 8 + 2 * slots * 4);
    return (x, y, _i, _e, units) => k.avg_rows_cf_f32(x, y, units, geo, mode, value, empty, scratch);
  }
  if (f32 && unitSteps(g) && largestWindow(g, 1) * largestWindow(g, 2) >= RUNNING_SUM_MIN_TAPS) {
    const slots = Math.min(2 * Math.max(1, tallest) + 2, H + 1);
    const region = Math.max(6 * W + 2 + OW * (3 + 2 * slots), W + 4 + (H + 1) * OW);
    const scratch = frame.alloc((2 * OW + region) * 8 + g.outDims[1] * 4);
    const unitStrideW = simdStrideW(plan) === 1 ? 1 : 0;
    return (x, y, _i, _e, units) => k.avg_running_cf_f32(x, y, units, geo, mode, value, empty, unitStrideW, scratch);
  }
  if (planesOnly) return undefined;
  const generic = f32 ? k.generic_f32 : k.generic_f64;
  return (x, y, _i, _e, units) => generic(GenericKernel.AvgForward, x, y, 0, 0, units, 1, 0, geo, mode, value, empty);
}

/**
 * Float32 channels-last averages that add at least this many taps per input element (window taps
 * times outputs over inputs) run through the channels-first kernels on their channels transposed
 * into planes; fewer cost less summed by avg_forward_cl_f32 over runs of channels than the two
 * transposes. Measured on 8x112x112x64 and 8x56x56x64 (host arrays, paired with the direct
 * kernel): k3 s2 (2.25 taps per element) took 1.3x as long through planes, k3 s1 (9) 0.6x.
 */
const PLANES_MIN_TAPS_PER_INPUT = 4;

/** Input bytes of the channels one pass of channelsLastViaPlanes transposes into planes (at least 16 channels). */
const PLANES_GROUP_BYTES = 1024 * 1024;

/**
 * A float32 channels-last average through the channels-first kernel of its windows, when that
 * kernel is a fast one and pays for the transposes: a group of channels of a batch item is
 * transposed into planes, pooled, and its output planes transposed back into place. Moving
 * values changes no bit, so every output is the channels-first kernel's on the transposed data.
 * One channel needs no transposes: the batch item is its plane.
 */
function channelsLastViaPlanes(k: KernelExports, frame: Frame, plan: PoolPlan, g: Geometry3d, geo: number): ForwardLaunch | undefined {
  const C = plan.channels;
  const taps = largestWindow(g, 0) * largestWindow(g, 1) * largestWindow(g, 2);
  const S = plan.inputSpatialSize;
  const OS = plan.outputSpatialSize;
  if (C > 1 && taps * OS < PLANES_MIN_TAPS_PER_INPUT * S) return undefined;
  const planes = prepareAverage(k, frame, plan, g, 'float32', geo, true);
  if (!planes || C === 1) return planes;
  const group = Math.min(C, Math.max(16, Math.floor(PLANES_GROUP_BYTES / (4 * S))));
  const xPlanes = frame.alloc(group * S * 4);
  const yPlanes = frame.alloc(group * OS * 4);
  return (x, y, _i, _e, units) => {
    for (let n = 0; n < units; n++) {
      const xItem = x + n * S * C * 4;
      const yItem = y + n * OS * C * 4;
      for (let c0 = 0; c0 < C; c0 += group) {
        const count = Math.min(group, C - c0);
        k.transpose_f32(xItem + c0 * 4, xPlanes, S, count, C, S);
        planes(xPlanes, yPlanes, 0, 0, count);
        k.transpose_f32(yPlanes, yItem + c0 * 4, count, OS, OS, C);
      }
    }
  };
}

/**
 * Picks and prepares the forward kernel of `plan` for runs of up to `maxUnits` units. Without
 * `withIndices`, float32 channels-first max computes values only (ties 'first'); other max
 * kernels write their indices to scratch.
 */
function prepareForward(rt: WasmRuntime, frame: Frame, plan: PoolPlan, g: Geometry3d, dtype: DType, withIndices: boolean, maxUnits: number): ForwardLaunch {
  const k = rt.kernels;
  const geo = stageGeometry(frame, plan, g);
  const f32 = dtype === 'float32';
  const last = plan.layout === 'channels-last' ? 1 : 0;
  const C = last ? plan.channels : 1;
  const generic = f32 ? k.generic_f32 : k.generic_f64;
  const r = plan.reducer;
  if (r.op === 'avg') return prepareAverage(k, frame, plan, g, dtype, geo);
  if (r.op === 'lp') {
    const flags = lpFlags(r);
    return (x, y, _i, yExact, units) => generic(GenericKernel.LpForward, x, y, yExact, 0, units, C, last, geo, flags, r.p, 0);
  }
  const flags = maxFlags(r);
  const valuesOnly = f32 && !withIndices && r.ties !== 'last' && !last && unitSteps(g);
  if (valuesOnly && slidingPlanar(plan, g) && largestWindow(g, 1) * largestWindow(g, 2) >= VAN_HERK_MIN_TAPS) {
    const [, H, W] = g.inDims;
    // Also room for maxValuesF32's row, which planes holding NaN take.
    const scratch = frame.alloc(Math.max(2 * W + (2 * H + 1) * g.outDims[2], W + 8) * 4);
    const strideW = simdStrideW(plan);
    return (x, y, _i, _e, units) => k.max_large_cf_f32(x, y, units, geo, flags, strideW, scratch);
  }
  if (valuesOnly && g.inDims[0] === 1 && g.outDims[0] === 1 && g.windows[0].count[0] === 1) {
    // One 2-D slice in and out (an adaptive depth may repeat it), rows first: a ring of row
    // maxima as tall as the tallest height window, its row tags and a window's row addresses.
    const ringRows = Math.max(1, largestWindow(g, 1));
    const scratch = frame.alloc(ringRows * (g.outDims[2] + 2) * 4);
    const strideW = simdStrideW(plan);
    return (x, y, _i, _e, units) => k.max_rows_cf_f32(x, y, units, geo, flags, strideW, scratch);
  }
  if (valuesOnly) {
    const scratch = frame.alloc((g.inDims[2] + 8) * 4);
    const strideW = simdStrideW(plan);
    return (x, y, _i, _e, units) => k.max_values_cf_f32(x, y, units, geo, flags, strideW, scratch);
  }
  const scratchIndices = withIndices ? 0 : frame.alloc(maxUnits * C * plan.outputSpatialSize * 4);
  if (last) {
    const scratch = frame.alloc(plan.channels * (BYTES[dtype] + 4));
    const kernel = f32 ? k.max_forward_cl_f32 : k.max_forward_cl_f64;
    return (x, y, indices, _e, units) => kernel(x, y, indices || scratchIndices, units, C, geo, flags, scratch);
  }
  if (unitSteps(g)) {
    const scratch = frame.alloc(g.inDims[0] * g.inDims[1] * g.outDims[2] * (BYTES[dtype] + 4));
    const strideW = simdStrideW(plan);
    return (x, y, indices, _e, units) => {
      if (f32 && r.ties !== 'last') k.max_indices_cf_f32(x, y, indices || scratchIndices, units, geo, flags, strideW, scratch);
      else if (f32) k.max_separable_cf_f32(x, y, indices || scratchIndices, units, geo, flags, strideW, scratch);
      else k.max_separable_cf_f64(x, y, indices || scratchIndices, units, geo, flags, scratch);
    };
  }
  return (x, y, indices, _e, units) =>
    generic(GenericKernel.MaxForward, x, y, indices || scratchIndices, 0, units, C, last, geo, flags, 0, 0);
}

function outputLength(plan: PoolPlan): number {
  return plan.batch * plan.channels * plan.outputSpatialSize;
}

/**
 * Input bytes per chunk when tensors are copied: copying a chunk in, pooling it while it sits in
 * cache and copying its output out reads and writes main memory once instead of three times.
 */
const CHUNK_BYTES = 512 * 1024;

function globalAverageF32(plan: PoolPlan, g: Geometry3d): boolean {
  return plan.reducer.op === 'avg' && plan.layout === 'channels-first' && isGlobal(g);
}

/**
 * The values per chunk of the wasm global average of `plan` on `x`: planes cut at its multiples
 * give the same bits (see globalAverageOfChunkSums), or undefined where the wasm backend runs
 * another kernel (float64, channels-last, not a global window).
 */
export function globalAverageChunk(plan: PoolPlan, x: FloatArray): number | undefined {
  if (!(x instanceof Float32Array) || !globalAverageF32(plan, geometry3d(plan)!)) return undefined;
  return runtimeHolding(x).kernels.global_chunk_values();
}

/**
 * `sums[i]`: the float64 sum of chunk `firstChunk + i` of a plane of `planeSize` values, summed as
 * global_avg_cf_f32 sums that plane's chunks (how a chunk is summed depends on the plane's size,
 * so the kernel is told the plane's size and each chunk's index, not the piece's). `values` is a
 * run of whole chunks of that plane, from chunk `firstChunk` to a chunk boundary or the plane's
 * end. Read in place when resident, else copied in a few chunks at a time.
 */
export function wasmChunkSums(values: Float32Array, sums: Float64Array, planeSize: number, firstChunk: number): void {
  const rt = runtimeHolding(values);
  const k = rt.kernels;
  const chunkValues = k.global_chunk_values();
  const frame = new Frame(rt.heap);
  try {
    const resident = residentAddress(rt.heap, values);
    const chunksPerPiece = resident !== undefined ? sums.length : Math.max(1, Math.floor(CHUNK_BYTES / 4 / chunkValues));
    const piece = resident ?? frame.alloc(chunksPerPiece * chunkValues * 4);
    const slots = frame.alloc(chunksPerPiece * 8);
    for (let first = 0; first < sums.length; first += chunksPerPiece) {
      const chunks = Math.min(chunksPerPiece, sums.length - first);
      const part = values.subarray(first * chunkValues, Math.min((first + chunks) * chunkValues, values.length));
      const at = resident !== undefined ? resident + first * chunkValues * 4 : piece;
      if (resident === undefined) new Float32Array(rt.heap.buffer, piece, part.length).set(part);
      k.sum_chunks_f32(at, planeSize, firstChunk + first, firstChunk + first + chunks, slots);
      sums.set(new Float64Array(rt.heap.buffer, slots, chunks), first);
    }
  } finally {
    frame.release();
  }
}

/**
 * Each plane's average from its chunks' sums (`sums`, chunksPerPlane per plane, in plane order)
 * into `y`: the sums added in chunk order from +0, divided once, rounded to float32, as
 * global_avg_cf_f32 does, so a plane whose chunks were summed anywhere, in any pieces, gives its bits.
 */
export function globalAverageOfChunkSums(plan: PoolPlan, sums: Float64Array, y: FloatArray): void {
  const divisor = divisors(plan, geometry3d(plan)!)[0]!;
  const chunksPerPlane = sums.length / y.length;
  for (let p = 0; p < y.length; p++) {
    let sum = 0;
    for (let k = p * chunksPerPlane; k < (p + 1) * chunksPerPlane; k++) sum += sums[k]!;
    y[p] = sum / divisor;
  }
}

/** Global average of planes larger than a chunk, on host arrays: chunk sums then their averages. */
function streamGlobalAverage(rt: WasmRuntime, plan: PoolPlan, x: Float32Array, target: FloatArray | undefined, resident: number | undefined): FloatArray {
  const size = plan.inputSpatialSize;
  const planes = plan.batch * plan.channels;
  const chunksPerPlane = Math.ceil(size / rt.kernels.global_chunk_values());
  const sums = new Float64Array(planes * chunksPerPlane);
  for (let p = 0; p < planes; p++) {
    wasmChunkSums(x.subarray(p * size, (p + 1) * size), sums.subarray(p * chunksPerPlane, (p + 1) * chunksPerPlane), size, 0);
  }
  // A target in wasm memory gets a fresh view: the chunk sums' scratch may have grown the memory.
  const y = resident !== undefined ? new Float32Array(rt.heap.buffer, resident, planes) : (target ?? new Float32Array(planes));
  globalAverageOfChunkSums(plan, sums, y);
  return y;
}

/**
 * Forward pass into `target` when given (any array of the output's length and dtype; written in
 * place when it lives in wasm memory), else into a new array. Arrays outside wasm memory are
 * staged a chunk of planes at a time, so extra memory stays a chunk plus the kernel's scratch.
 * Max plans: with `withIndices` false the indices are computed only if read (a second pass; most
 * callers want values only).
 */
export function wasmForward(plan: PoolPlan, x: Tensor, target?: FloatArray, withIndices = true): ForwardResult {
  const rt = runtimeHolding(x.data, target);
  const g = geometry3d(plan)!;
  const dtype = dtypeOf(x.data);
  const bytes = BYTES[dtype];
  const length = outputLength(plan);
  const isMax = plan.reducer.op === 'max';
  // Units the kernels run independently: planes (channels-first) or batch items (channels-last).
  const channelsLast = plan.layout === 'channels-last';
  const units = channelsLast ? plan.batch : plan.batch * plan.channels;
  const inUnit = plan.inputSpatialSize * (channelsLast ? plan.channels : 1);
  const outUnit = plan.outputSpatialSize * (channelsLast ? plan.channels : 1);
  const frame = new Frame(rt.heap);
  try {
    const yResident = target && residentAddress(rt.heap, target);
    const xResident = residentAddress(rt.heap, x.data);
    const perChunk =
      xResident !== undefined && yResident !== undefined ? units : Math.max(1, Math.min(units, Math.floor(CHUNK_BYTES / (inUnit * bytes))));
    if (xResident === undefined && inUnit * bytes > CHUNK_BYTES && globalAverageF32(plan, g)) {
      return { y: streamGlobalAverage(rt, plan, x.data as Float32Array, target, yResident) };
    }
    const xChunk = xResident ?? frame.alloc(perChunk * inUnit * bytes);
    const yChunk = yResident ?? frame.alloc(perChunk * outUnit * bytes);
    const indicesChunk = isMax && withIndices ? frame.alloc(perChunk * outUnit * 4) : 0;
    const launch = prepareForward(rt, frame, plan, g, dtype, isMax && withIndices, perChunk);
    const y = target ?? (dtype === 'float64' ? new Float64Array(length) : new Float32Array(length));
    const indices = indicesChunk ? new Int32Array(length) : undefined;
    for (let start = 0; start < units; start += perChunk) {
      const count = Math.min(perChunk, units - start);
      const inRange = [start * inUnit, (start + count) * inUnit] as const;
      const outRange = [start * outUnit, (start + count) * outUnit] as const;
      if (xResident === undefined) wasmView(rt.heap, dtype, xChunk, count * inUnit).set(x.data.subarray(...inRange));
      const xAt = xResident === undefined ? xChunk : xResident + inRange[0] * bytes;
      const yAt = yResident === undefined ? yChunk : yResident + outRange[0] * bytes;
      launch(xAt, yAt, indicesChunk, 0, count);
      if (yResident === undefined) y.set(wasmView(rt.heap, dtype, yChunk, count * outUnit), outRange[0]);
      if (indices) indices.set(new Int32Array(rt.heap.buffer, indicesChunk, count * outUnit), outRange[0]);
    }
    if (!isMax) return { y };
    if (indices) return { y, indices };
    let lazy: Int32Array | undefined;
    return {
      y,
      get indices() {
        if (!lazy) {
          const full = wasmForward(plan, x);
          lazy = full.indices!;
          // The values-only kernels may give +0 for a window whose first maximum is -0: take the
          // values that go with the indices.
          y.set(full.y);
        }
        return lazy;
      },
    };
  } finally {
    frame.release();
  }
}

export function wasmBackward(plan: PoolPlan, dy: Tensor, x: Tensor | undefined): FloatArray {
  const rt = runtimeHolding(dy.data, x?.data);
  const k = rt.kernels;
  const g = geometry3d(plan)!;
  const dtype = dtypeOf(dy.data);
  const f32 = dtype === 'float32';
  const inLength = plan.batch * plan.channels * plan.inputSpatialSize;
  const outLength = outputLength(plan);
  const last = plan.layout === 'channels-last' ? 1 : 0;
  const units = last ? plan.batch : plan.batch * plan.channels;
  const frame = new Frame(rt.heap);
  try {
    const [dyPtr, xPtr = 0] = stageIn(frame, dy.data, ...(x ? [x.data] : [])) as [number, number?];
    const dxPtr = frame.alloc(inLength * 8);
    new Float64Array(rt.heap.buffer, dxPtr, inLength).fill(0);
    const geo = stageGeometry(frame, plan, g);
    const r = plan.reducer;
    const generic = f32 ? k.generic_f32 : k.generic_f64;
    const { batch, channels } = plan;
    if (r.op === 'avg' && last) {
      const { mode, value } = avgParams(r);
      const share = frame.alloc(channels * 8);
      (f32 ? k.avg_backward_cl_f32 : k.avg_backward_cl_f64)(dyPtr, dxPtr, batch, channels, geo, mode, value, share);
    } else if (r.op === 'avg') {
      const { mode, value } = avgParams(r);
      generic(GenericKernel.AvgBackward, dyPtr, dxPtr, 0, 0, batch, channels, last, geo, mode, value, 0);
    } else if (r.op === 'max') {
      const yPtr = frame.alloc(outLength * BYTES[dtype]);
      const idxPtr = frame.alloc(outLength * 4);
      prepareForward(rt, frame, plan, g, dtype, true, units)(xPtr, yPtr, idxPtr, 0, units);
      generic(GenericKernel.MaxBackward, dyPtr, dxPtr, idxPtr, 0, batch, channels, last, geo, 0, 0, 0);
    } else {
      const yPtr = frame.alloc(outLength * BYTES[dtype]);
      const yExact = frame.alloc(outLength * 8);
      prepareForward(rt, frame, plan, g, dtype, false, units)(xPtr, yPtr, 0, yExact, units);
      generic(GenericKernel.LpBackward, xPtr, dxPtr, yExact, dyPtr, batch, channels, last, geo, lpFlags(r), r.p, 0);
    }
    if (!f32) return new Float64Array(rt.heap.buffer, dxPtr, inLength).slice();
    const dxPtr32 = frame.alloc(inLength * 4);
    k.demote_f64_to_f32(dxPtr, dxPtr32, inLength);
    return new Float32Array(rt.heap.buffer, dxPtr32, inLength).slice();
  } finally {
    frame.release();
  }
}

/** Bytes one call may need at most: tensors in and out, float64 gradients, window tables. */
function peakBytes(plan: PoolPlan): number {
  const inLength = plan.batch * plan.channels * plan.inputSpatialSize;
  return inLength * 8 * 2 + outputLength(plan) * 16 + plan.inputShape.reduce((p, d) => p + d, 0) * 64;
}

export const wasmBackend: Backend = {
  name: 'wasm',
  supports: (plan) => plan.axes.length <= 3 && peakBytes(plan) < MAX_WASM_BYTES / 2,
  available: () => loadedWasm() !== undefined,
  prepare: () => void requireWasm(),
  forward: (plan, x) => wasmForward(plan, x, undefined, false),
  forwardInto(plan, x, y, withIndices = true) {
    const result = wasmForward(plan, x, y, withIndices);
    // Without indices, a max result's indices are a lazy second pass: never touch them.
    return withIndices ? result.indices : undefined;
  },
  backward: wasmBackward,
};
