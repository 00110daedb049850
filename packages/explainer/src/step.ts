/**
 * "Average pooling, step by step": an editable map, its pooled output in the chosen ecosystem,
 * each output's window (padding drawn as padding) with its sum, divisor and the reason, and the
 * four ecosystems side by side. Windows, divisors and formulas come from the library's plan
 * (explainPlan / explainWindow); values from the ecosystem's call.
 */
import { explainPlan, explainWindow, PoolingError, type PlanExplanation, type PoolPlan } from 'tensor-pooling';
import {
  controlsOf,
  countIncludePadDefault,
  DIALECTS,
  NotExpressible,
  OPS,
  runDialect,
  type Control,
  type DialectName,
  type DialectRun,
  type Grid,
  type OpKind,
  type Settings,
} from './dialects.js';
import { byId, el, milliseconds, parseParam, short } from './format.js';

const CONTROL_IDS: readonly Control[] = ['kernel', 'stride', 'padding', 'dilation', 'ceilMode', 'countIncludePad', 'divisorOverride', 'p', 'outputSize'];
const DEFAULT_VALUES = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7, 9, 5, 0, 2, 8, 8];

interface StepState {
  grid: Grid;
  run: DialectRun | undefined;
  explanation: PlanExplanation | undefined;
  /** The structure the input grid was last drawn for, so typing a number keeps the focus. */
  drawnFor: string;
  onRun: (backend: string | undefined) => void;
}

function input(id: string): HTMLInputElement {
  return byId<HTMLInputElement>(id);
}

function makeGrid(height: number, width: number, previous: Grid | undefined): Grid {
  const values = new Float64Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const old = previous && r < previous.height && c < previous.width ? previous.values[r * previous.width + c] : undefined;
      values[r * width + c] = old ?? DEFAULT_VALUES[(r * width + c) % DEFAULT_VALUES.length]!;
    }
  }
  return { height, width, values };
}

const MAX_SIDE = 12;

/** The grid's side from its control, kept within 1..12; a note says when a typed value was changed. */
function clampSize(id: string): number {
  const typed = Math.round(Number(input(id).value));
  const value = Number.isFinite(typed) ? Math.min(MAX_SIDE, Math.max(1, typed)) : 1;
  const notes = ['height', 'width'].flatMap((name) => {
    const raw = input(name).value;
    const n = Math.round(Number(raw));
    const kept = Number.isFinite(n) ? Math.min(MAX_SIDE, Math.max(1, n)) : 1;
    return raw.trim() !== '' && n !== kept ? [`${name === 'height' ? 'Height' : 'Width'} ${raw} is outside 1 to ${MAX_SIDE}, the sizes this grid shows: using ${kept}.`] : [];
  });
  const note = byId('size-note');
  note.textContent = notes.join(' ');
  note.hidden = notes.length === 0;
  return value;
}

function currentDialect(): DialectName {
  return byId<HTMLSelectElement>('dialect').value as DialectName;
}

function currentOp(): OpKind {
  return byId<HTMLSelectElement>('op').value as OpKind;
}

/** The form's values, with controls the ecosystem lacks left at their defaults. */
function readSettings(dialect: DialectName, op: OpKind): Settings {
  const enabled = controlsOf(dialect, op);
  const on = (c: Control) => enabled.get(c) === null;
  const number = (id: string) => parseParam(input(id).value);
  const divisor = number('divisorOverride');
  const p = number('p');
  return {
    op,
    kernel: number('kernel') ?? '',
    stride: on('stride') ? number('stride') : undefined,
    padding: on('padding') ? (number('padding') ?? 0) : 0,
    dilation: on('dilation') ? number('dilation') : undefined,
    ceilMode: on('ceilMode') && input('ceilMode').checked,
    countIncludePad: on('countIncludePad') ? input('countIncludePad').checked : countIncludePadDefault(dialect),
    divisorOverride: on('divisorOverride') && divisor !== undefined ? (divisor as number) : undefined,
    p: on('p') && p !== undefined ? (p as number) : 2,
    outputSize: number('outputSize') ?? '',
  };
}

function updateControls(dialect: DialectName, op: OpKind): void {
  const states = controlsOf(dialect, op);
  const notes: string[] = [];
  for (const id of CONTROL_IDS) {
    const reason = states.get(id) ?? null;
    const control = input(id);
    control.disabled = reason !== null;
    const label = control.closest('label')!;
    label.classList.toggle('disabled', reason !== null);
    label.title = reason ?? '';
    if (reason !== null && reason !== 'not used by this op') notes.push(reason);
  }
  byId('dialect-notes').textContent = notes.length ? `In this ecosystem: ${[...new Set(notes)].join('; ')}.` : '';
}

function axisExtent(explanation: PlanExplanation | undefined, plan: PoolPlan | undefined, axis: number, size: number): [number, number] {
  let lo = 0;
  let hi = size - 1;
  const planAxis = plan?.axes[axis];
  if (planAxis?.kind === 'sliding') {
    lo = -planAxis.padBegin;
    hi = size + planAxis.padEnd - 1;
  }
  for (const w of explanation?.axes[axis]?.windows ?? []) {
    for (const t of w.taps) {
      lo = Math.min(lo, t.position);
      hi = Math.max(hi, t.position);
    }
  }
  return [lo, hi];
}

function drawInput(state: StepState, rerun: () => void): void {
  const { grid, run, explanation } = state;
  const [rowLo, rowHi] = axisExtent(explanation, run?.plan, 0, grid.height);
  const [colLo, colHi] = axisExtent(explanation, run?.plan, 1, grid.width);
  const plan = run?.plan;
  const key = `${grid.height}x${grid.width}:${rowLo}..${rowHi}:${colLo}..${colHi}`;
  if (key === state.drawnFor) return;
  state.drawnFor = key;
  const container = byId('input-grid');
  container.replaceChildren();
  container.style.setProperty('--columns', `${colHi - colLo + 1}`);
  const padded = (axis: number, position: number, size: number) => {
    const a = plan?.axes[axis];
    return a?.kind === 'sliding' && position >= -a.padBegin && position < size + a.padEnd;
  };
  for (let r = rowLo; r <= rowHi; r++) {
    for (let c = colLo; c <= colHi; c++) {
      const inside = r >= 0 && r < grid.height && c >= 0 && c < grid.width;
      const attributes = { 'data-r': `${r}`, 'data-c': `${c}` };
      if (inside) {
        const cell = el('input', {
          ...attributes,
          class: 'cell value',
          type: 'number',
          step: 'any',
          value: `${grid.values[r * grid.width + c]}`,
          'aria-label': `input row ${r + 1} column ${c + 1}`,
        });
        cell.addEventListener('input', () => {
          const value = Number(cell.value);
          if (cell.value.trim() !== '' && Number.isFinite(value)) {
            grid.values[r * grid.width + c] = value;
            rerun();
          }
        });
        container.append(cell);
      } else {
        const kind = padded(0, r, grid.height) && padded(1, c, grid.width) ? 'pad' : 'overhang';
        container.append(el('div', { ...attributes, class: `cell ${kind}`, 'aria-hidden': 'true', title: kind === 'pad' ? 'padding' : 'past the padding' }));
      }
    }
  }
  byId('input-shape').textContent = `${grid.height} × ${grid.width}`;
}

function clearHighlight(): void {
  for (const node of document.querySelectorAll('.in-window, .active')) node.classList.remove('in-window', 'active');
}

/**
 * On a narrow screen the window may lie outside the view: bring its last cell in, then its first,
 * so a window that fits the screen ends wholly on it; a window already in view does not move.
 */
function revealWindow(): void {
  const cells = [...byId('input-grid').querySelectorAll<HTMLElement>('.in-window')];
  for (const cell of [cells.at(-1), cells[0]]) {
    if (!cell) continue;
    const rect = cell.getBoundingClientRect();
    const inView = rect.top >= 0 && rect.left >= 0 && rect.bottom <= window.innerHeight && rect.right <= window.innerWidth;
    if (!inView) cell.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }
}

function explainCell(state: StepState, row: number, col: number, target: HTMLElement): void {
  const { run, grid } = state;
  clearHighlight();
  const box = byId('window-explanation');
  if (!run?.plan) {
    box.textContent = run?.note ?? '';
    return;
  }
  target.classList.add('active');
  const window = explainWindow(run.plan, [row, col]);
  const [rowTaps, colTaps] = window.taps as [typeof window.taps[0], typeof window.taps[0]];
  byId('output-grid').dataset['current'] = `${row},${col}`;
  const container = byId('input-grid');
  const values: number[] = [];
  for (const r of rowTaps) {
    for (const c of colTaps) {
      container.querySelector(`[data-r="${r.position}"][data-c="${c.position}"]`)?.classList.add('in-window');
      if (r.kind === 'input' && c.kind === 'input') values.push(grid.values[r.position * grid.width + c.position]!);
    }
  }
  const output = run.output.values[row * run.output.width + col]!;
  const reducer = run.plan.reducer;
  const list = values.map(short).join(' + ') || 'nothing';
  const span = (taps: readonly { position: number }[]) =>
    taps.length === 0 ? 'none' : `${taps[0]!.position} … ${taps[taps.length - 1]!.position}`;
  let arithmetic: string;
  if (reducer.op === 'avg') {
    const sum = values.reduce((s, v) => s + v, 0);
    arithmetic = `sum = ${list} = ${short(sum)}; divisor = ${window.divisor}; ${short(sum)} ÷ ${window.divisor} = ${short(output)}`;
  } else if (reducer.op === 'max') {
    arithmetic = `max(${values.map(short).join(', ')}) = ${short(output)}`;
  } else {
    arithmetic = `(${values.map((v) => `|${short(v)}|^${reducer.p}`).join(' + ')})^(1/${reducer.p}) = ${short(output)}`;
  }
  box.replaceChildren(
    el('p', {}, el('strong', {}, `Output row ${row + 1}, column ${col + 1} = ${short(output)}`)),
    ...(reducer.op === 'avg' && window.divisor !== values.length
      ? [el('p', { class: 'warning' }, `Divided by ${window.divisor}, though only ${values.length} number${values.length === 1 ? '' : 's'} of the input ${values.length === 1 ? 'is' : 'are'} in the window: ${window.reason}.`)]
      : []),
    el('p', {}, `Window: input rows ${span(rowTaps)}, columns ${span(colTaps)}, counted from 0 (below 0 or past the input is padding).`),
    el('p', {}, arithmetic),
    el('p', { class: 'why' }, `Why: ${window.reason}.`),
  );
}

function drawOutput(state: StepState): void {
  const container = byId('output-grid');
  container.replaceChildren();
  const run = state.run;
  if (!run) {
    byId('output-shape').textContent = '';
    return;
  }
  const { height, width, values } = run.output;
  container.style.setProperty('--columns', `${width}`);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const value = values[r * width + c]!;
      const cell = el(
        'button',
        {
          type: 'button',
          class: 'cell out',
          'data-row': `${r}`,
          'data-col': `${c}`,
          'data-value': `${value}`,
          'aria-label': `output row ${r + 1} column ${c + 1}: ${short(value)}`,
        },
        short(value),
      );
      // At a glance: which averages divide by more numbers than their window holds (padding counted).
      if (run.plan?.reducer.op === 'avg') {
        const window = explainWindow(run.plan, [r, c]);
        const inside = window.taps.reduce((product, taps) => product * taps.filter((t) => t.kind === 'input').length, 1);
        if (window.divisor !== inside) {
          cell.classList.add('padded-divisor');
          cell.append(el('span', { class: 'divisor', 'aria-hidden': 'true' }, `÷${window.divisor}`));
          // The visible text (value and badge) stays the start of the name, as speech input expects.
          cell.setAttribute('aria-label', `${cell.getAttribute('aria-label')}÷${window.divisor}: divided by ${window.divisor} though ${inside} input numbers are in its window`);
        }
      }
      const show = () => {
        explainCell(state, r, c, cell);
        revealWindow();
      };
      cell.addEventListener('mouseenter', show);
      cell.addEventListener('focus', show);
      cell.addEventListener('click', show);
      container.append(cell);
    }
  }
  byId('output-shape').textContent = `${height} × ${width}`;
}

/**
 * Axis formulas, one line for axes whose formula reads the same. The library notes when padding
 * equals what 'same' would choose; unless 'same' was chosen, that note says it is a coincidence.
 */
export function axisLines(explanation: PlanExplanation, paddingText = input('padding').value): string[] {
  const chosenSame = /^\s*same/i.test(paddingText);
  const byFormula = new Map<string, string[]>();
  for (const axis of explanation.axes) {
    const formula = chosenSame ? axis.formula : axis.formula.replace("'same' padding: out", "this padding happens to equal what 'same' padding would choose: out");
    byFormula.set(formula, [...(byFormula.get(formula) ?? []), axis.name]);
  }
  return [...byFormula].map(([formula, names]) => `${names.join(' and ')}: ${formula}`);
}

const EXPLANATION_PROMPT = 'Hover, tap or focus an output cell (Tab, then the arrow keys) to see its window, its sum and its divisor.';

function drawPlan(state: StepState): void {
  const box = byId('plan-explanation');
  const explanation = state.explanation;
  if (!explanation) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(
    el('p', {}, el('strong', {}, 'Output size: '), `${explanation.op}, input ${explanation.inputShape.join('×')} → output ${explanation.outputShape.join('×')}`),
    el('ul', {}, ...axisLines(explanation).map((line) => el('li', {}, line))),
    el('p', {}, el('strong', {}, 'Each window: '), explanation.reducer),
    ...explanation.warnings.map((w) => el('p', { class: 'warning' }, `⚠ ${w}`)),
  );
}

function describeError(error: unknown): string {
  if (error instanceof PoolingError) return `${error.message} [${error.code}]`;
  if (error instanceof NotExpressible) return `Not possible in this ecosystem: ${error.message}.`;
  throw error;
}

/** Runs one ecosystem, or tells why it cannot. */
function attempt(dialect: DialectName, settings: Settings, grid: Grid): { run?: DialectRun; error?: string } {
  try {
    return { run: runDialect(dialect, settings, grid) };
  } catch (error) {
    return { error: describeError(error) };
  }
}

function compare(state: StepState): void {
  const op = currentOp();
  const rows = DIALECTS.filter((d) => d.name !== 'native').map((d) => {
    const settings = { ...readSettings(d.name, op), countIncludePad: countIncludePadDefault(d.name), divisorOverride: undefined };
    return { ...d, ...attempt(d.name, settings, state.grid) };
  });
  const table = el(
    'table',
    { class: 'compare' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Ecosystem'), el('th', { scope: 'col' }, 'Call'), el('th', { scope: 'col' }, 'Output'), el('th', { scope: 'col' }, 'Rules applied'))),
    el(
      'tbody',
      {},
      ...rows.map((row) => {
        const explanation = row.run?.plan ? explainPlan(row.run.plan) : undefined;
        const output = row.run
          ? el('div', { class: 'mini', style: `--columns: ${row.run.output.width}` }, ...Array.from(row.run.output.values, (v) => el('span', {}, short(v))))
          : el('p', { class: 'error' }, row.error ?? '');
        return el(
          'tr',
          { 'data-dialect': row.name },
          el('th', { scope: 'row' }, row.label),
          el('td', {}, el('code', {}, row.run?.call ?? '—')),
          el('td', {}, row.run ? `${row.run.output.height} × ${row.run.output.width}` : '', output),
          el('td', {}, explanation ? el('ul', {}, ...axisLines(explanation).map((line) => el('li', {}, line)), el('li', {}, explanation.reducer)) : row.run?.note ?? ''),
        );
      }),
    ),
  );
  byId('compare-view').replaceChildren(el('div', { class: 'table-scroll' }, table), differences(rows));
}

/** The ecosystems' labels grouped by what `key` says about each. */
function groupBy<R extends { label: string }>(rows: readonly R[], key: (row: R) => string): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row.label]);
  return [...groups];
}

/** Where the ecosystems' results differ, and which part of their plans makes them differ. */
function differences(rows: { label: string; run?: DialectRun }[]): HTMLElement {
  const ran = rows.filter((r): r is { label: string; run: DialectRun } => r.run !== undefined);
  const items: string[] = [];
  const shapes = new Set(ran.map((r) => `${r.run.output.height}×${r.run.output.width}`));
  const planned = ran.filter((r) => r.run.plan !== undefined);
  if (shapes.size > 1) items.push(`Output shapes differ: ${ran.map((r) => `${r.label} ${r.run.output.height}×${r.run.output.width}`).join(', ')}.`);
  const sameOnBothAxes = planned.every((r) => new Set(explainPlan(r.run.plan!).axes.map((a) => a.formula)).size === 1);
  for (const axis of sameOnBothAxes ? [0] : [0, 1]) {
    const name = sameOnBothAxes ? 'H and W' : axis === 0 ? 'H' : 'W';
    const of = (r: (typeof planned)[number]) => r.run.plan!.axes[axis]!;
    const key = (r: (typeof planned)[number]) => {
      const a = of(r);
      return a.kind === 'sliding' ? `stride ${a.stride}, padding ${a.padBegin}+${a.padEnd}` : 'adaptive';
    };
    if (new Set(planned.map(key)).size > 1) items.push(`Axis ${name} geometry: ${planned.map((r) => `${r.label} ${key(r)}`).join('; ')}.`);
    if (new Set(planned.map((r) => of(r).out)).size > 1) {
      const formulas = groupBy(planned, (r) => explainPlan(r.run.plan!).axes[axis]!.formula);
      items.push(`Axis ${name} output size: ${formulas.map(([formula, labels]) => `${labels.join(', ')}: ${formula}`).join(' | ')}`);
    }
  }
  const reducers = groupBy(planned, (r) => explainPlan(r.run.plan!).reducer);
  if (reducers.length > 1) items.push(`Reduction: ${reducers.map(([text, labels]) => `${labels.join(', ')}: ${text}`).join(' | ')}`);
  if (shapes.size === 1 && ran.length > 1) {
    const first = ran[0]!.run.output.values;
    const same = (a: number, b: number) => Object.is(a, b) || a === b;
    const differing = ran.filter((r) => r.run.output.values.some((v, i) => !same(v, first[i]!)));
    if (differing.length > 0) {
      const cells = Array.from(first.keys()).filter((i) => ran.some((r) => !same(r.run.output.values[i]!, first[i]!)));
      items.push(`Values differ in ${cells.length} of ${first.length} cells (first at index ${cells[0]}): ${ran.map((r) => `${r.label} ${short(r.run.output.values[cells[0]!]!)}`).join(', ')}.`);
    }
  }
  if (items.length === 0 && ran.length > 1) items.push(`${ran.map((r) => r.label).join(', ')} agree on shape and values here.`);
  return el('div', { class: 'differences', 'aria-live': 'polite' }, el('h4', {}, 'Where they differ, and why'), el('ul', {}, ...items.map((t) => el('li', {}, t))));
}

function update(state: StepState): void {
  const dialect = currentDialect();
  const op = currentOp();
  updateControls(dialect, op);
  const errorBox = byId('step-error');
  const outcome = attempt(dialect, readSettings(dialect, op), state.grid);
  state.run = outcome.run;
  state.explanation = outcome.run?.plan ? explainPlan(outcome.run.plan) : undefined;
  errorBox.hidden = outcome.error === undefined;
  errorBox.textContent = outcome.error ?? '';
  drawInput(state, () => update(state));
  drawOutput(state);
  drawPlan(state);
  stopPlaying();
  delete byId('output-grid').dataset['current'];
  clearHighlight();
  byId('window-explanation').replaceChildren(el('p', { class: 'why' }, state.run?.plan ? EXPLANATION_PROMPT : state.run?.note ?? ''));
  const run = state.run;
  byId('step-status').textContent = run
    ? `${run.call} — ${run.backend ? `backend ${run.backend}, ${milliseconds(run.milliseconds)}` : run.note ?? ''}`
    : '';
  state.onRun(run?.backend);
  compare(state);
}

let playing: ReturnType<typeof setInterval> | undefined;
const PLAY_INTERVAL_MS = 600;

function outputCells(): HTMLElement[] {
  return [...byId('output-grid').querySelectorAll<HTMLElement>('.cell.out')];
}

function stopPlaying(): void {
  if (playing !== undefined) clearInterval(playing);
  playing = undefined;
  const button = byId('window-play');
  button.textContent = 'Play';
  button.setAttribute('aria-pressed', 'false');
}

/** Moves the window to the next output cell in reading order; false after the last one. */
function stepWindow(state: StepState): boolean {
  const cells = outputCells();
  const current = byId('output-grid').dataset['current'];
  const index = cells.findIndex((c) => `${c.dataset['row']},${c.dataset['col']}` === current);
  const next = cells[index + 1 < cells.length ? index + 1 : 0];
  if (!next) return false;
  explainCell(state, Number(next.dataset['row']), Number(next.dataset['col']), next);
  revealWindow();
  return index + 2 < cells.length;
}

function togglePlay(state: StepState): void {
  if (playing !== undefined) return stopPlaying();
  const grid = byId('output-grid');
  const last = outputCells().at(-1);
  // A window resting on the last cell plays again from the first.
  if (last && grid.dataset['current'] === `${last.dataset['row']},${last.dataset['col']}`) delete grid.dataset['current'];
  const button = byId('window-play');
  button.textContent = 'Pause';
  button.setAttribute('aria-pressed', 'true');
  if (!stepWindow(state)) return stopPlaying();
  playing = setInterval(() => {
    if (!stepWindow(state)) stopPlaying();
  }, PLAY_INTERVAL_MS);
}

const ARROWS: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** Arrow keys move between output cells, as in a spreadsheet. */
function moveFocus(event: KeyboardEvent): void {
  const step = ARROWS[event.key];
  const cell = (event.target as HTMLElement).closest<HTMLElement>('.cell.out');
  if (!step || !cell) return;
  const row = Number(cell.dataset['row']) + step[0];
  const col = Number(cell.dataset['col']) + step[1];
  const next = byId('output-grid').querySelector<HTMLElement>(`[data-row="${row}"][data-col="${col}"]`);
  if (next) {
    event.preventDefault();
    next.focus();
  }
}

export function setUpStepByStep(onRun: (backend: string | undefined) => void): void {
  const dialectSelect = byId<HTMLSelectElement>('dialect');
  dialectSelect.append(...DIALECTS.map((d) => el('option', { value: d.name }, d.label)));
  dialectSelect.value = 'torch';
  const opSelect = byId<HTMLSelectElement>('op');
  opSelect.append(...OPS.map((o) => el('option', { value: o.kind }, o.label)));
  const state: StepState = { grid: makeGrid(clampSize('height'), clampSize('width'), undefined), run: undefined, explanation: undefined, drawnFor: '', onRun };
  const form = byId<HTMLFormElement>('step-controls');
  form.addEventListener('submit', (event) => event.preventDefault());
  dialectSelect.addEventListener('change', () => {
    // A preset brings its ecosystem's defaults.
    input('countIncludePad').checked = countIncludePadDefault(currentDialect());
    update(state);
  });
  form.addEventListener('input', (event) => {
    const target = event.target as HTMLElement;
    if (target.id === 'height' || target.id === 'width') state.grid = makeGrid(clampSize('height'), clampSize('width'), state.grid);
    if (target.id !== 'dialect') update(state);
  });
  byId('randomize').addEventListener('click', () => {
    state.grid = { ...state.grid, values: Float64Array.from(state.grid.values, () => Math.floor(Math.random() * 10)) };
    state.drawnFor = '';
    update(state);
  });
  byId('output-grid').addEventListener('mouseleave', () => {
    if (playing === undefined) clearHighlight();
  });
  // The highlight belongs to the focused cell: it goes when the focus leaves the output.
  byId('output-grid').addEventListener('focusout', (event) => {
    if (!byId('output-grid').contains(event.relatedTarget as Node | null) && playing === undefined) {
      clearHighlight();
      delete byId('output-grid').dataset['current'];
      byId('window-explanation').replaceChildren(el('p', { class: 'why' }, state.run?.plan ? EXPLANATION_PROMPT : state.run?.note ?? ''));
    }
  });
  byId('window-play').addEventListener('click', () => togglePlay(state));
  byId('window-step').addEventListener('click', () => {
    stopPlaying();
    stepWindow(state);
  });
  byId('jump-output').addEventListener('click', (event) => {
    event.preventDefault();
    outputCells()[0]?.focus();
  });
  byId('output-grid').addEventListener('keydown', moveFocus);
  update(state);
}
