/**
 * `npm run bench`: every backend of ours ('auto' included) with 1 and 2 threads, onnxruntime with 1
 * and 2 intra-op threads, TF.js cpu and wasm, and the memory-bandwidth roof, side by side in one
 * run on the cases of issue 3. Writes docs/benchmarks.md, docs/bench-results.json and
 * docs/bench-chart.svg (or under --out). `--quick` runs tiny shapes to prove the harness;
 * `--cases B,G` picks cases; `--report results.json` re-renders the report from a results file.
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
import { elements, FULL_CASES, QUICK_CASES, type BenchCase } from './cases.js';
import { canMeasureMemory, peakExtraBytes, repeated, time, timeInterleaved, type Timed, type Timing, type TimingOptions } from './measure.js';
import { callOp, prepareOurs, wasmScratchBytes, type CaseInput, type OurConfig } from './ours.js';
import { PEERS } from './peers.js';
import { renderChart, renderMarkdown } from './report.js';
import type { AccuracyRow, BenchResults, CaseResult, ContenderResult } from './results.js';
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
  },
});
const quick = args.quick!;
const log = (line: string) => process.stderr.write(`${line}\n`);

const timing: TimingOptions = quick
  ? { warmup: 1, warmupMs: 0, minRuns: 2, maxRuns: 3, budgetMs: 50 }
  : { warmup: 2, warmupMs: 200, minRuns: 3, maxRuns: 30, budgetMs: 1500 };

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

function ourConfigs(): OurConfig[] {
  const configs: OurConfig[] = [];
  for (const backend of [...backendNames(), 'auto']) {
    for (const threads of [1, 2]) configs.push({ label: `ours ${backend} ${threads}t`, backend, threads, contest: 'host' });
  }
  if (backendNames().includes('wasm')) {
    for (const threads of [1, 2]) configs.push({ label: `ours wasm zero-copy ${threads}t`, backend: 'wasm', threads, contest: 'resident' });
  }
  return configs;
}

interface Entry {
  readonly result: Omit<ContenderResult, 'medianMs' | 'minMs' | 'runs' | 'peakExtraBytes' | 'wasmScratchBytes'>;
  readonly timed: Timed;
  /** Ours: the wasm heap's scratch is measured too. */
  readonly ours: boolean;
  release(): unknown;
}

async function prepareEntries(c: BenchCase, input: CaseInput): Promise<{ entries: Entry[]; failed: ContenderResult[] }> {
  const entries: Entry[] = [];
  const failed: ContenderResult[] = [];
  const calls = c.callsPerRun ?? 1;
  for (const config of ourConfigs()) {
    const prepared = prepareOurs(c, input, config);
    entries.push({
      result: { label: config.label, kind: 'ours', contest: config.contest, backend: config.backend, threads: config.threads },
      timed: { run: repeated(prepared.run, calls) },
      ours: true,
      release: () => prepared.release(),
    });
  }
  for (const peer of PEERS) {
    try {
      const prepared = await peer.prepare(c, input.plain.data);
      entries.push({
        result: { label: peer.label, kind: 'peer', contest: peer.contest, threads: peer.threads },
        timed: { run: repeated(prepared.run, calls), ...(prepared.before ? { before: prepared.before } : {}) },
        ours: false,
        release: () => prepared.release(),
      });
    } catch (error) {
      failed.push({ label: peer.label, kind: 'peer', contest: peer.contest, threads: peer.threads, skipped: error instanceof Error ? error.message : String(error) });
    }
  }
  return { entries, failed };
}

/** Each contender's peak memory in one run, by case id and label (measured by the `--memory-only` child). */
type MemoryRows = Record<string, Record<string, Pick<ContenderResult, 'peakExtraBytes' | 'wasmScratchBytes'>>>;

/** The case's input: in shared memory, and a plain copy (see CaseInput). */
function caseInput(c: BenchCase, index: number): CaseInput {
  const x = filled(c.shape, 1 + index);
  return { shared: x, plain: { shape: x.shape, data: x.data.slice() } };
}

function tooSlow(c: BenchCase, e: Entry, outputElements: number): boolean {
  return e.result.backend === 'reference' && !quick && taps(c, outputElements) > REFERENCE_MAX_TAPS;
}

async function runCase(c: BenchCase, index: number, memory: MemoryRows[string] | undefined): Promise<CaseResult> {
  const input = caseInput(c, index);
  const x = input.shared;
  const y = callOp(c, x, 'auto', 1);
  const { entries, failed } = await prepareEntries(c, input);
  // The slow oracle runs alone, so that it does not stretch every round of the others.
  const oracle = entries.filter((e) => e.result.backend === 'reference' && !tooSlow(c, e, y.data.length));
  const rest = entries.filter((e) => e.result.backend !== 'reference');
  const timings = new Map<Entry, Timing>();
  for (const e of oracle) timings.set(e, await time(e.timed.run, timing));
  (await timeInterleaved(rest.map((e) => e.timed), timing)).forEach((t, i) => timings.set(rest[i]!, t));
  const contenders: ContenderResult[] = [];
  const calls = c.callsPerRun ?? 1;
  for (const e of entries) {
    const timed = timings.get(e);
    const measured = timed && { ...timed, medianMs: timed.medianMs / calls, minMs: timed.minMs / calls };
    if (!measured) {
      contenders.push({ ...e.result, skipped: 'the slow oracle; too large to time' });
      continue;
    }
    await e.timed.before?.();
    const ran = e.result.kind === 'ours' ? observeRuns(e.timed.run).runs[0]?.backend : undefined;
    contenders.push({ ...e.result, ...(ran ? { ran } : {}), ...measured, ...memory?.[e.result.label] });
    log(`  ${c.id} ${e.result.label}: ${measured.medianMs.toFixed(3)} ms (${measured.runs} runs)`);
  }
  for (const e of entries) await e.release();
  for (const f of failed) log(`  ${c.id} ${f.label}: failed (${f.skipped})`);
  contenders.push(...failed);
  return {
    id: c.id,
    title: c.title,
    op: c.op,
    shape: [...c.shape],
    outputShape: [...y.shape],
    inBytes: x.data.length * 4,
    outBytes: y.data.length * 4,
    ...(calls > 1 ? { callsPerRun: calls } : {}),
    contenders,
  };
}

/** Peak memory of one run of every contender (after two warm-up runs), case by case. */
async function measureMemory(cases: readonly BenchCase[]): Promise<MemoryRows> {
  const rows: MemoryRows = {};
  for (const [i, c] of cases.entries()) {
    const input = caseInput(c, i);
    const outputElements = callOp(c, input.shared, 'auto', 1).data.length;
    const { entries } = await prepareEntries(c, input);
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
function memoryFromChild(cases: readonly BenchCase[]): MemoryRows | undefined {
  const script = fileURLToPath(import.meta.url);
  const childArgs = ['--expose-gc', script, '--memory-only', '--cases', cases.map((c) => c.id).join(','), ...(quick ? ['--quick'] : [])];
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
  for (const peer of PEERS) {
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

async function main(): Promise<void> {
  const started = Date.now();
  await init();
  await startWorkers(2);
  const command = `npm run bench${quick ? ' -- --quick' : ''}`;
  const cpus = os.cpus();
  log(`bench: ${quick ? 'quick' : 'full'} run on ${cpus[0]?.model ?? 'unknown CPU'} x${cpus.length}, node ${process.version}`);
  const roofBytes = quick ? 16 << 20 : 256 << 20;
  const measureRoofNow = async () => {
    const roof = await measureRoof([1, 2], roofBytes, quick ? 1 : 4, quick ? 1 : 5);
    log(`  roof: ${roof.map((r) => `${r.threads}t read ${r.readGBs.toFixed(1)} GB/s, copy ${r.copyGBs.toFixed(1)} GB/s`).join('; ')}`);
    return roof;
  };
  const roofBefore = await measureRoofNow();
  const wanted = args.cases?.split(',').map((id) => id.trim().toUpperCase());
  const cases = (quick ? QUICK_CASES : FULL_CASES).filter((c) => !wanted || wanted.includes(c.id));
  log('memory: one run of each contender in a child process');
  const memory = memoryFromChild(cases);
  const caseResults: CaseResult[] = [];
  for (const [i, c] of cases.entries()) {
    log(`case ${c.id}: ${c.title}, ${c.shape.join('x')}`);
    caseResults.push(await runCase(c, i, memory?.[c.id]));
  }
  log('accuracy probe');
  const probe = await accuracy();
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
    timing,
    memoryMeasured: memory !== undefined,
    backends: backendNames(),
    roof,
    roofMeasurements: [roofBefore, roofAfter],
    cases: caseResults,
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
  const wanted = args.cases?.split(',').map((id) => id.trim().toUpperCase());
  const cases = (quick ? QUICK_CASES : FULL_CASES).filter((c) => !wanted || wanted.includes(c.id));
  process.stdout.write(`${JSON.stringify(await measureMemory(cases))}\n`);
  // Workers are unref'd, but onnxruntime's and TF.js's threads may not be.
  process.exit(0);
}

if (args.report) writeReport(JSON.parse(readFileSync(args.report, 'utf8')) as BenchResults);
else if (args['memory-only']) await memoryOnly();
else await main();
