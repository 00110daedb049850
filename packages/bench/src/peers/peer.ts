/**
 * What every peer implements, so that the harness times them side by side: each builds what a run
 * needs once (sessions, tensors in its own memory), untimed, and then runs the case's op.
 */
import type { BenchCase } from '../cases.js';
import type { Run } from '../measure.js';
import type { Contest, OutputKind, PeerLibrary } from '../results.js';

export interface Peer {
  readonly label: string;
  readonly library: PeerLibrary;
  /** The most threads it uses: it competes with our runs at that thread count and above. */
  readonly threads: number;
  readonly contest: Contest;
  /** Host contest: whether each run returns a new output array or writes one passed in. */
  readonly output?: OutputKind;
  /** The settings it runs with, for the report (onnxruntime-node's tuned session options). */
  readonly settings?: string;
  /** Builds what a run needs, not timed. `x` is the case's input, channels-first. */
  prepare(c: BenchCase, x: Float32Array): Promise<PreparedPeer>;
}

export interface PreparedPeer {
  readonly run: Run;
  /**
   * The run makes the case's `callsPerRun` calls itself and resolves to the milliseconds they took
   * where they ran (a peer in a worker thread: the message there and back is not its cost).
   */
  readonly selfTimed?: boolean;
  /** Untimed, before each run: TF.js's backend is global, and other contenders switch it. */
  readonly before?: () => unknown;
  /** The output as a typed array, for the accuracy probe. */
  readonly result: () => Promise<Float32Array>;
  release(): Promise<void>;
}
