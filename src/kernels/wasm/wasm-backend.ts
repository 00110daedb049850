/**
 * The WebAssembly backend: stages a plan's windows and tensors in wasm memory and picks a kernel.
 * Tensors that already live in wasm memory (see zero-copy.ts) are read and written in place; others
 * are copied in and out. Every kernel gives the reference's result within 1 ulp (float64 plans: the
 * same bits), deterministically.
 */
import type { Backend } from '../../backends.js';
import type { PoolPlan, Reducer } from '../../plan/plan.js';
import type { ForwardResult } from '../reference/reference.js';
import { dtypeOf, type DType, type FloatArray, type Tensor } from '../../tensor.js';
import { divisors, geometry3d, type Geometry3d } from '../js/windows-3d.js';
import { MAX_WASM_BYTES, type WasmHeap } from './heap.js';
import { GenericKernel, loadedWasm, requireWasm, type KernelExports, type WasmRuntime } from './runtime.js';

/**
 * Windows at least this large (taps per output over height and width) go through prefix sums,
 * whose cost does not grow with the window; smaller ones are summed tap by tap.
 */
const RUNNING_SUM_MIN_TAPS = 9;

/** The allocations of one call, released together whatever happens. */
class Frame {
  private readonly blocks: number[] = [];
  constructor(readonly heap: WasmHeap) {}
  alloc(bytes: number): number {
    const ptr = this.heap.alloc(bytes);
    this.blocks.push(ptr);
    return ptr;
  }
  release(): void {
    for (let i = this.blocks.length - 1; i >= 0; i--) this.heap.release(this.blocks[i]!);
  }
}

const BYTES: Record<DType, number> = { float32: 4, float64: 8 };

export function wasmView(heap: WasmHeap, dtype: DType, ptr: number, length: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(heap.buffer, ptr, length) : new Float32Array(heap.buffer, ptr, length);
}

/** The address of `data` when it is a view of wasm memory, else undefined. */
export function residentAddress(heap: WasmHeap, data: FloatArray): number | undefined {
  return data.buffer === heap.buffer ? data.byteOffset : undefined;
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

/** Header and window arrays as assembly/kernels.ts reads them. */
function stageGeometry(frame: Frame, plan: PoolPlan, g: Geometry3d): number {
  const [od, oh, ow] = g.outDims;
  const words = 16 + 3 * (od + oh + ow);
  const ptr = frame.alloc(words * 4);
  const block = new Int32Array(frame.heap.buffer, ptr, words);
  block.set(g.inDims, 0);
  block.set(g.outDims, 3);
  block.set(
    g.windows.map((w) => w.step),
    6,
  );
  block[9] = plan.axes.reduce((p, a) => p * (a.kind === 'sliding' ? a.kernel : 1), 1);
  let at = 16;
  for (const w of g.windows) {
    for (const field of [w.first, w.count, w.padded]) {
      block.set(field, at);
      at += field.length;
    }
  }
  return ptr;
}

interface AvgParams {
  readonly mode: number;
  readonly value: number;
  readonly empty: number;
}

function avgParams(r: Extract<Reducer, { op: 'avg' }>): AvgParams {
  return {
    mode: r.divisor === 'valid' ? 0 : r.divisor === 'padded' ? 1 : 2,
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

function isGlobal(plan: PoolPlan, g: Geometry3d): boolean {
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

function unitSteps(g: Geometry3d): boolean {
  return g.windows.every((w) => w.step === 1);
}

/** The width stride when the width axis slides with stride 1 or 2 (what four-lane loads serve), else 0. */
function simdStrideW(plan: PoolPlan): number {
  const axis = plan.axes[plan.axes.length - 1]!;
  return axis.kind === 'sliding' && axis.stride <= 2 ? axis.stride : 0;
}

function largestWindow(g: Geometry3d, axis: number): number {
  let largest = 0;
  for (const c of g.windows[axis]!.count) largest = Math.max(largest, c);
  return largest;
}

function avgForwardKernel(k: KernelExports, frame: Frame, plan: PoolPlan, g: Geometry3d, dtype: DType, x: number, y: number, geo: number): void {
  const r = plan.reducer as Extract<Reducer, { op: 'avg' }>;
  const { mode, value, empty } = avgParams(r);
  const f32 = dtype === 'float32';
  if (plan.layout === 'channels-last') {
    const acc = frame.alloc(plan.channels * 8);
    (f32 ? k.avg_forward_cl_f32 : k.avg_forward_cl_f64)(x, y, plan.batch, plan.channels, geo, mode, value, empty, acc);
    return;
  }
  const planes = plan.batch * plan.channels;
  if (f32 && isGlobal(plan, g)) {
    k.global_avg_cf_f32(x, y, planes, plan.inputSpatialSize, divisors(plan, g)[0]!);
    return;
  }
  const [, H, W] = g.inDims;
  const [, , OW] = g.outDims;
  if (f32 && widthWindowsArePairs(g)) {
    k.avg_pairs_cf_f32(x, y, planes, geo, mode, value, empty);
    return;
  }
  if (f32 && unitSteps(g) && largestWindow(g, 1) * largestWindow(g, 2) >= RUNNING_SUM_MIN_TAPS) {
    const scratch = frame.alloc((W + 4 + 2 * OW + (H + 1) * OW) * 8);
    k.avg_running_cf_f32(x, y, planes, geo, mode, value, empty, simdStrideW(plan) === 1 ? 1 : 0, scratch);
    return;
  }
  (f32 ? k.generic_f32 : k.generic_f64)(GenericKernel.AvgForward, x, y, 0, 0, plan.batch, plan.channels, 0, geo, mode, value, empty);
}

/**
 * Runs the forward kernel of `plan`. `indices` (max) may be 0 when nobody reads them: float32
 * channels-first max then computes values only (ties 'first'), else they go to scratch. `yExact`
 * (Lp's float64 outputs) may be 0.
 */
function forwardKernel(rt: WasmRuntime, frame: Frame, plan: PoolPlan, g: Geometry3d, dtype: DType, x: number, y: number, indices: number, yExact: number): void {
  const k = rt.kernels;
  const geo = stageGeometry(frame, plan, g);
  const f32 = dtype === 'float32';
  const last = plan.layout === 'channels-last' ? 1 : 0;
  const r = plan.reducer;
  if (r.op === 'avg') {
    avgForwardKernel(k, frame, plan, g, dtype, x, y, geo);
    return;
  }
  if (r.op === 'lp') {
    (f32 ? k.generic_f32 : k.generic_f64)(GenericKernel.LpForward, x, y, yExact, 0, plan.batch, plan.channels, last, geo, lpFlags(r), r.p, 0);
    return;
  }
  const valuesOnly = f32 && indices === 0 && r.ties !== 'last' && !last && unitSteps(g);
  const indicesAt = indices || (valuesOnly ? 0 : frame.alloc(outputLength(plan) * 4));
  if (!last && unitSteps(g)) {
    const rows = g.inDims[0] * g.inDims[1];
    const scratch = frame.alloc(rows * g.outDims[2] * (BYTES[dtype] + 4));
    const planes = plan.batch * plan.channels;
    if (f32) k.max_separable_cf_f32(x, y, indicesAt, planes, geo, maxFlags(r), simdStrideW(plan), scratch);
    else k.max_separable_cf_f64(x, y, indicesAt, planes, geo, maxFlags(r), scratch);
  } else {
    (f32 ? k.generic_f32 : k.generic_f64)(GenericKernel.MaxForward, x, y, indicesAt, 0, plan.batch, plan.channels, last, geo, maxFlags(r), 0, 0);
  }
}

function outputLength(plan: PoolPlan): number {
  return plan.batch * plan.channels * plan.outputSpatialSize;
}

/**
 * Forward pass into `target` when given (any array of the output's length and dtype; written in
 * place when it lives in wasm memory), else into a new array. Max plans: with `withIndices`
 * false the indices are computed only if read (a second pass; most callers want values only).
 */
export function wasmForward(plan: PoolPlan, x: Tensor, target?: FloatArray, withIndices = true): ForwardResult {
  const rt = requireWasm();
  const g = geometry3d(plan)!;
  const dtype = dtypeOf(x.data);
  const length = outputLength(plan);
  const frame = new Frame(rt.heap);
  const isMax = plan.reducer.op === 'max';
  try {
    const resident = target && residentAddress(rt.heap, target);
    const [xPtr] = stageIn(frame, x.data) as [number];
    const yPtr = resident ?? frame.alloc(length * BYTES[dtype]);
    const idxPtr = isMax && withIndices ? frame.alloc(length * 4) : 0;
    forwardKernel(rt, frame, plan, g, dtype, xPtr, yPtr, idxPtr, 0);
    const y = target ?? (dtype === 'float64' ? new Float64Array(length) : new Float32Array(length));
    if (resident === undefined) y.set(wasmView(rt.heap, dtype, yPtr, length));
    if (!isMax) return { y };
    if (idxPtr) return { y, indices: new Int32Array(rt.heap.buffer, idxPtr, length).slice() };
    let indices: Int32Array | undefined;
    return {
      y,
      get indices() {
        indices ??= wasmForward(plan, x).indices;
        return indices;
      },
    };
  } finally {
    frame.release();
  }
}

export function wasmBackward(plan: PoolPlan, dy: Tensor, x: Tensor | undefined): FloatArray {
  const rt = requireWasm();
  const k = rt.kernels;
  const g = geometry3d(plan)!;
  const dtype = dtypeOf(dy.data);
  const f32 = dtype === 'float32';
  const inLength = plan.batch * plan.channels * plan.inputSpatialSize;
  const outLength = outputLength(plan);
  const last = plan.layout === 'channels-last' ? 1 : 0;
  const frame = new Frame(rt.heap);
  try {
    const [dyPtr, xPtr = 0] = stageIn(frame, dy.data, ...(x ? [x.data] : [])) as [number, number?];
    const dxPtr = frame.alloc(inLength * 8);
    new Float64Array(rt.heap.buffer, dxPtr, inLength).fill(0);
    const geo = stageGeometry(frame, plan, g);
    const r = plan.reducer;
    const generic = f32 ? k.generic_f32 : k.generic_f64;
    const { batch, channels } = plan;
    if (r.op === 'avg') {
      const { mode, value } = avgParams(r);
      generic(GenericKernel.AvgBackward, dyPtr, dxPtr, 0, 0, batch, channels, last, geo, mode, value, 0);
    } else if (r.op === 'max') {
      const yPtr = frame.alloc(outLength * BYTES[dtype]);
      const idxPtr = frame.alloc(outLength * 4);
      forwardKernel(rt, frame, plan, g, dtype, xPtr, yPtr, idxPtr, 0);
      generic(GenericKernel.MaxBackward, dyPtr, dxPtr, idxPtr, 0, batch, channels, last, geo, 0, 0, 0);
    } else {
      const yPtr = frame.alloc(outLength * BYTES[dtype]);
      const yExact = frame.alloc(outLength * 8);
      forwardKernel(rt, frame, plan, g, dtype, xPtr, yPtr, 0, yExact);
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
  forwardInto: (plan, x, y) => wasmForward(plan, x, y).indices,
  backward: wasmBackward,
};
