/**
 * A plan as the WebGPU kernels read it: one storage buffer of 32-bit words, a header (sizes,
 * layout, reducer, divisor) and the plan's own window tables (first in-bounds tap, tap count,
 * padded count per output index, per axis). Nothing here decides a window: the tables are
 * `windowsOf(plan)`, the same ones the CPU kernels run. Rank 1 and 2 plans become rank 3 with
 * leading axes of size 1 (a 2-D map is a 3-D map of depth 1). The backward kernel also reads, per
 * axis and input index, the run of outputs whose in-bounds span covers it (derived from the same
 * tables), and checks each against the tables before it adds anything.
 */
import { windowsOf, type AxisWindows, type PoolPlan } from '../../plan/plan.js';
import { HEADER_WORDS, WORD } from './shaders.js';

/** Spatial axes the kernels address. */
export const GPU_RANK = 3;

/** Whether the WebGPU kernels of this increment run the plan: average or max over 1 to 3 sliding axes. */
export function webGpuSupports(plan: PoolPlan): boolean {
  return (
    plan.axes.length >= 1 &&
    plan.axes.length <= GPU_RANK &&
    plan.axes.every((axis) => axis.kind === 'sliding') &&
    (plan.reducer.op === 'avg' || plan.reducer.op === 'max')
  );
}

/**
 * A plan whose one window per plane is the whole plane (global average, or an average whose kernel
 * is the input): the workgroup-per-plane kernel runs it. Decided from the geometry, not the op.
 */
export function isWholePlaneAverage(plan: PoolPlan): boolean {
  return (
    plan.reducer.op === 'avg' &&
    plan.axes.every(
      (axis) => axis.kind === 'sliding' && axis.out === 1 && axis.padBegin === 0 && axis.padEnd === 0 && axis.dilation === 1 && axis.kernel === axis.size,
    )
  );
}

const ONE_TAP: AxisWindows = { first: Int32Array.of(0), count: Int32Array.of(1), padded: Int32Array.of(1), step: 1 };

const float32 = new Float32Array(1);
const float32Bits = new Uint32Array(float32.buffer);

function bitsOf(value: number): number {
  float32[0] = value;
  return float32Bits[0]!;
}

/** A float64 divisor as float32 hi + lo (hi + lo carries 48 bits of it). */
export function twoFloatBits(value: number): [number, number] {
  const hi = Math.fround(value);
  return [bitsOf(hi), bitsOf(value - hi)];
}

/**
 * For each input index of one axis, the outputs that may hold it as an in-bounds tap: a run
 * `start`, `start + 1`, ... of `count` outputs, from the tables alone. Every output holding index i
 * has first <= i <= last (its last in-bounds tap), and outside the run from the smallest output
 * whose last reaches i to the largest whose first does not pass it, none does; inside it the
 * kernel still checks the stride of taps (dilation) against the tables. Since windows start in
 * increasing order, the run is at most the outputs whose padded windows span i: O(size + out) to
 * build, where listing every window's taps would be O(out * kernel).
 */
export function candidateOutputs(table: AxisWindows, size: number): { start: Uint32Array; count: Uint32Array } {
  const out = table.first.length;
  // lowestReaching[i]: smallest output whose last tap is i; highestStarting[i]: largest whose first is i.
  const lowestReaching = new Int32Array(size).fill(out);
  const highestStarting = new Int32Array(size).fill(-1);
  for (let o = 0; o < out; o++) {
    const taps = table.count[o]!;
    if (taps === 0) continue;
    const first = table.first[o]!;
    const last = first + (taps - 1) * table.step;
    lowestReaching[last] = Math.min(lowestReaching[last]!, o);
    highestStarting[first] = Math.max(highestStarting[first]!, o);
  }
  const start = new Uint32Array(size);
  const count = new Uint32Array(size);
  let low = out;
  for (let i = size - 1; i >= 0; i--) {
    low = Math.min(low, lowestReaching[i]!);
    start[i] = low;
  }
  let high = -1;
  for (let i = 0; i < size; i++) {
    high = Math.max(high, highestStarting[i]!);
    count[i] = Math.max(0, high - start[i]! + 1);
  }
  return { start, count };
}

/**
 * The words of a plan the kernels read; `planes` is N * C. `withCandidates` appends each axis's
 * candidate outputs per input index (see {@link candidateOutputs}), which the backward kernel needs.
 */
export function planWords(plan: PoolPlan, withCandidates = false): Uint32Array {
  const windows = windowsOf(plan);
  const lead = GPU_RANK - plan.axes.length;
  const axes = Array.from({ length: GPU_RANK }, (_, a) => (a < lead ? undefined : plan.axes[a - lead]));
  const tables = axes.map((axis, a) => (axis === undefined ? ONE_TAP : windows[a - lead]!));
  const sizes = axes.map((axis) => (axis === undefined ? 1 : axis.size));
  const tableWords = tables.reduce((total, t) => total + 3 * t.first.length, 0);
  const candidateWords = withCandidates ? sizes.reduce((total, size) => total + 2 * size, 0) : 0;
  const words = new Uint32Array(HEADER_WORDS + tableWords + candidateWords);
  const planes = plan.batch * plan.channels;
  const r = plan.reducer;
  words[WORD.outputs] = planes * plan.outputSpatialSize;
  words[WORD.inputs] = planes * plan.inputSpatialSize;
  words[WORD.channels] = plan.channels;
  words[WORD.channelsLast] = plan.layout === 'channels-last' ? 1 : 0;
  words[WORD.inSpatial] = plan.inputSpatialSize;
  words[WORD.outSpatial] = plan.outputSpatialSize;
  words[WORD.planes] = planes;
  if (r.op === 'max') {
    words[WORD.reducer] = 1;
    words[WORD.nanIgnore] = r.nan === 'ignore' ? 1 : 0;
    words[WORD.tiesLast] = r.ties === 'last' ? 1 : 0;
  } else if (r.op === 'avg') {
    words[WORD.emptyNan] = r.emptyWindow === 'nan' ? 1 : 0;
    words[WORD.divisorMode] = r.divisor === 'padded' ? 0 : r.divisor === 'valid' ? 1 : 2;
    // The whole-plane kernel divides by the plane's size unless the plan fixes the divisor.
    const divisor = typeof r.divisor === 'number' ? r.divisor : plan.inputSpatialSize;
    [words[WORD.divisorHi], words[WORD.divisorLo]] = twoFloatBits(divisor);
  }
  let base = HEADER_WORDS;
  tables.forEach((table, a) => {
    const out = table.first.length;
    words[WORD.inSize + a] = sizes[a]!;
    words[WORD.outSize + a] = out;
    words[WORD.step + a] = table.step;
    words[WORD.tableBase + a] = base;
    // Empty windows' `first` may lie outside the input (it is never read then): keep it as bits.
    words.set(new Uint32Array(table.first.buffer, table.first.byteOffset, out), base);
    words.set(new Uint32Array(table.count.buffer, table.count.byteOffset, out), base + out);
    words.set(new Uint32Array(table.padded.buffer, table.padded.byteOffset, out), base + 2 * out);
    base += 3 * out;
  });
  if (withCandidates) {
    tables.forEach((table, a) => {
      const size = sizes[a]!;
      const { start, count } = candidateOutputs(table, size);
      words[WORD.candidateBase + a] = base;
      words.set(start, base);
      words.set(count, base + size);
      base += 2 * size;
    });
  }
  return words;
}
