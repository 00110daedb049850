/**
 * Checks a returned value against what a valid call must give back (calls.ts's Expect), and the
 * minimum any returned tensor must satisfy: integer shape, data whose real length fits it.
 * Each check returns '' when satisfied, else what is wrong.
 */
import type { Expect } from './calls.js';
import { typedView } from './snapshot.js';

function product(values: readonly number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

function sameArray(a: unknown, b: readonly unknown[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

function show(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** The real element count and type of a typed array (the intrinsic getters, not a subclass's). */
function typedInfo(data: unknown): { tag: string; length: number } | undefined {
  const info = typedView(data);
  if (!info) return undefined;
  const width = (globalThis as unknown as Record<string, { BYTES_PER_ELEMENT: number }>)[info.tag]!.BYTES_PER_ELEMENT;
  return { tag: info.tag, length: info.bytes.length / width };
}

function checkTensorLike(value: unknown, shape: readonly number[] | undefined, type: string | undefined, what: string): string {
  if (typeof value !== 'object' || value === null) return `${what} is ${show(value)}, not a tensor`;
  const t = value as { shape?: unknown; data?: unknown };
  if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) return `${what}.shape is ${show(t.shape)}`;
  if (shape !== undefined && !sameArray(t.shape, shape)) return `${what}.shape is ${show(t.shape)}, expected ${show(shape)}`;
  let data: unknown;
  try {
    data = t.data;
  } catch (error) {
    return `${what}.data throws ${String(error)}`;
  }
  const info = typedInfo(data);
  if (!info) return `${what}.data is not a typed array`;
  if (type !== undefined && info.tag !== type) return `${what}.data is a ${info.tag}, expected ${type}`;
  if (info.length !== product(t.shape as number[])) return `${what}.data holds ${info.length} values for shape ${show(t.shape)}`;
  return '';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The README: an explanation lists at most 65,536 taps in all. */
const MAX_TAPS_LISTED = 65_536;

interface Listed {
  readonly windows?: readonly { readonly taps?: readonly unknown[]; readonly omittedTaps?: unknown }[];
  readonly omittedWindows?: unknown;
}

/**
 * An explanation lists the first maxWindows windows of each axis and the first maxTaps taps of
 * each window, 65,536 taps in all; omittedWindows / omittedTaps count the rest exactly.
 */
function checkListing(axes: readonly Listed[], expect: Extract<Expect, { k: 'explanation' }>): string {
  let listed = 0;
  for (let a = 0; a < axes.length; a++) {
    const windows = axes[a]!.windows;
    if (!Array.isArray(windows)) return `axis ${a} has no windows list`;
    const shown = Math.min(expect.out[a]!, expect.maxWindows);
    if (windows.length !== shown) return `axis ${a} lists ${windows.length} windows, expected ${shown} (of ${expect.out[a]}, maxWindows ${expect.maxWindows})`;
    if (axes[a]!.omittedWindows !== expect.out[a]! - shown) return `axis ${a} omits ${show(axes[a]!.omittedWindows)} windows, expected ${expect.out[a]! - shown}`;
    for (const w of windows) {
      const taps = w.taps ?? [];
      listed += taps.length;
      if (taps.length > expect.maxTaps) return `a window of axis ${a} lists ${taps.length} taps, more than maxTaps ${expect.maxTaps}`;
      if (taps.length + (w.omittedTaps as number) !== expect.kernel[a]) return `a window of axis ${a} lists ${taps.length} taps and omits ${show(w.omittedTaps)}, of ${expect.kernel[a]}`;
    }
  }
  return listed > MAX_TAPS_LISTED ? `the explanation lists ${listed} taps, more than ${MAX_TAPS_LISTED}` : '';
}

export interface ExpectContext {
  /** The library's WasmTensor class and TF.js's Tensor check, for instance checks. */
  readonly isWasmTensor: (value: unknown) => boolean;
  readonly isTfTensor: (value: unknown) => boolean;
}

export function checkExpect(value: unknown, expect: Expect, ctx: ExpectContext): string {
  switch (expect.k) {
    case 'tensor':
      return checkTensorLike(value, expect.shape, expect.type, 'the result');
    case 'withIndices': {
      const v = value as { values?: unknown; indices?: unknown } | null;
      return checkTensorLike(v?.values, expect.shape, expect.type, 'values') || checkTensorLike(v?.indices, expect.shape, 'Int32Array', 'indices');
    }
    case 'argmax': {
      const v = value as { result?: unknown; indexes?: unknown } | null;
      return checkTensorLike(v?.result, expect.shape, expect.type, 'result') || checkTensorLike(v?.indexes, expect.shape, 'Int32Array', 'indexes');
    }
    case 'indexTensor':
      return checkTensorLike(value, expect.shape, expect.type, 'the indices');
    case 'list': {
      if (!Array.isArray(value) || value.length !== expect.items.length) return `the result is ${show(value)}, expected a list of ${expect.items.length}`;
      for (let i = 0; i < value.length; i++) {
        const problem = checkExpect(value[i], expect.items[i]!, ctx);
        if (problem) return `[${i}]: ${problem}`;
      }
      return '';
    }
    case 'equal':
      return deepEqual(value, expect.value) ? '' : `the result is ${show(value)}, expected ${show(expect.value)}`;
    case 'plan': {
      const plan = value as { inputShape?: unknown; outputShape?: unknown } | null;
      if (!sameArray(plan?.inputShape, expect.inputShape)) return `plan.inputShape is ${show(plan?.inputShape)}, expected ${show(expect.inputShape)}`;
      if (!sameArray(plan?.outputShape, expect.outputShape)) return `plan.outputShape is ${show(plan?.outputShape)}, expected ${show(expect.outputShape)}`;
      return Object.isFrozen(value) ? '' : 'the plan is not frozen';
    }
    case 'error':
      return `returned ${show(value)}; expected ${expect.codes.join(' or ')}`;
    case 'explanation': {
      const e = value as { outputShape?: unknown; axes?: unknown[] } | null;
      if (!sameArray(e?.outputShape, expect.outputShape)) return `outputShape is ${show(e?.outputShape)}, expected ${show(expect.outputShape)}`;
      if (!Array.isArray(e?.axes) || e.axes.length !== expect.axes) return `${show(e?.axes?.length)} axes explained, expected ${expect.axes}`;
      return checkListing(e.axes as Listed[], expect);
    }
    case 'window': {
      const w = value as { taps?: unknown[]; omittedTaps?: unknown } | null;
      if (!Array.isArray(w?.taps) || w.taps.length !== expect.axes) return `the window has ${show(w?.taps?.length)} axes of taps, expected ${expect.axes}`;
      const omitted = Array.isArray(w.omittedTaps) ? (w.omittedTaps as unknown[]) : [];
      let listed = 0;
      for (let a = 0; a < expect.axes; a++) {
        const taps = w.taps[a] as unknown[];
        listed += taps.length;
        if (taps.length > expect.maxTaps) return `axis ${a} lists ${taps.length} taps, more than maxTaps ${expect.maxTaps}`;
        if (taps.length + (omitted[a] as number) !== expect.kernel[a]) return `axis ${a} lists ${taps.length} taps and omits ${show(omitted[a])}, of ${expect.kernel[a]}`;
      }
      return listed > MAX_TAPS_LISTED ? `the window lists ${listed} taps, more than ${MAX_TAPS_LISTED}` : '';
    }
    case 'bands': {
      if (!Array.isArray(value) || value.length === 0) return `the bands are ${show(value)}`;
      const most = Math.floor(expect.rows);
      let next = 0;
      for (const band of value as { outputStart: number; outputEnd: number }[]) {
        if (band.outputStart !== next || !(band.outputEnd > band.outputStart)) return `bands do not tile the output rows (a band starts at ${band.outputStart}, expected ${next})`;
        if (band.outputEnd - band.outputStart > most) return `a band of ${band.outputEnd - band.outputStart} rows, more than rowsPerBand ${expect.rows}`;
        next = band.outputEnd;
      }
      return next === expect.out ? '' : `bands end at row ${next}, expected ${expect.out}`;
    }
    case 'backend': {
      const b = value as { name?: unknown; forward?: unknown } | null;
      if (typeof b?.name !== 'string' || typeof b.forward !== 'function') return `not a backend: ${show(value)}`;
      return expect.name === undefined || b.name === expect.name ? '' : `backend ${b.name}, expected ${expect.name}`;
    }
    case 'strings':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return `not a list of names: ${show(value)}`;
      return expect.includes.every((n) => value.includes(n)) ? '' : `${show(value)} lacks one of ${show(expect.includes)}`;
    case 'init': {
      const r = value as { wasm?: unknown; backends?: unknown } | null;
      return typeof r?.wasm === 'boolean' && Array.isArray(r.backends) ? '' : `init() gave ${show(value)}`;
    }
    case 'count':
      return Number.isInteger(value) && (value as number) >= 0 ? '' : `not a count: ${show(value)}`;
    case 'optionalString':
      return value === undefined || typeof value === 'string' ? '' : `not a string or undefined: ${show(value)}`;
    case 'undefined':
      return value === undefined ? '' : `returned ${show(value)}, expected undefined`;
    case 'memoryUse': {
      if (value === undefined) return '';
      const use = value as { bytes?: unknown; liveBytes?: unknown; peakLiveBytes?: unknown } | null;
      const counts = [use?.bytes, use?.liveBytes, use?.peakLiveBytes];
      if (!counts.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) return `not byte counts: ${show(value)}`;
      const [bytes, live, peak] = counts as number[];
      return live! <= peak! && peak! <= bytes! ? '' : `live ${live} <= peak ${peak} <= memory ${bytes} does not hold`;
    }
    case 'observed': {
      const o = value as { runs?: unknown[] } | null;
      return Array.isArray(o?.runs) && o.runs.length === expect.runs ? '' : `observed ${show(o?.runs?.length)} runs, expected ${expect.runs}`;
    }
    case 'wasmTensor':
      if (!ctx.isWasmTensor(value)) return `not a WasmTensor: ${show(value)}`;
      return checkTensorLike(value, expect.shape, expect.type, 'the WasmTensor');
    case 'poolInto':
      if (expect.indices) return typedInfo(value)?.tag === 'Int32Array' ? '' : `expected the indices (an Int32Array), got ${show(value)}`;
      return value === undefined ? '' : `expected undefined, got ${show(value)}`;
    case 'tf': {
      if (!ctx.isTfTensor(value)) return `not a TF.js tensor: ${show(value)}`;
      const t = value as { shape: number[]; dtype: string };
      if (!sameArray(t.shape, expect.shape)) return `shape ${show(t.shape)}, expected ${show(expect.shape)}`;
      return t.dtype === 'float32' ? '' : `dtype ${t.dtype}, expected float32`;
    }
    case 'poolingError': {
      const e = value as { code?: unknown; message?: unknown; name?: unknown } | null;
      if (!(value instanceof Error)) return `not an Error: ${show(value)}`;
      if (e?.code !== expect.code) return `code ${show(e?.code)}, expected ${expect.code}`;
      return e.message === expect.message ? '' : `message ${show(e.message)}, expected ${show(expect.message)}`;
    }
    case 'instance':
      return typeof value === 'object' && value !== null && (value as object).constructor?.name === expect.of ? '' : `not a ${expect.of}: ${show(value)}`;
  }
}

/**
 * What any returned value must satisfy, whatever the call: tensors hold exactly as many values as
 * their shape says, in a real typed array. Applied to hostile calls that returned.
 */
export function checkSane(value: unknown, depth = 0): string {
  if (depth > 3 || typeof value !== 'object' || value === null) return '';
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 8)) {
      const problem = checkSane(item, depth + 1);
      if (problem) return problem;
    }
    return '';
  }
  const t = value as { shape?: unknown };
  if ('shape' in t && 'data' in t && Array.isArray(t.shape) && !('dataSync' in t)) return checkTensorLike(value, undefined, undefined, 'the result');
  for (const key of ['values', 'indices', 'result', 'indexes']) {
    if (key in t) {
      const problem = checkSane((t as Record<string, unknown>)[key], depth + 1);
      if (problem) return problem;
    }
  }
  return '';
}
