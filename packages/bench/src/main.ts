/**
 * `npm run bench`: the cases of issue 16 (cases.ts), every contender side by side in one run, and
 * the report (report.ts) that says which of issue 16's targets are met. Per case:
 * 1. onnxruntime-node's session options are tuned for each thread count (peers/onnxruntime-node.ts);
 * 2. the contest: every backend of ours ('auto' included) with 1 and 2 threads, fresh output and
 *    output passed (`poolInto`), our resident path, and the peers at their best, interleaved;
 * 3. onnxruntime-node's slow path (symbolic shapes), on its own, as information;
 * 4. every public door beside the own op it stands for (doors.ts).
 * Then peak memory in a child process, the accuracy probe, and the memory roof again. Writes
 * docs/benchmarks.md, docs/bench-results.json and docs/bench-chart.svg (or under --out). `--quick`
 * runs tiny shapes to prove the harness; `--cases B,G` picks cases; `--report results.json`
 * re-renders the report from a results file.
 *
 * Times are taken under the C library's default allocator settings, which recycle freed memory,
 * as every user's process has them. Peak memory is measured in a child process (`--memory-only`)
 * that has glibc map every block over 128 KiB afresh (MALLOC_MMAP_THRESHOLD_): only then does an
 * allocation show in the resident set; timing under that setting would charge every contender
 * that allocates per run (onnxruntime natively, TF.js and our host-array ops in JS) for page
 * faults it never pays otherwise (onnxruntime's B measured 3x slower with it).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allocSharedTensor, backendNames, init, observeRuns, startWorkers, type Tensor } from 'tensor-pooling';
import { float32Ulps, probeInput } from './accuracy.js';
import { elements, FULL_CASES, QUICK_CASES, toChannelsLast, type BenchCase } from './cases.js';
import { DOOR_NAMES, doorsOf, runOnnxNodeTakesOutputs, type Door } from './doors.js';
import { hostFeatures } from './host.js';
import { canMeasureMemory, peakExtraBytes, repeated, timeInterleaved, type Timed, type Timing, type TimingOptions } from './measure.js';
import { callOp, contestOf, ourConfigs, outputOf, prepareOurs, wasmScratchBytes, type CaseInput } from './ours.js';
import { peers, type OrtNodeChoice, type Peer } from './peers.js';
import { describeSettings, onnxRuntimeNodeShapes, ORT_NODE_DEFAULTS, tuneOnnxRuntimeNode, type OrtNodeSettings, type TuningTrial } from './peers/onnxruntime-node.js';
import { closeOnnxRuntimeWeb, onnxRuntimeWebInfo } from './peers/onnxruntime-web.js';
import { renderChart } from './chart.js';
import { renderMarkdown } from './report.js';
import type { AccuracyRow, BenchResults, CaseResult, ContenderResult, DoorResult, TuningResult, TuningTrialResult } from './results.js';
import { measureRoof } from './roof.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'docs' },
    cases: { type: 'string' },
    /** Re-render the report from a results file without measuring. */
    report: { type: 'string' },
    /** Only measure peak memory of each contender, and print it as JSON (see MemoryRows). */
    'memory-only': { type: 'boolean', default: false },
    /** For --memory-only: onnxruntime-node's tuned settings, as JSON (see SettingsByCase). */
    'onnxruntime-node-settings': { type: 'string' },
  },
});
const quick = args.quick!;
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The contest. */
const timing: TimingOptions = quick
  ? { warmup: 1, warmupMs: 0, minRuns: 2, maxRuns: 3, budgetMs: 50 }
  : { warmup: 2, warmupMs: 200, minRuns: 3, maxRuns: 40, budgetMs: 1200 };
/** onnxruntime-node's candidates: enough runs for a median, and no more (the winner is timed in the contest). */
const tuningTiming: TimingOptions = quick
  ? { warmup: 0, warmupMs: 0, minRuns: 2, maxRuns: 2, budgetMs: 0 }
  : { warmup: 0, warmupMs: 0, minRuns: 5, maxRuns: 15, budgetMs: 300 };
/** The slow path takes seconds a run on some cases: a few runs say enough. */
const slowPathTiming: TimingOptions = quick ? timing : { warmup: 1, warmupMs: 0, minRuns: 3, maxRuns: 10, budgetMs: 1000 };
/** A door and its op: many runs, since their ratio is judged to 10%. */
const doorTiming: TimingOptions = quick
  ? timing
  : { warmup: 2, warmupMs: 100, minRuns: 10, maxRuns: 40, budgetMs: 600 };

/** The reference backend is the slow oracle: on big cases one run would take minutes. */
const REFERENCE_MAX_TAPS = 2e7;

function taps(c: BenchCase, outputElements: number): number {
  const window = c.op === 'global-avg' ? elements(c.shape.slice(2)) : elements(c.kernel!);
  return outputElements * window;
}

function filled(shape: readonly number[], seed: number): Tensor<Float32Array> {
  const x = allocSharedTensor(shape);
  let state = seed | 0;
  for (let i = 0; i < x.data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) | 0;
    x.data[i] = (state >>> 8) / 2 ** 24;
  }
  return x;
}

type Untimed = Omit<ContenderResult, 'medianMs' | 'p10Ms' | 'minMs' | 'runs' | 'peakExtraBytes' | 'wasmScratchBytes'>;

interface Entry {
  readonly result: Untimed;
  readonly timed: Timed;
  /** Ours: the wasm heap's scratch is measured too. */
  readonly ours: boolean;
  release(): unknown;
}

function peerResult(peer: Peer): Untimed {
  return {
    label: peer.label,
    kind: 'peer',
    library: peer.library,
    contest: peer.contest,
    ...(peer.output ? { output: peer.output } : {}),
    threads: peer.threads,
    ...(peer.settings ? { settings: peer.settings } : {}),
  };
}

async function preparePeers(c: BenchCase, input: CaseInput, list: readonly Peer[]): Promise<{ entries: Entry[]; failed: ContenderResult[] }> {
  const entries: Entry[] = [];
  const failed: ContenderResult[] = [];
  for (const peer of list) {
    try {
      const prepared = await peer.prepare(c, input.plain.data);
      const run = prepared.selfTimed ? prepared.run : repeated(prepared.run, c.callsPerRun ?? 1);
      entries.push({
        result: peerResult(peer),
        timed: { run, ...(prepared.selfTimed ? { selfTimed: true } : {}), ...(prepared.before ? { before: prepared.before } : {}) },
        ours: false,
        release: () => prepared.release(),
      });
    } catch (error) {
      failed.push({ ...peerResult(peer), skipped: error instanceof Error ? error.message : String(error) });
    }
  }
  return { entries, failed };
}

async function prepareEntries(c: BenchCase, input: CaseInput, ortNode: OrtNodeChoice): Promise<{ entries: Entry[]; failed: ContenderResult[] }> {
  const entries: Entry[] = ourConfigs().map((config) => {
    const prepared = prepareOurs(c, input, config);
    const output = outputOf(config.call);
    return {
      result: { label: config.label, kind: 'ours', contest: contestOf(config.call), ...(output ? { output } : {}), backend: config.backend, threads: config.threads },
      timed: { run: repeated(prepared.run, c.callsPerRun ?? 1) },
      ours: true,
      release: () => prepared.release(),
    };
  });
  const fromPeers = await preparePeers(c, input, peers(ortNode));
  return { entries: [...entries, ...fromPeers.entries], failed: fromPeers.failed };
}

/** The case's input: in shared memory, and a plain copy (see CaseInput). */
function caseInput(c: BenchCase, index: number): CaseInput {
  const x = filled(c.shape, 1 + index);
  return { shared: x, plain: { shape: x.shape, data: x.data.slice() } };
}

function tooSlow(c: BenchCase, e: Entry, outputElements: number): boolean {
  return e.result.backend === 'reference' && !quick && taps(c, outputElements) > REFERENCE_MAX_TAPS;
}

function perCall(t: Timing, calls: number): Timing {
  return { ...t, medianMs: t.medianMs / calls, p10Ms: t.p10Ms / calls, minMs: t.minMs / calls };
}

/**
 * Times the entries interleaved and releases them; times are per call. The slow oracle runs in a
 * group of its own, so that it does not stretch every round of the others; its 1 and 2 threads
 * are interleaved with each other, so that their ratio in the threads table holds.
 */
async function measureEntries(c: BenchCase, entries: readonly Entry[], options: TimingOptions, outputElements: number): Promise<ContenderResult[]> {
  const oracle = entries.filter((e) => e.result.backend === 'reference' && !tooSlow(c, e, outputElements));
  const rest = entries.filter((e) => e.result.backend !== 'reference');
  const timings = new Map<Entry, Timing>();
  for (const group of [oracle, rest]) {
    (await timeInterleaved(group.map((e) => e.timed), options)).forEach((t, i) => timings.set(group[i]!, t));
  }
  const results: ContenderResult[] = [];
  for (const e of entries) {
    const timed = timings.get(e);
    if (!timed) {
      results.push({ ...e.result, skipped: 'the slow oracle; too large to time' });
      continue;
    }
    const measured = perCall(timed, c.callsPerRun ?? 1);
    await e.timed.before?.();
    const ran = e.ours ? observeRuns(e.timed.run).runs[0]?.backend : undefined;
    results.push({ ...e.result, ...(ran ? { ran } : {}), ...measured });
    log(`  ${c.id} ${e.result.label}: median ${measured.medianMs.toFixed(3)} ms, p10 ${measured.p10Ms.toFixed(3)} ms (${measured.runs} runs)`);
  }
  for (const e of entries) await e.release();
  return results;
}

async function tuneCase(c: BenchCase, input: CaseInput): Promise<{ choice: Map<number, OrtNodeSettings>; results: TuningResult[] }> {
  const choice = new Map<number, OrtNodeSettings>();
  const results: TuningResult[] = [];
  for (const threads of [1, 2]) {
    const tuning = await tuneOnnxRuntimeNode(c, input.plain.data, threads, tuningTiming);
    choice.set(threads, tuning.chosen);
    const trial = ({ change, medianMs, dropped }: TuningTrial): TuningTrialResult => ({ change, ...(medianMs !== undefined ? { medianMs } : {}), ...(dropped ? { dropped } : {}) });
    results.push({ threads, chosen: describeSettings(tuning.chosen, threads), levels: tuning.levels.map(trial), options: tuning.options.map(trial) });
    log(`  ${c.id} onnxruntime-node ${threads}t tuned: ${describeSettings(tuning.chosen, threads)}`);
  }
  return { choice, results };
}

/** onnxruntime-node's symbolic-shape path beside its static one with the tuned options. */
async function measureSlowPath(c: BenchCase, input: CaseInput, choice: OrtNodeChoice, outputElements: number): Promise<ContenderResult[]> {
  const list = [1, 2].flatMap((threads) => [
    onnxRuntimeNodeShapes(threads, 'static', choice.get(threads) ?? ORT_NODE_DEFAULTS),
    onnxRuntimeNodeShapes(threads, 'symbolic', ORT_NODE_DEFAULTS),
  ]);
  const { entries, failed } = await preparePeers(c, input, list);
  return [...(await measureEntries(c, entries, slowPathTiming, outputElements)), ...failed];
}

/** Each door interleaved with the own ops they stand for (an own op shared by two doors runs once). */
async function measureDoors(c: BenchCase, input: CaseInput): Promise<DoorResult[]> {
  const channelsLast = toChannelsLast(input.plain.data, c.shape);
  const inputs = { 'channels-first': input.plain, 'channels-last': channelsLast };
  const calls = c.callsPerRun ?? 1;
  const items: Timed[] = [];
  const ownIndex = new Map<string, number>();
  const placed: { door: Door; at: number; own: number }[] = [];
  const results: DoorResult[] = [];
  for (const door of doorsOf(c)) {
    if ('missing' in door) {
      results.push({ door: door.name, missing: door.missing });
      continue;
    }
    const x = inputs[door.layout];
    try {
      door.run(x);
    } catch (error) {
      results.push({ door: door.name, call: door.call, missing: `failed: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    const ownKey = door.own.call;
    if (!ownIndex.has(ownKey)) {
      ownIndex.set(ownKey, items.length);
      items.push({ run: repeated(() => door.own.run(x), calls) });
    }
    placed.push({ door, at: items.length, own: ownIndex.get(ownKey)! });
    items.push({ run: repeated(() => door.run(x), calls) });
  }
  const timings = (await timeInterleaved(items, doorTiming)).map((t) => perCall(t, calls));
  for (const { door, at, own } of placed) {
    const result: DoorResult = { door: door.name, call: door.call, ownCall: door.own.call, doorTiming: timings[at]!, ownTiming: timings[own]! };
    log(`  ${c.id} ${door.call}: ${(result.doorTiming!.medianMs / result.ownTiming!.medianMs).toFixed(2)}x ${door.own.call}`);
    results.push(result);
  }
  return results.sort((a, b) => DOOR_NAMES.indexOf(a.door) - DOOR_NAMES.indexOf(b.door));
}

async function runCase(c: BenchCase, index: number): Promise<{ result: CaseResult; choice: OrtNodeChoice }> {
  const input = caseInput(c, index);
  const y = callOp(c, input.shared, 'auto', 1);
  const tuning = await tuneCase(c, input);
  const { entries, failed } = await prepareEntries(c, input, tuning.choice);
  const contenders = [...(await measureEntries(c, entries, timing, y.data.length)), ...failed];
  for (const f of failed) log(`  ${c.id} ${f.label}: failed (${f.skipped})`);
  const slowPath = await measureSlowPath(c, input, tuning.choice, y.data.length);
  const doors = await measureDoors(c, input);
  const calls = c.callsPerRun ?? 1;
  const result: CaseResult = {
    id: c.id,
    title: c.title,
    op: c.op,
    shape: [...c.shape],
    outputShape: [...y.shape],
    inBytes: input.plain.data.length * 4,
    outBytes: y.data.length * 4,
    ...(calls > 1 ? { callsPerRun: calls } : {}),
    contenders,
    onnxruntimeNodeTuning: tuning.results,
    slowPath,
    doors,
  };
  return { result, choice: tuning.choice };
}

/** Each contender's peak memory in one run, by case id and label (measured by the `--memory-only` child). */
type MemoryRows = Record<string, Record<string, Pick<ContenderResult, 'peakExtraBytes' | 'wasmScratchBytes'>>>;

/** onnxruntime-node's tuned settings by case id and thread count, as the memory child reads them. */
type SettingsByCase = Record<string, Record<string, OrtNodeSettings>>;

/** Peak memory of one run of every contender (after two warm-up runs), case by case. */
async function measureMemory(cases: readonly BenchCase[], settings: SettingsByCase): Promise<MemoryRows> {
  const rows: MemoryRows = {};
  for (const [i, c] of cases.entries()) {
    const input = caseInput(c, i);
    const outputElements = callOp(c, input.shared, 'auto', 1).data.length;
    const choice: OrtNodeChoice = new Map(Object.entries(settings[c.id] ?? {}).map(([threads, s]) => [Number(threads), s]));
    const { entries } = await prepareEntries(c, input, choice);
    rows[c.id] = {};
    for (const e of entries) {
      if (tooSlow(c, e, outputElements)) continue;
      await e.timed.before?.();
      for (let run = 0; run < 2; run++) await e.timed.run();
      rows[c.id]![e.result.label] = {
        ...(e.ours ? { wasmScratchBytes: wasmScratchBytes(e.timed.run) } : {}),
        peakExtraBytes: await peakExtraBytes(e.timed.run),
      };
      await e.release();
    }
  }
  return rows;
}

/** The child process that measures memory (see the top of this file); undefined where it cannot. */
function memoryFromChild(cases: readonly BenchCase[], settings: SettingsByCase): MemoryRows | undefined {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [
    '--expose-gc',
    script,
    '--memory-only',
    '--cases',
    cases.map((c) => c.id).join(','),
    '--onnxruntime-node-settings',
    JSON.stringify(settings),
    ...(quick ? ['--quick'] : []),
  ];
  try {
    const output = execFileSync(process.execPath, childArgs, {
      env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '131072' },
      encoding: 'utf8',
      maxBuffer: 16 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The JSON is the last line: a peer library may print to stdout before it.
    return JSON.parse(output.trimEnd().split('\n').at(-1)!) as MemoryRows;
  } catch (error) {
    log(`  memory: not measured (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
}

function withMemory(c: CaseResult, rows: MemoryRows[string] | undefined): CaseResult {
  return { ...c, contenders: c.contenders.map((k) => (k.skipped ? k : { ...k, ...rows?.[k.label] })) };
}

/** onnxruntime-node runs the probe with its default options (a global average of one 4096x4096 map). */
async function accuracy(): Promise<{ count: number; exactMean: number; rows: AccuracyRow[] }> {
  const probe = probeInput(quick ? 12 : 24, true);
  const c: BenchCase = { id: 'probe', title: 'accuracy probe', op: 'global-avg', shape: probe.shape };
  const x: Tensor<Float32Array> = { shape: probe.shape, data: probe.data };
  const rows: AccuracyRow[] = [];
  const row = (label: string, value: number): AccuracyRow => ({
    label,
    value,
    absoluteError: Math.abs(value - probe.exactMean),
    relativeError: Math.abs(value - probe.exactMean) / probe.exactMean,
    float32Ulps: float32Ulps(value, probe.exactMean),
  });
  for (const backend of [...backendNames(), 'auto']) {
    if (backend === 'reference' && !quick && probe.data.length > REFERENCE_MAX_TAPS) continue;
    for (const threads of [1, 2]) rows.push(row(`ours ${backend} ${threads}t`, callOp(c, x, backend, threads).data[0]!));
  }
  for (const peer of peers()) {
    try {
      const prepared = await peer.prepare(c, probe.data);
      rows.push(row(peer.label, (await prepared.result())[0]!));
      await prepared.release();
    } catch (error) {
      log(`  accuracy ${peer.label}: failed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return { count: probe.data.length, exactMean: probe.exactMean, rows };
}

function selectedCases(): readonly BenchCase[] {
  const wanted = args.cases?.split(',').map((id) => id.trim().toUpperCase());
  return (quick ? QUICK_CASES : FULL_CASES).filter((c) => !wanted || wanted.includes(c.id));
}

async function main(): Promise<void> {
  const started = Date.now();
  await init();
  await startWorkers(2);
  const command = `npm run bench${quick ? ' -- --quick' : ''}`;
  const cpus = os.cpus();
  const host = hostFeatures();
  log(`bench: ${quick ? 'quick' : 'full'} run on ${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, node ${process.version}; ` +
    `SIMD ${host.simd?.join(' ') ?? 'unknown'}; WebAssembly SIMD ${host.wasmSimd ? 'runs' : 'does not run'}`);
  const roofBytes = quick ? 16 << 20 : 256 << 20;
  const measureRoofNow = async () => {
    const roof = await measureRoof([1, 2], roofBytes, quick ? 1 : 4, quick ? 1 : 5);
    log(`  roof: ${roof.map((r) => `${r.threads}t read ${r.readGBs.toFixed(1)} GB/s, copy ${r.copyGBs.toFixed(1)} GB/s`).join('; ')}`);
    return roof;
  };
  const roofBefore = await measureRoofNow();
  const cases = selectedCases();
  const measured: CaseResult[] = [];
  const settings: SettingsByCase = {};
  for (const [i, c] of cases.entries()) {
    log(`case ${c.id}: ${c.title}, ${c.shape.join('x')}`);
    const { result, choice } = await runCase(c, i);
    measured.push(result);
    settings[c.id] = Object.fromEntries([...choice].map(([threads, s]) => [String(threads), s]));
  }
  log('memory: one run of each contender in a child process');
  const memory = memoryFromChild(cases, settings);
  log('accuracy probe');
  const probe = await accuracy();
  const onnxruntimeWeb = await onnxRuntimeWebInfo();
  await closeOnnxRuntimeWeb();
  // Measured again at the end: other load on a shared machine only ever lowers a roof.
  const roofAfter = await measureRoofNow();
  const roof = roofBefore.map((before, i) => {
    const after = roofAfter[i]!;
    return { threads: before.threads, readGBs: Math.max(before.readGBs, after.readGBs), copyGBs: Math.max(before.copyGBs, after.copyGBs) };
  });
  const results: BenchResults = {
    command,
    quick,
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      os: `${os.type()} ${os.release()}`,
      loadAverage: os.loadavg(),
    },
    host,
    timing,
    doorTiming,
    memoryMeasured: memory !== undefined,
    backends: backendNames(),
    onnxruntimeWeb,
    runOnnxNodeTakesOutputs: runOnnxNodeTakesOutputs(),
    roof,
    roofMeasurements: [roofBefore, roofAfter],
    cases: measured.map((c) => withMemory(c, memory?.[c.id])),
    accuracy: probe,
    seconds: (Date.now() - started) / 1000,
  };
  writeReport(results);
  log(`bench: done in ${results.seconds.toFixed(0)} s; wrote ${join(args.out!, 'benchmarks.md')}`);
}

function writeReport(results: BenchResults): void {
  mkdirSync(args.out!, { recursive: true });
  writeFileSync(join(args.out!, 'bench-results.json'), `${JSON.stringify(results, null, 1)}\n`);
  writeFileSync(join(args.out!, 'bench-chart.svg'), renderChart(results));
  writeFileSync(join(args.out!, 'benchmarks.md'), renderMarkdown(results, 'bench-chart.svg'));
}

async function memoryOnly(): Promise<void> {
  if (!canMeasureMemory()) throw new Error('peak memory cannot be measured here (Linux /proc and node --expose-gc needed)');
  await init();
  await startWorkers(2);
  const settings = JSON.parse(args['onnxruntime-node-settings'] ?? '{}') as SettingsByCase;
  process.stdout.write(`${JSON.stringify(await measureMemory(selectedCases(), settings))}\n`);
  // Workers are unref'd, but onnxruntime's, onnxruntime-web's and TF.js's threads may not be.
  process.exit(0);
}

if (args.report) writeReport(JSON.parse(readFileSync(args.report, 'utf8')) as BenchResults);
else if (args['memory-only']) await memoryOnly();
else await main();
