/** The shape of docs/bench-results.json. */
import type { TimingOptions } from './measure.js';
import type { Roof } from './roof.js';

export type Contest = 'host' | 'resident';

export interface ContenderResult {
  readonly label: string;
  readonly kind: 'ours' | 'peer';
  /**
   * 'host': input and output are the host's typed arrays (the output copied out of any native or
   * wasm memory); 'resident': tensors stay in the library's own memory (our WasmTensors, TF.js
   * tensors in their backend, onnxruntime with a preallocated output).
   */
  readonly contest: Contest;
  /** Ours: the backend asked for; `ran` is what executed (e.g. 'wasm x2' when the work split). */
  readonly backend?: string;
  readonly ran?: string;
  readonly threads: number;
  readonly medianMs?: number;
  readonly minMs?: number;
  readonly runs?: number;
  /** Ours: the wasm heap's peak of live blocks above those live before, on the calling thread. */
  readonly wasmScratchBytes?: number | undefined;
  /** Resident-set high-water mark during one run, over the resident set before it. */
  readonly peakExtraBytes?: number | undefined;
  /** Why it has no timing. */
  readonly skipped?: string;
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
  readonly timing: TimingOptions;
  readonly memoryMeasured: boolean;
  readonly backends: readonly string[];
  /** The better of the two measurements, per thread count. */
  readonly roof: readonly Roof[];
  /** At the start of the run and at its end. */
  readonly roofMeasurements: readonly (readonly Roof[])[];
  readonly cases: readonly CaseResult[];
  readonly accuracy: { readonly count: number; readonly exactMean: number; readonly rows: readonly AccuracyRow[] };
  readonly seconds: number;
}
