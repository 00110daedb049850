/**
 * `explain`: the arithmetic of one pooling call, without an input file. The CLI builds the call
 * exactly as `pool` would (same flags, same dialect adapter) on a zero tensor of the given size,
 * takes the plan the library made (observeRuns) and prints the library's explanation of it
 * (explainPlan, explainWindow). Nothing here computes a window.
 */
import {
  MAX_ELEMENTS,
  PoolingError,
  explainPlan,
  explainWindow,
  planOfCall,
  type AxisExplanation,
  type PlanExplanation,
  type PoolPlan,
  type WindowExplanation,
} from 'tensor-pooling';
import { libraryFailure, nativeWindowPlan } from './dialects.js';
import { CliError, describeFailure } from './errors.js';
import { checkRequest } from './pool-file.js';
import { DIALECTS, parseIntegerList, type DialectName, type PoolRequest } from './request.js';

/** Element windows listed in text; --json lists up to JSON_WINDOW_LIMIT. */
const TEXT_WINDOW_LIMIT = 32;
const JSON_WINDOW_LIMIT = 4096;
const AXIS_WINDOW_LIMIT = 64;
/** Windows and taps of each axis the explanation lists (--json too): what a person can read. */
const LISTED_WINDOWS = 1024;
const LISTED_TAPS = 256;
/** Positions an axis drawing spans at most: a screen's width. */
const DRAWN_POSITIONS = 48;

export interface Explained {
  readonly dialect: DialectName;
  readonly op: string;
  readonly explanation: PlanExplanation;
  readonly windows: readonly WindowExplanation[];
  readonly totalWindows: number;
  /** Warnings that need the request as well as the plan (the ceil rule dropping a window). */
  readonly warnings: readonly string[];
  /** Whether ceil mode was asked for: then the drawing shows where a dropped window would start. */
  readonly ceil: boolean;
  /** Set when the dialect ran the request on more spatial axes than given and they were left out (see onGivenAxes). */
  readonly ranAs?: string;
}

export function parseInputSize(text: string | undefined): number[] {
  if (text === undefined) throw new CliError('explain needs --input, the spatial size (e.g. --input 5 or --input 7x7)');
  const sizes = parseIntegerList('--input', text);
  if (sizes.some((size) => size < 1)) {
    throw new CliError(`--input must be positive sizes, one per spatial axis (e.g. 5 or 7x7); got ${JSON.stringify(text)}`);
  }
  return sizes;
}

/** The plan the library makes for this request on a (1, 1, ...sizes) input in the dialect's layout. */
export function planFor(sizes: readonly number[], request: PoolRequest): PoolPlan {
  const adapter = checkRequest(request);
  const shape = adapter.channelsLast ? [...sizes, 1] : [1, ...sizes];
  const batched = adapter.needsBatch || request.dialect === 'native' ? [1, ...shape] : shape;
  const layout = adapter.channelsLast ? 'channels-last' : 'channels-first';
  const asked = { ...request, layout } as const;
  // The native window ops plan without running; a dialect shows its plan only by running.
  const native = request.dialect === 'native' ? nativeWindowPlan(batched, sizes.length, asked) : undefined;
  if (native !== undefined) return native;
  const elements = batched.reduce((p, d) => p * d, 1);
  if (elements > MAX_ELEMENTS) {
    throw new CliError(`--input ${sizes.join('x')} would hold ${elements} elements; at most ${MAX_ELEMENTS} (a tensor's limit)`);
  }
  // A zero tensor whose pages nobody touches: the call stops at its plan, before computing.
  const x = { shape: batched, data: new Float32Array(elements) };
  const plan = planOfCall(() => adapter.run(x, sizes.length, asked));
  if (plan === undefined) {
    throw new CliError(`the ${request.dialect} call computed nothing to explain (a 1x1 window that returns its input unchanged)`);
  }
  return plan;
}

function outputIndices(plan: PoolPlan, limit: number): number[][] {
  const indices: number[][] = [];
  const outs = plan.axes.map((axis) => axis.out);
  const index = outs.map(() => 0);
  const total = outs.reduce((p, o) => p * o, 1);
  for (let n = 0; n < Math.min(total, limit); n++) {
    indices.push([...index]);
    for (let a = outs.length - 1; a >= 0; a--) {
      index[a]!++;
      if (index[a]! < outs[a]!) break;
      index[a] = 0;
    }
  }
  return indices;
}

export function explainRequest(sizes: readonly number[], request: PoolRequest, windowLimit = JSON_WINDOW_LIMIT): Explained {
  let plan: PoolPlan;
  try {
    plan = planFor(sizes, request);
  } catch (error) {
    if (error instanceof PoolingError) throw libraryFailure(error, request);
    throw error;
  }
  const explanation = explainPlan(plan, { maxWindows: LISTED_WINDOWS, maxTaps: LISTED_TAPS });
  const totalWindows = plan.axes.reduce((p, axis) => p * axis.out, 1);
  const warnings = request.ceil
    ? explanation.axes
        .filter((axis) => axis.ceilDropped !== null)
        .map(
          (axis) =>
            `axis ${axis.name}: ceil mode drops window ${axis.ceilDropped!.window}: it would start at ${axis.ceilDropped!.start}, ` +
            `inside the end padding (the input ends at ${axis.size - 1})`,
        )
    : [];
  return {
    dialect: request.dialect,
    op: plan.op,
    explanation,
    windows: outputIndices(plan, windowLimit).map((index) => explainWindow(plan, index, { maxTaps: LISTED_TAPS })),
    totalWindows,
    warnings,
    ceil: request.ceil,
  };
}

function range(values: readonly number[]): string {
  if (values.length === 0) return '-';
  const contiguous = values.every((v, i) => i === 0 || v - values[i - 1]! === values[1]! - values[0]!);
  if (values.length > 2 && contiguous) {
    const step = values[1]! - values[0]!;
    return `${values[0]}..${values[values.length - 1]!}${step === 1 ? '' : ` step ${step}`}`;
  }
  return values.join(',');
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

/**
 * One axis drawn: the ruler of positions, what each position is (input '.', padding 'p'), and one
 * line per window marking its taps: '#' in the input, 'o' in the padding, 'x' past the padding.
 */
function drawAxis(axis: AxisExplanation, shown: number, ceil: boolean): string[] {
  const windows = axis.windows.slice(0, shown);
  const dropped = ceil && shown === axis.out ? axis.ceilDropped : null;
  const positions = [...windows.flatMap((w) => w.taps.map((t) => t.position)), ...(dropped ? [dropped.start] : [])];
  const lo = Math.min(0, ...positions);
  const hi = Math.max(axis.size <= DRAWN_POSITIONS ? axis.size - 1 : 0, ...positions);
  const cut = windows.some((w) => w.omittedTaps > 0);
  if (hi - lo + 1 > DRAWN_POSITIONS || cut) {
    return [`(not drawn: the first ${windows.length} windows span positions ${lo} to ${hi}${cut ? ' and more' : ''}, wider than a screen)`];
  }
  const width = Math.max(2, `${lo}`.length + 1, `${hi}`.length + 1);
  const cell = (text: string) => text.padStart(width);
  const kindAt = new Map<number, string>();
  for (const w of windows) for (const t of w.taps) kindAt.set(t.position, t.kind);
  // A dropped window starts in the end padding by definition.
  if (dropped && !kindAt.has(dropped.start)) kindAt.set(dropped.start, 'padding');
  const ruler: string[] = [];
  const what: string[] = [];
  for (let p = lo; p <= hi; p++) {
    ruler.push(cell(`${p}`));
    const kind = p >= 0 && p < axis.size ? 'input' : kindAt.get(p);
    what.push(cell(kind === 'input' ? '.' : kind === 'padding' ? 'p' : ' '));
  }
  const label = (text: string) => text.padEnd(10);
  const lines = [`${label('position')}${ruler.join('')}`, `${label('')}${what.join('')}`];
  // '.' input, 'p' padding; window rows: '#' tap in the input, 'o' in the padding, 'x' past it.
  for (const w of windows) {
    const marks: string[] = [];
    const byPosition = new Map(w.taps.map((t) => [t.position, t.kind]));
    for (let p = lo; p <= hi; p++) {
      const kind = byPosition.get(p);
      marks.push(cell(kind === 'input' ? '#' : kind === 'padding' ? 'o' : kind === 'overhang' ? 'x' : ''));
    }
    lines.push(`${label(`window ${w.output}`)}${marks.join('')}`);
  }
  if (dropped) {
    const marks: string[] = [];
    for (let p = lo; p <= hi; p++) marks.push(cell(p === dropped.start ? '!' : ''));
    lines.push(`${label(`window ${dropped.window}`)}${marks.join('')}  dropped: it would start in the end padding`);
  }
  return lines;
}

export function renderExplained(e: Explained): string {
  const { explanation } = e;
  const lines: string[] = [];
  lines.push(`${e.op} (${e.dialect === 'native' ? 'tensor-pooling' : `${e.dialect} dialect`}): input ${JSON.stringify(explanation.inputShape)} -> output ${JSON.stringify(explanation.outputShape)}`);
  lines.push(`reduction: ${explanation.reducer}`);
  for (const axis of explanation.axes) {
    lines.push('', `axis ${axis.name}: input ${axis.size}, output ${axis.out} (${axis.kind})`, `  ${axis.formula}`);
    const shown = Math.min(axis.windows.length, AXIS_WINDOW_LIMIT);
    const ends = (w: AxisExplanation['windows'][number]) => (w.omittedTaps > 0 ? ` (+${w.omittedTaps} taps)` : '');
    const rows: string[][] = [['  window', 'start', 'end', 'in input', 'in padding', 'past padding', 'taps in input', 'taps in input+padding']];
    for (const w of axis.windows.slice(0, shown)) {
      const at = (kind: string) => w.taps.filter((t) => t.kind === kind).map((t) => t.position);
      rows.push([
        `  ${w.output}`,
        `${w.taps[0]?.position ?? '-'}`,
        `${w.taps[w.taps.length - 1]?.position ?? '-'}${ends(w)}`,
        range(at('input')),
        range(at('padding')),
        range(at('overhang')),
        `${w.inInput}`,
        `${w.inPadded}`,
      ]);
    }
    lines.push(...table(rows));
    if (shown < axis.out) {
      lines.push(`  ... ${axis.out - shown} more windows (--json lists the first ${Math.min(axis.out, LISTED_WINDOWS)})`);
    }
    lines.push('', ...drawAxis(axis, Math.min(shown, 16), e.ceil).map((line) => `  ${line}`.trimEnd()));
  }
  lines.push('', `windows (${e.totalWindows} output element${e.totalWindows === 1 ? '' : 's'}):`);
  const rows: string[][] = [['  output', 'divisor', 'why']];
  for (const w of e.windows.slice(0, TEXT_WINDOW_LIMIT)) {
    rows.push([`  [${w.outputIndex.join(', ')}]`, w.divisor === null ? '-' : `${w.divisor}`, w.reason]);
  }
  lines.push(...table(rows));
  if (e.totalWindows > TEXT_WINDOW_LIMIT) lines.push(`  ... ${e.totalWindows - TEXT_WINDOW_LIMIT} more (--json lists up to ${JSON_WINDOW_LIMIT})`);
  const warnings = [...explanation.warnings, ...e.warnings];
  if (warnings.length > 0) lines.push('', ...warnings.map((w) => `warning: ${w}`));
  return `${lines.join('\n')}\n`;
}

export function explainJson(e: Explained): unknown {
  return {
    dialect: e.dialect,
    op: e.op,
    inputShape: e.explanation.inputShape,
    outputShape: e.explanation.outputShape,
    reduction: e.explanation.reducer,
    axes: e.explanation.axes,
    windows: e.windows,
    totalWindows: e.totalWindows,
    warnings: [...e.explanation.warnings, ...e.warnings],
    ...(e.ranAs !== undefined && { ranAs: e.ranAs }),
  };
}

export interface Comparison {
  readonly dialect: DialectName;
  readonly explained?: Explained;
  readonly error?: string;
}

/** The same numbers in every dialect: how the output sizes, divisors and warnings differ. */
export function compareDialects(sizes: readonly number[], request: PoolRequest): Comparison[] {
  const comparisons: Comparison[] = DIALECTS.map((dialect) => {
    try {
      return { dialect, explained: explainRequest(sizes, { ...request, dialect }) };
    } catch (error) {
      return { dialect, error: describeFailure(error).message };
    }
  });
  const names = comparisons
    .find((c) => c.explained?.explanation.axes.length === sizes.length)
    ?.explained!.explanation.axes.map((axis) => axis.name);
  if (names === undefined) return comparisons;
  return comparisons.map((c) => (c.explained ? { ...c, explained: onGivenAxes(c.explained, names) } : c));
}

const AXIS_PREFIX = /^axis (\S+): /;

/**
 * An explanation on the axes the user gave, named as the library names a plan of that rank. TF.js
 * has no 1-D pooling, so a 1-D request runs there on an H x 1 map: its plan has a trailing axis of
 * size 1, and the library calls the user's axis H where every other dialect's 1-D plan calls it W.
 * Side by side, every row must name an axis alike, so the extra axes go and the rest are renamed,
 * in the warnings too (the library's and the CLI's begin with "axis <name>: ").
 */
function onGivenAxes(e: Explained, names: readonly string[]): Explained {
  const axes = e.explanation.axes;
  const rank = names.length;
  if (axes.length <= rank || axes.slice(rank).some((axis) => axis.size !== 1 || axis.out !== 1)) return e;
  const renamed = new Map<string, string | undefined>(axes.map((axis, a) => [axis.name, names[a]]));
  const rename = (warnings: readonly string[]) =>
    warnings.flatMap((warning) => {
      const name = AXIS_PREFIX.exec(warning)?.[1];
      if (name === undefined || !renamed.has(name)) return [warning];
      const to = renamed.get(name);
      return to === undefined ? [] : [warning.replace(AXIS_PREFIX, `axis ${to}: `)];
    });
  return {
    ...e,
    explanation: {
      ...e.explanation,
      axes: axes.slice(0, rank).map((axis, a) => ({ ...axis, name: names[a]! })),
      warnings: rename(e.explanation.warnings),
    },
    windows: e.windows.map((w) => ({ ...w, outputIndex: w.outputIndex.slice(0, rank), taps: w.taps.slice(0, rank) })),
    warnings: rename(e.warnings),
    ranAs: `${axes.map((axis) => axis.size).join('x')} map (axes ${axes.map((axis) => axis.name).join(', ')}); ${axes
      .slice(0, rank)
      .map((axis, a) => `its axis ${axis.name} is axis ${names[a]} here`)
      .join(', ')}`,
  };
}

export function renderComparison(comparisons: readonly Comparison[]): string {
  const lines: string[] = [];
  const rows: string[][] = [['dialect', 'op', 'output', 'divisors', 'warnings']];
  for (const c of comparisons) {
    if (!c.explained) {
      rows.push([c.dialect, '-', 'not expressible', '-', c.error ?? '']);
      continue;
    }
    const e = c.explained;
    const divisors = e.windows.slice(0, 12).map((w) => (w.divisor === null ? '-' : `${w.divisor}`));
    const warnings = [...e.explanation.warnings, ...e.warnings];
    rows.push([
      c.dialect,
      e.op,
      e.explanation.axes.map((axis) => axis.out).join('x'),
      divisors.join(' ') + (e.windows.length > 12 ? ' ...' : ''),
      warnings.length === 0 ? '-' : warnings.join('; '),
    ]);
  }
  lines.push(...table(rows));
  for (const c of comparisons) {
    if (!c.explained) continue;
    lines.push('', `${c.dialect}:`);
    if (c.explained.ranAs) lines.push(`  ran on a ${c.explained.ranAs}`);
    lines.push(...c.explained.explanation.axes.map((axis) => `  axis ${axis.name}: ${axis.formula}`));
    lines.push(`  reduction: ${c.explained.explanation.reducer}`);
  }
  return `${lines.join('\n')}\n`;
}
