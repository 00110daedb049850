/** docs/benchmarks.md and its chart, from the results of one run. */
import type { BenchResults, CaseResult, Contest, ContenderResult } from './results.js';

const MEMORY_BOUND = ['A', 'B', 'F', 'G', 'I'];

function timed(c: CaseResult, label: string): ContenderResult | undefined {
  const found = c.contenders.find((k) => k.label === label);
  return found?.medianMs === undefined ? undefined : found;
}

/** The fastest peer of a contest that uses at most `threads` threads. */
export function bestPeer(c: CaseResult, threads: number, contest: Contest = 'host'): ContenderResult | undefined {
  return c.contenders
    .filter((k) => k.kind === 'peer' && k.contest === contest && k.medianMs !== undefined && k.threads <= threads)
    .sort((a, b) => a.medianMs! - b.medianMs!)[0];
}

export function oursAuto(c: CaseResult, threads: number): ContenderResult | undefined {
  return timed(c, `ours auto ${threads}t`);
}

/** Ours with tensors resident in wasm memory (`poolInto` on WasmTensors). */
export function oursResident(c: CaseResult, threads: number): ContenderResult | undefined {
  return timed(c, `ours wasm zero-copy ${threads}t`);
}

function ms(value: number | undefined): string {
  if (value === undefined) return '—';
  if (value < 0.01) return `${(value * 1000).toFixed(1)} µs`;
  return value < 1 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(0);
}

function ratio(peer: ContenderResult | undefined, ours: ContenderResult | undefined): number | undefined {
  return peer && ours ? peer.medianMs! / ours.medianMs! : undefined;
}

function times(value: number | undefined): string {
  return value === undefined ? '—' : `${value >= 10 ? value.toFixed(0) : value.toFixed(2)}x`;
}

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? '—' : `${(bytes / 1e6).toFixed(bytes < 1e6 ? 3 : 1)} MB`;
}

function gbs(c: CaseResult, k: ContenderResult | undefined): number | undefined {
  return k ? (c.inBytes + c.outBytes) / k.medianMs! / 1e6 : undefined;
}

function roofRead(results: BenchResults, threads: number): number {
  return results.roof.find((r) => r.threads === threads)?.readGBs ?? NaN;
}

function shape(values: readonly number[]): string {
  return values.join('x');
}

interface Target {
  readonly text: string;
  readonly met: boolean | undefined;
  readonly detail: string;
}

function targets(results: BenchResults): Target[] {
  const list: Target[] = [];
  const byId = (id: string) => results.cases.find((c) => c.id === id);
  const everyCase = (text: string, ours: (c: CaseResult) => ContenderResult | undefined, peer: (c: CaseResult) => ContenderResult | undefined) => {
    const known = results.cases.map((c) => ({ id: c.id, r: ratio(peer(c), ours(c)) })).filter((x) => x.r !== undefined);
    list.push({
      text: `every case at least 1.5x faster than the fastest peer, ${text}`,
      met: known.length ? known.every((x) => x.r! >= 1.5) : undefined,
      detail: known.map((x) => `${x.id} ${times(x.r)}`).join(', '),
    });
  };
  everyCase('host arrays, 1 thread', (c) => oursAuto(c, 1), (c) => bestPeer(c, 1));
  everyCase('host arrays, 2 threads', (c) => oursAuto(c, 2), (c) => bestPeer(c, 2));
  everyCase('resident tensors, 1 thread', (c) => oursResident(c, 1), (c) => bestPeer(c, 1, 'resident'));
  everyCase('resident tensors, 2 threads', (c) => oursResident(c, 2), (c) => bestPeer(c, 2, 'resident'));
  for (const [id, goal] of [['E', 20], ['D', 5]] as const) {
    const c = byId(id);
    const r = c ? ratio(timed(c, 'onnxruntime 1t'), oursAuto(c, 1)) : undefined;
    list.push({ text: `${id} at least ${goal}x faster than onnxruntime (1 thread)`, met: r === undefined ? undefined : r >= goal, detail: times(r) });
  }
  const fractions = MEMORY_BOUND.map((id) => byId(id)).filter((c): c is CaseResult => c !== undefined)
    .map((c) => ({ id: c.id, f: (gbs(c, oursAuto(c, 2)) ?? NaN) / roofRead(results, 2) }));
  list.push({
    text: 'memory-bound cases (A, B, F, G, I) at 50% or more of the read roof with 2 threads (host arrays)',
    met: fractions.length ? fractions.every((x) => x.f >= 0.5) : undefined,
    detail: fractions.map((x) => `${x.id} ${(x.f * 100).toFixed(0)}%`).join(', '),
  });
  const residentFractions = MEMORY_BOUND.map((id) => byId(id)).filter((c): c is CaseResult => c !== undefined)
    .map((c) => ({ id: c.id, f: (gbs(c, oursResident(c, 2)) ?? NaN) / roofRead(results, 2) }));
  list.push({
    text: 'memory-bound cases at 50% or more of the read roof with 2 threads (resident tensors)',
    met: residentFractions.length ? residentFractions.every((x) => x.f >= 0.5) : undefined,
    detail: residentFractions.map((x) => `${x.id} ${(x.f * 100).toFixed(0)}%`).join(', '),
  });
  const h = byId('H');
  for (const [text, k] of [['host arrays', h && oursAuto(h, 1)], ['resident tensors', h && oursResident(h, 1)]] as const) {
    const hMs = k?.medianMs;
    list.push({
      text: `H under 5 µs per call, ${text}`,
      met: hMs === undefined ? undefined : hMs < 0.005,
      detail: hMs === undefined ? '—' : `${(hMs * 1000).toFixed(1)} µs`,
    });
  }
  const ours = results.accuracy.rows.filter((row) => row.label.startsWith('ours'));
  const worst = Math.max(...ours.map((row) => row.float32Ulps));
  list.push({ text: 'accuracy probe within 1 ulp of the exact mean', met: ours.length ? worst <= 1 : undefined, detail: `worst of ours ${worst.toFixed(2)} ulp` });
  return list;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A summary row's cells for one contest: best peer and ours at 1 and at <= 2 threads, ratios, GB/s, roof. */
function contestCells(results: BenchResults, c: CaseResult, contest: Contest, o1: ContenderResult | undefined, o2: ContenderResult | undefined): string[] {
  const p1 = bestPeer(c, 1, contest), p2 = bestPeer(c, 2, contest);
  const rate = gbs(c, o2);
  return [
    p1 ? `${ms(p1.medianMs)} (${p1.label})` : '—',
    ms(o1?.medianMs),
    times(ratio(p1, o1)),
    p2 ? `${ms(p2.medianMs)} (${p2.label})` : '—',
    ms(o2?.medianMs),
    times(ratio(p2, o2)),
    rate === undefined ? '—' : rate.toFixed(1),
    rate === undefined ? '—' : `${((rate / roofRead(results, 2)) * 100).toFixed(0)}%`,
  ];
}

export function renderMarkdown(results: BenchResults, chartFile: string): string {
  const m = results.machine;
  const out: string[] = [];
  out.push('# Benchmarks');
  out.push('');
  out.push(`Generated by \`${results.command}\` on ${results.date.slice(0, 10)} in ${results.seconds.toFixed(0)} s.` +
    (results.quick ? ' **Quick run: tiny shapes, a harness check, not a measurement.**' : ''));
  out.push('');
  out.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average at the end ` +
    `${m.loadAverage.map((v) => v.toFixed(2)).join(' / ')}. Backends of ours: ${results.backends.join(', ')}.`);
  out.push('');
  out.push('Medians of repeated runs after a warm-up; the machine may be shared, so compare numbers of one run ' +
    'side by side (the ratios), not across runs. Two contests: **host arrays** (input and output are ordinary typed ' +
    'arrays; every contender copies its output out to a new array, as onnxruntime\'s `session.run` and TF.js\'s ' +
    '`dataSync()` do; "ours" is the public op with the default backend choice, `auto`) and **resident tensors** ' +
    '(tensors stay in each library\'s own memory: ours `WasmTensor`s pooled by `poolInto` into a preallocated ' +
    'output, onnxruntime with a preallocated output, TF.js wasm with the result left in the backend). Times are ' +
    'taken under the C library\'s default allocator settings; peak memory in a separate process that maps every ' +
    'block over 128 KiB afresh (`MALLOC_MMAP_THRESHOLD_=131072`), so that allocations show in the resident set.');
  out.push('');
  out.push('## Summary: host arrays');
  out.push('');
  out.push(table(
    ['case', 'input', 'best peer, 1 thread', 'ours, 1 thread', 'speed-up', 'best peer, ≤ 2 threads', 'ours, 2 threads', 'speed-up', 'ours 2t GB/s', 'of read roof', 'extra memory, ours 1t: resident + wasm scratch'],
    results.cases.map((c) => {
      const o1 = oursAuto(c, 1);
      return [
        `${c.id}: ${c.title}`,
        shape(c.shape),
        ...contestCells(results, c, 'host', o1, oursAuto(c, 2)),
        `${megabytes(o1?.peakExtraBytes)} + ${megabytes(o1?.wasmScratchBytes)} (output ${megabytes(c.outBytes)})`,
      ];
    }),
  ));
  out.push('');
  const batched = results.cases.filter((c) => (c.callsPerRun ?? 1) > 1);
  out.push('Times in ms. Speed-up: the best peer\'s median over ours. GB/s: input plus output bytes over the ' +
    'median time. Extra memory: the resident-set peak of one call over the resident set before it (it includes ' +
    'the output), plus the wasm heap\'s peak of scratch blocks, which live in pages resident from earlier calls; ' +
    'a copy of the input would show as the input\'s size.' +
    batched.map((c) => ` ${c.id}: every contender's time per call over runs of ${c.callsPerRun} calls in a row (one call alone measures the timer).`).join(''));
  out.push('');
  out.push('## Summary: resident tensors');
  out.push('');
  out.push(table(
    ['case', 'best peer, 1 thread', 'ours, 1 thread', 'speed-up', 'best peer, ≤ 2 threads', 'ours, 2 threads', 'speed-up', 'ours 2t GB/s', 'of read roof'],
    results.cases.map((c) => {
      return [`${c.id}: ${c.title}`, ...contestCells(results, c, 'resident', oursResident(c, 1), oursResident(c, 2))];
    }),
  ));
  out.push('');
  out.push('With 2 threads our resident path splits in place: WasmTensors live in a shared WebAssembly memory that ' +
    'the workers join, so no part is copied in or out.');
  out.push('');
  out.push(`![time relative to the fastest peer](${chartFile})`);
  out.push('');
  out.push('## Targets of issue 3 in this run');
  out.push('');
  for (const t of targets(results)) out.push(`- ${t.met === undefined ? 'not measured' : t.met ? 'met' : '**not met**'}: ${t.text} (${t.detail})`);
  out.push('');
  out.push('## Threads: two threads over one, per backend');
  out.push('');
  const threaded = [...results.backends.filter((b) => b !== 'reference'), 'auto'];
  out.push(table(['case', ...threaded.map((b) => `${b}: 2 threads over 1`)], results.cases.map((c) => [
    c.id,
    ...threaded.map((b) => times(ratio(timed(c, `ours ${b} 1t`), timed(c, `ours ${b} 2t`)))),
  ])));
  out.push('');
  out.push('`threads: 2` runs one part of the planes (or samples, or output rows) on the calling thread and one on a ' +
    'worker, each through the single-thread backend on a sub-plan, so the bits are the same as with one thread. ' +
    'Work under about 2^18 elements per part stays on the calling thread (a dispatch costs ~25-30 µs). Where a ' +
    'kernel already streams memory at the roof, a second thread cannot add bandwidth; on a machine whose cores ' +
    'are busy with other work, the two parts share a core and the ratio falls to 1x or below.');
  out.push('');
  out.push('## Memory-bandwidth roof');
  out.push('');
  out.push(table(['threads', 'streaming read, GB/s', 'copy, GB/s (read + write)', 'at the start / at the end (read)'],
    results.roof.map((r, i) => [
      String(r.threads),
      r.readGBs.toFixed(1),
      r.copyGBs.toFixed(1),
      results.roofMeasurements.map((m) => m[i]?.readGBs.toFixed(1) ?? '—').join(' / '),
    ])));
  out.push('');
  out.push('## Every contender (median ms)');
  out.push('');
  const labels = [...new Set(results.cases.flatMap((c) => c.contenders.map((k) => k.label)))];
  out.push(table(['contender', ...results.cases.map((c) => c.id)], labels.map((label) => [
    label,
    ...results.cases.map((c) => {
      const k = c.contenders.find((x) => x.label === label);
      if (!k) return '';
      if (k.skipped) return 'n/a';
      const split = k.ran && k.ran.includes(' x') ? '*' : '';
      return `${ms(k.medianMs)}${split}`;
    }),
  ])));
  out.push('');
  out.push('\\* the work was split across threads (smaller work runs on the calling thread alone). n/a: see the JSON ' +
    '(`skipped`): the reference backend is the slow oracle and is timed only where it finishes in seconds; a peer ' +
    'without the op is listed with its error.');
  out.push('');
  out.push('## Peak extra resident memory (MB, one run)');
  out.push('');
  const memoryLabels = ['ours auto 1t', 'ours auto 2t', 'ours wasm zero-copy 1t', 'ours wasm zero-copy 2t', 'onnxruntime 1t', 'onnxruntime 2t', 'tfjs-cpu', 'tfjs-wasm'];
  out.push(table(['case', 'input', 'output', ...memoryLabels], results.cases.map((c) => [
    c.id,
    megabytes(c.inBytes),
    megabytes(c.outBytes),
    ...memoryLabels.map((label) => megabytes(c.contenders.find((k) => k.label === label)?.peakExtraBytes)),
  ])));
  out.push('');
  out.push(results.memoryMeasured
    ? 'The process\'s resident-set high-water mark during one run over its resident set before it (Linux ' +
      '/proc/self/clear_refs), after a garbage collection: it counts native, wasm and worker memory alike, but ' +
      'not memory a previous run left resident and this one reused (a grown wasm heap, allocator free lists).'
    : 'Not measured in this run (needs Linux and node --expose-gc).');
  out.push('');
  out.push(`## Accuracy: global average of ${results.accuracy.count} float32 values near 1000`);
  out.push('');
  out.push(`Exact mean ${results.accuracy.exactMean} (a float64 sum of these values is exact).`);
  out.push('');
  out.push(table(['contender', 'result', 'absolute error', 'relative error', 'float32 ulps'], results.accuracy.rows.map((row) => [
    row.label,
    String(row.value),
    row.absoluteError.toExponential(2),
    row.relativeError.toExponential(2),
    row.float32Ulps.toFixed(2),
  ])));
  out.push('');
  out.push('## How it is measured');
  out.push('');
  out.push(`- Each contender: at least ${results.timing.warmup} warm-up runs and ${results.timing.warmupMs} ms of them, then at least ${results.timing.minRuns} and at most ` +
    `${results.timing.maxRuns} runs, adding runs while the measured ones took under ${results.timing.budgetMs} ms; the median.`);
  out.push('- Ours, host arrays: the public ops (`avgPool`, `maxPool`, `globalAvgPool`) with `backend` and `threads`; ' +
    'each call plans, runs and allocates its output. One thread: the input in an ordinary ArrayBuffer; two threads: ' +
    'in a SharedArrayBuffer (`allocSharedTensor`) so that workers read it in place. Ours, resident: `poolInto` with ' +
    'input and output `WasmTensor`s, the plan made once (as a session is), `threads` 1 or 2.');
  out.push('- onnxruntime-node: a one-node ONNX model built in memory (channels-first), `intraOpNumThreads` 1 or 2, ' +
    'default graph optimisation; a host run is `session.run` up to the output array, a resident run ' +
    '`session.run(feeds, fetches)` into an output tensor preallocated once.');
  out.push('- TF.js 4.22: the cpu and wasm backends (wasm single-threaded), channels-last input already in the ' +
    'backend; a host run is the op plus `dataSync()`, a resident run the op alone (these backends compute ' +
    'eagerly) and disposing the result; global average is `tf.mean` over the spatial axes. The cpu backend\'s ' +
    '`dataSync()` returns its own array, so its host run is its resident run too.');
  out.push('- Roof: a SIMD streaming read and a `memory.copy` over a 256 MiB shared WebAssembly memory, 1 and 2 ' +
    'threads, best of 5 trials, measured at the start and at the end of the run (the better one counts). ' +
    '"Of read roof": our GB/s over the read roof at the same thread count.');
  out.push('- Raw numbers: [bench-results.json](bench-results.json).');
  out.push('');
  return out.join('\n');
}

/** Each series is drawn against the fastest peer of its own contest. */
const CHART_SERIES: readonly { readonly label: string; readonly contest: Contest; readonly colour: string }[] = [
  { label: 'ours auto 1t', contest: 'host', colour: '#1b7f3b' },
  { label: 'ours auto 2t', contest: 'host', colour: '#5cc27a' },
  { label: 'onnxruntime 1t', contest: 'host', colour: '#1f5fa8' },
  { label: 'onnxruntime 2t', contest: 'host', colour: '#7fa8d8' },
  { label: 'tfjs-cpu', contest: 'host', colour: '#c0622b' },
  { label: 'tfjs-wasm', contest: 'host', colour: '#e8a06f' },
  { label: 'ours wasm zero-copy 1t', contest: 'resident', colour: '#0b4a22' },
  { label: 'ours wasm zero-copy 2t', contest: 'resident', colour: '#3f8f5a' },
  { label: 'onnxruntime 1t, output preallocated', contest: 'resident', colour: '#143f70' },
  { label: 'tfjs-wasm, result left in the backend', contest: 'resident', colour: '#9c4a17' },
];
const LEGEND_PER_ROW = 5;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Horizontal bars on a log scale: each contender's speed relative to the fastest peer of the case
 * (any thread count); right of the line is faster than every peer.
 */
export function renderChart(results: BenchResults): string {
  const rowHeight = 11;
  const caseGap = 14;
  const left = 250;
  const width = 900;
  const plotWidth = width - left - 30;
  const caseHeight = CHART_SERIES.length * rowHeight + caseGap;
  const legendRows = Math.ceil(CHART_SERIES.length / LEGEND_PER_ROW);
  const top = 36 + legendRows * 16;
  const height = top + results.cases.length * caseHeight + 40;
  const speeds = results.cases.flatMap((c) =>
    CHART_SERIES.map(({ label, contest }) => {
      const best = bestPeer(c, Infinity, contest);
      const k = timed(c, label);
      return best && k ? best.medianMs! / k.medianMs! : undefined;
    }),
  );
  const logs = speeds.filter((s): s is number => s !== undefined).map(Math.log2);
  const lo = Math.floor(Math.min(-1, ...logs));
  const hi = Math.ceil(Math.max(1, ...logs));
  const x = (log2: number) => left + ((log2 - lo) / (hi - lo)) * plotWidth;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="10" y="18" font-size="14">Speed relative to the fastest peer of the same contest (log scale; right of 1x is faster than every peer)</text>`);
  CHART_SERIES.forEach(({ label, contest, colour }, i) => {
    const lx = 10 + (i % LEGEND_PER_ROW) * 178;
    const ly = 28 + Math.floor(i / LEGEND_PER_ROW) * 16;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colour}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly + 9}">${escapeXml(`${label}${contest === 'resident' && !label.includes(',') ? ' (resident)' : ''}`)}</text>`);
  });
  for (let p = lo; p <= hi; p++) {
    const at = x(p);
    parts.push(`<line x1="${at}" y1="${top}" x2="${at}" y2="${height - 30}" stroke="${p === 0 ? '#000' : '#ddd'}"/>`);
    const label = p >= 0 ? `${2 ** p}x` : `1/${2 ** -p}`;
    parts.push(`<text x="${at}" y="${height - 16}" text-anchor="middle">${label}</text>`);
  }
  results.cases.forEach((c, ci) => {
    const y0 = top + ci * caseHeight;
    const name = `${c.id}: ${c.title}`;
    const shown = name.length > 40 ? `${name.slice(0, 39)}…` : name;
    parts.push(`<text x="10" y="${y0 + (CHART_SERIES.length * rowHeight) / 2 + 4}">${escapeXml(shown)}</text>`);
    CHART_SERIES.forEach(({ label, colour }, si) => {
      const speed = speeds[ci * CHART_SERIES.length + si];
      if (speed === undefined) return;
      const from = x(0);
      const to = x(Math.log2(speed));
      parts.push(
        `<rect x="${Math.min(from, to).toFixed(1)}" y="${y0 + si * rowHeight}" width="${Math.max(1, Math.abs(to - from)).toFixed(1)}" ` +
          `height="${rowHeight - 2}" fill="${colour}"><title>${escapeXml(`${c.id} ${label}: ${speed.toFixed(2)}x`)}</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
