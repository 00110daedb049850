/** The shape of docs/bench-results.json. */
import type { DoorName } from './doors.js';
import type { HostFeatures } from './host.js';
import type { Timing, TimingOptions } from './measure.js';
import type { WebThreadInfo } from './peers/onnxruntime-web.js';
import type { Roof } from './roof.js';

/**
 * 'host': input and output are the host's typed arrays (the output copied out of any native or
 * wasm memory); 'resident': tensors stay in the library's own memory (our WasmTensors, TF.js
 * tensors in their backend, onnxruntime-node with a preallocated output).
 */
export type Contest = 'host' | 'resident';

/** Host arrays: a new output array each call ('fresh'), or one the caller passes ('passed'). */
export type OutputKind = 'fresh' | 'passed';

/** How our contenders are labelled: the op with a backend, `poolInto` on host arrays, on WasmTensors. */
export const opLabel = (backend: string, threads: number) => `ours ${backend} ${threads}t`;
export const poolIntoLabel = (threads: number) => `ours poolInto ${threads}t`;
export const residentLabel = (threads: number) => `ours wasm zero-copy ${threads}t`;

export type PeerLibrary = 'onnxruntime-node' | 'onnxruntime-web' | 'tfjs-cpu' | 'tfjs-wasm';

export interface ContenderResult {
  readonly label: string;
  readonly kind: 'ours' | 'peer';
  /** A peer's library (and backend). */
  readonly library?: PeerLibrary;
  readonly contest: Contest;
  readonly output?: OutputKind;
  /** Ours: the backend asked for; `ran` is what executed (e.g. 'wasm x2' when the work split). */
  readonly backend?: string;
  readonly ran?: string;
  readonly threads: number;
  /** A peer's options (onnxruntime-node: the session options its tuning chose). */
  readonly settings?: string;
  readonly medianMs?: number;
  readonly p10Ms?: number;
  readonly minMs?: number;
  readonly runs?: number;
  /** Ours: the wasm heap's peak of live blocks above those live before, on the calling thread. */
  readonly wasmScratchBytes?: number | undefined;
  /** Resident-set high-water mark during one run, over the resident set before it. */
  readonly peakExtraBytes?: number | undefined;
  /** Why it has no timing. */
  readonly skipped?: string;
}

/** One door on one case, timed interleaved with the own op it stands for (per-call times). */
export interface DoorResult {
  readonly door: DoorName;
  readonly call?: string;
  readonly ownCall?: string;
  readonly doorTiming?: Timing;
  readonly ownTiming?: Timing;
  /** The dialect has no op for the case, or the call failed. */
  readonly missing?: string;
}

/** One set of session options tried: what it changed, and its median per call or why it was dropped. */
export interface TuningTrialResult {
  /** A level in the first round; in the second, an option turned off, or nothing ('as chosen'). */
  readonly change: string;
  /** Per call. */
  readonly medianMs?: number;
  /** Why it was not timed further. */
  readonly dropped?: string;
}

/** onnxruntime-node's session options tried on a case with one thread count, and the winner. */
export interface TuningResult {
  readonly threads: number;
  readonly chosen: string;
  /** The graph optimisation levels raced with onnxruntime's other defaults. */
  readonly levels: readonly TuningTrialResult[];
  /** On the winning level: each option turned off in turn ('as chosen': none). */
  readonly options: readonly TuningTrialResult[];
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly op: string;
  readonly shape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inBytes: number;
  readonly outBytes: number;
  /** Calls per timed run (times are per call); absent for 1. */
  readonly callsPerRun?: number;
  readonly contenders: readonly ContenderResult[];
  readonly onnxruntimeNodeTuning: readonly TuningResult[];
  /**
   * onnxruntime-node with every dimension symbolic beside static shapes (tuned options), timed as a
   * group of their own: information, never a target's peer.
   */
  readonly slowPath: readonly ContenderResult[];
  readonly doors: readonly DoorResult[];
}

export interface AccuracyRow {
  readonly label: string;
  readonly value: number;
  readonly absoluteError: number;
  readonly relativeError: number;
  readonly float32Ulps: number;
}

export interface BenchResults {
  readonly command: string;
  readonly quick: boolean;
  readonly date: string;
  readonly machine: {
    readonly cpu: string;
    readonly cores: number;
    readonly memoryGiB: number;
    readonly node: string;
    readonly os: string;
    readonly loadAverage: readonly number[];
  };
  readonly host: HostFeatures;
  readonly timing: TimingOptions;
  readonly doorTiming: TimingOptions;
  readonly memoryMeasured: boolean;
  readonly backends: readonly string[];
  /** What each onnxruntime-web worker thread found when it started. */
  readonly onnxruntimeWeb: readonly WebThreadInfo[];
  /** Whether this build's runOnnxNode takes the outputs argument (MaxPool then computes Y alone). */
  readonly runOnnxNodeTakesOutputs: boolean;
  /** The better of the two measurements, per thread count. */
  readonly roof: readonly Roof[];
  /** At the start of the run and at its end. */
  readonly roofMeasurements: readonly (readonly Roof[])[];
  readonly cases: readonly CaseResult[];
  readonly accuracy: { readonly count: number; readonly exactMean: number; readonly rows: readonly AccuracyRow[] };
  readonly seconds: number;
}
