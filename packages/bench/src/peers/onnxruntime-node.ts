/**
 * onnxruntime-node at its best: a model with static shapes (as one exported for the case's input
 * has), with the session options that run the case fastest here. Which options win depends on the
 * case: the full graph optimisation rewrites a pooling node to blocked channels (NCHWc), which is
 * many times faster on wide windows and slower on global averages and strided maxima; without the
 * memory arena, the reordered copies that rewrite allocates are fresh pages on every run. So each
 * case and thread count is tuned in the run (see `tuneOnnxRuntimeNode`) and the report says what
 * won. The slow path (every dimension symbolic, default options) is measured on its own, as
 * information: it is what a model exported with a dynamic channel count gets.
 */
import { createRequire } from 'node:module';
import type * as OrtTypes from 'onnxruntime-node';
import type { BenchCase } from '../cases.js';
import { repeated, timeInterleaved, type Timed, type TimingOptions } from '../measure.js';
import type { Contest, TuningTrialResult } from '../results.js';
import { INPUT_NAME, OUTPUT_NAME, poolingModel, type ModelShapes } from './onnx-model.js';
import type { Peer, PreparedPeer } from './peer.js';

const require = createRequire(import.meta.url);

let ortModule: typeof OrtTypes | undefined;
function ort(): typeof OrtTypes {
  return (ortModule ??= require('onnxruntime-node') as typeof OrtTypes);
}

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

/** The session options the tuning varies; everything else is onnxruntime's default. */
export interface OrtNodeSettings {
  readonly graphOptimizationLevel: GraphOptimizationLevel;
  readonly enableCpuMemArena: boolean;
  readonly enableMemPattern: boolean;
  /** With 2 or more threads: idle pool threads spin for work rather than sleep. */
  readonly allowSpinning: boolean;
}

/** onnxruntime's defaults. */
export const ORT_NODE_DEFAULTS: OrtNodeSettings = {
  graphOptimizationLevel: 'all',
  enableCpuMemArena: true,
  enableMemPattern: true,
  allowSpinning: true,
};

const LEVELS: readonly GraphOptimizationLevel[] = ['all', 'extended', 'basic', 'disabled'];

export function describeSettings(s: OrtNodeSettings, threads: number): string {
  const onOff = (on: boolean) => (on ? 'on' : 'off');
  return [
    `graph optimisation ${s.graphOptimizationLevel}`,
    `arena ${onOff(s.enableCpuMemArena)}`,
    `memory pattern ${onOff(s.enableMemPattern)}`,
    ...(threads > 1 ? [`spinning ${onOff(s.allowSpinning)}`] : []),
  ].join(', ');
}

async function createSession(c: BenchCase, threads: number, settings: OrtNodeSettings, shapes: ModelShapes): Promise<OrtTypes.InferenceSession> {
  return ort().InferenceSession.create(poolingModel(c, shapes), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    logSeverityLevel: 3,
    graphOptimizationLevel: settings.graphOptimizationLevel,
    enableCpuMemArena: settings.enableCpuMemArena,
    enableMemPattern: settings.enableMemPattern,
    extra: { session: { intra_op: { allow_spinning: settings.allowSpinning ? '1' : '0' } } },
  });
}

/** onnxruntime-node refuses arrays over a SharedArrayBuffer: it gets its own copy (not timed). */
function feedsOf(c: BenchCase, x: Float32Array): Record<string, OrtTypes.Tensor> {
  return { [INPUT_NAME]: new (ort().Tensor)('float32', x.slice(), [...c.shape]) };
}

/** A host run: `session.run` up to the output's typed array. */
function freshRun(session: OrtTypes.InferenceSession, feeds: Record<string, OrtTypes.Tensor>): () => Promise<Float32Array> {
  return async () => (await session.run(feeds))[OUTPUT_NAME]!.data as Float32Array;
}

/** A trial as the results record it, with the settings it ran. */
export interface TuningTrial extends TuningTrialResult {
  readonly settings: OrtNodeSettings;
}

export interface Tuning {
  readonly threads: number;
  readonly chosen: OrtNodeSettings;
  /** The level round, then the option round on its winner (whose own trial is in both). */
  readonly levels: readonly TuningTrial[];
  readonly options: readonly TuningTrial[];
}

interface Candidate {
  readonly change: string;
  readonly settings: OrtNodeSettings;
}

/**
 * A candidate's first run is too slow to time further when it took over SCREEN_FACTOR times the
 * fastest first run of its round and over SCREEN_MIN_MS: onnxruntime's generic path takes seconds
 * on case E, where the NCHWc one takes milliseconds. The floor keeps a first run's one-off costs
 * (a fresh session's first allocations) from dropping a candidate on small cases.
 */
const SCREEN_FACTOR = 10;
const SCREEN_MIN_MS = 50;

/**
 * One warm-up run of each candidate, in order, screens out those far slower than the fastest; the
 * rest are timed interleaved on host runs, and the fastest median wins.
 */
async function race(c: BenchCase, x: Float32Array, threads: number, candidates: readonly Candidate[], timing: TimingOptions): Promise<TuningTrial[]> {
  const calls = c.callsPerRun ?? 1;
  const sessions = await Promise.all(candidates.map((candidate) => createSession(c, threads, candidate.settings, 'static')));
  try {
    const feeds = feedsOf(c, x);
    const runs = sessions.map((session) => repeated(freshRun(session, feeds), calls));
    const firstMs: number[] = [];
    for (const run of runs) {
      const started = performance.now();
      await run();
      firstMs.push(performance.now() - started);
    }
    const fastestFirst = Math.min(...firstMs);
    const kept = firstMs.map((ms) => ms <= SCREEN_FACTOR * fastestFirst || ms <= SCREEN_MIN_MS);
    const items: Timed[] = runs.filter((_, i) => kept[i]).map((run) => ({ run }));
    const timings = await timeInterleaved(items, timing);
    let next = 0;
    return candidates.map((candidate, i) =>
      kept[i]
        ? { ...candidate, medianMs: timings[next++]!.medianMs / calls }
        : { ...candidate, dropped: `first run ${firstMs[i]!.toFixed(1)} ms, over ${SCREEN_MIN_MS} ms and ${SCREEN_FACTOR}x the fastest first run (${fastestFirst.toFixed(1)} ms)` },
    );
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}

function fastest(trials: readonly TuningTrial[]): OrtNodeSettings {
  return trials.filter((t) => t.medianMs !== undefined).sort((a, b) => a.medianMs! - b.medianMs!)[0]!.settings;
}

/**
 * The session options that run case `c` fastest with `threads` intra-op threads: first the graph
 * optimisation level (the option that changes the kernel), then, on the winner, each allocation
 * and threading option turned off one at a time. Combinations of those are not tried (each would
 * double the tuning's time); the report lists every trial.
 */
export async function tuneOnnxRuntimeNode(c: BenchCase, x: Float32Array, threads: number, timing: TimingOptions): Promise<Tuning> {
  const levels = await race(c, x, threads, LEVELS.map((level) => ({ change: level, settings: { ...ORT_NODE_DEFAULTS, graphOptimizationLevel: level } })), timing);
  const level = fastest(levels);
  const variants: Candidate[] = [
    { change: 'as chosen', settings: level },
    { change: 'arena off', settings: { ...level, enableCpuMemArena: false } },
    { change: 'memory pattern off', settings: { ...level, enableMemPattern: false } },
    ...(threads > 1 ? [{ change: 'spinning off', settings: { ...level, allowSpinning: false } }] : []),
  ];
  const options = await race(c, x, threads, variants, timing);
  return { threads, chosen: fastest(options), levels, options };
}

/**
 * 'host': a run is `session.run` up to the output array; 'resident': onnxruntime writes into an
 * output tensor preallocated once (no allocation, no copy out), what our `poolInto` on WasmTensors
 * competes with.
 */
export function onnxRuntimeNode(threads: number, contest: Contest, settings: OrtNodeSettings): Peer {
  return {
    label: `onnxruntime-node ${threads}t${contest === 'resident' ? ', output preallocated' : ''}`,
    library: 'onnxruntime-node',
    threads,
    contest,
    ...(contest === 'host' ? { output: 'fresh' as const } : {}),
    settings: describeSettings(settings, threads),
    async prepare(c, x) {
      const session = await createSession(c, threads, settings, 'static');
      return preparedRun(session, feedsOf(c, x), contest);
    },
  };
}

async function preparedRun(session: OrtTypes.InferenceSession, feeds: Record<string, OrtTypes.Tensor>, contest: Contest): Promise<PreparedPeer> {
  const fresh = freshRun(session, feeds);
  if (contest === 'host') return { run: fresh, result: fresh, release: () => session.release() };
  const first = (await session.run(feeds))[OUTPUT_NAME]!;
  const output = new Float32Array(first.data.length);
  const fetches = { [OUTPUT_NAME]: new (ort().Tensor)('float32', output, [...first.dims]) };
  const run = () => session.run(feeds, fetches);
  return { run, result: async () => (await run(), output), release: () => session.release() };
}

/**
 * The slow path beside the fast one, as information: the node with every dimension symbolic and
 * onnxruntime's default options (what the bench of issue 3 measured), or with static shapes and
 * the case's tuned options. Timed in a group of their own, so both see the same cache.
 */
export function onnxRuntimeNodeShapes(threads: number, shapes: ModelShapes, settings: OrtNodeSettings): Peer {
  return {
    label: `onnxruntime-node ${threads}t, ${shapes} shapes`,
    library: 'onnxruntime-node',
    threads,
    contest: 'host',
    output: 'fresh',
    settings: describeSettings(settings, threads),
    async prepare(c, x) {
      const session = await createSession(c, threads, settings, shapes);
      return preparedRun(session, feedsOf(c, x), 'host');
    },
  };
}
