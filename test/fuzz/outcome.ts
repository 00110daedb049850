/** How one call ended, and the report records the fuzzer keeps. */

/** The classes of defect; their meaning is printed with the report (DEFECT_MEANINGS). */
export type DefectKind =
  | 'uncoded-throw'
  | 'unknown-code'
  | 'bad-message'
  | 'wrong-result'
  | 'accepted-invalid'
  | 'bad-result'
  | 'mutated-input'
  | 'poisoned-state'
  | 'hang'
  | 'memory'
  | 'crash'
  | 'harness'
  | 'cli-exit-code'
  | 'cli-stack-trace'
  | 'cli-internal-error'
  | 'cli-no-message'
  | 'cli-control-chars'
  | 'cli-wrote-outside'
  | 'cli-temp-left'
  | 'cli-input-modified'
  | 'cli-missing-output'
  | 'cli-wrong-output'
  | 'cli-hang'
  | 'cli-memory'
  | 'cli-signal';

export const DEFECT_MEANINGS: Readonly<Record<DefectKind, string>> = {
  'uncoded-throw': 'threw something other than a PoolingError',
  'unknown-code': 'a PoolingError whose code is not one of src/plan/errors.ts',
  'bad-message': 'a PoolingError whose message is too long, not a string, or does not start with the op the caller called',
  'wrong-result': 'a valid call gave the wrong shape, the wrong error code, or a representation change changed its bits',
  'accepted-invalid': 'returned normally where the docs say the input must be rejected',
  'bad-result': 'returned a tensor whose data does not fit its shape',
  'mutated-input': 'wrote to one of its arguments',
  'poisoned-state': 'a later ordinary call (the canary) gives different bits: a cache or global state was poisoned',
  hang: 'did not finish within the time limit',
  memory: 'grew memory past the limit',
  crash: 'the worker died or an error escaped the call (unhandled rejection)',
  harness: 'the fuzzer itself failed on this call (not necessarily the library)',
  'cli-exit-code': 'an exit code other than the documented meaning (0 ok, 1 some batch files failed, 2 bad usage or input)',
  'cli-stack-trace': 'a stack trace or an Error dump on stderr',
  'cli-internal-error': 'an engine error message (TypeError text and the like) shown as the reason',
  'cli-no-message': 'failed without saying why on stderr',
  'cli-control-chars': 'printed raw control characters that came from a file, its name or its contents (terminal escape injection)',
  'cli-wrote-outside': 'wrote a file outside the output it was given',
  'cli-temp-left': 'left a temporary file behind',
  'cli-input-modified': 'changed or removed an input file',
  'cli-missing-output': 'exited 0 without writing its output',
  'cli-wrong-output': 'wrote an output of the wrong shape',
  'cli-hang': 'did not exit within the time limit',
  'cli-memory': 'its resident memory grew past the limit',
  'cli-signal': 'was killed by a signal',
};

export type Outcome =
  | { readonly cls: 'ok'; readonly buffersGrowth?: number }
  | { readonly cls: 'coded'; readonly code: string; readonly buffersGrowth?: number }
  | { readonly cls: 'defect'; readonly kind: DefectKind; readonly detail: string; readonly buffersGrowth?: number };

/** One call as the report keeps it. */
export interface CallRecord {
  readonly door: string;
  readonly outcome: Outcome;
  /** The call, rendered short. */
  readonly rendered: string;
  readonly mode: string;
  readonly mutation: string;
  /** Replay: the arbitrary's seed and the run's index within it, or the door's bomb number. */
  readonly seed: number;
  readonly path: number;
  readonly bomb?: number;
  readonly ms: number;
}

/** When a fuzz run calls what: seeds in order, then fresh seeds until the deadline. */
export interface Schedule {
  readonly seeds: readonly number[];
  /** After the seeds: keep going with seeds from this one on until the deadline. */
  readonly openEnded?: number;
  /** performance.now() after which no call starts. */
  readonly deadline: number;
  readonly onRecord?: (record: CallRecord) => void;
}
