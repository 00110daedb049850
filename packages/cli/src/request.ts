/**
 * The pooling flags of `pool`, `batch` and `explain`, parsed from text into numbers and lists. Only
 * the spelling is checked here (is "2x3" a list of integers?); whether a kernel fits, a padding is
 * allowed or an option exists in a dialect is decided by the library and the dialect adapters.
 */
import { CliError } from './errors.js';

export const OPS = ['avg', 'max', 'lp', 'global-avg', 'global-max', 'adaptive-avg', 'adaptive-max'] as const;
export type OpName = (typeof OPS)[number];
export const DIALECTS = ['native', 'torch', 'onnx', 'keras', 'tfjs'] as const;
export type DialectName = (typeof DIALECTS)[number];

export type PaddingFlag =
  | { readonly kind: 'symmetric'; readonly values: readonly number[] }
  | { readonly kind: 'pairs'; readonly pairs: readonly (readonly [number, number])[] }
  | { readonly kind: 'valid' | 'same' | 'same-lower' };

/** What the user asked for, in the CLI's own terms; a single value in a list means "every axis". */
export interface PoolRequest {
  readonly op: OpName;
  readonly dialect: DialectName;
  readonly kernel?: readonly number[];
  readonly stride?: readonly number[];
  readonly dilation?: readonly number[];
  readonly padding?: PaddingFlag;
  readonly ceil: boolean;
  /** Undefined: the dialect's own default. */
  readonly countIncludePad?: boolean;
  readonly divisor?: number;
  readonly outputSize?: readonly (number | null)[];
  readonly p?: number;
  readonly backend?: string;
  /** The library's worker threads for one call (native ops). */
  readonly threads?: number;
  /** Tensor inputs only: where the channel axis is (native dialect), or Keras's data_format. */
  readonly layout?: 'channels-first' | 'channels-last';
  readonly spatialDims?: number;
  /** Each pooling flag given, as the user wrote it (`--kernel 0`, `--ceil`), for messages. */
  readonly spelled: Readonly<Record<string, string>>;
}

/** Raw option values as commander hands them over (strings, booleans, undefined). */
export interface PoolFlags {
  op?: string;
  dialect?: string;
  kernel?: string;
  stride?: string;
  dilation?: string;
  padding?: string;
  ceil?: boolean;
  countIncludePad?: boolean;
  divisor?: string;
  outputSize?: string;
  p?: string;
  backend?: string;
  threads?: string;
  layout?: string;
  spatialDims?: string;
}

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(`${flag} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function integer(flag: string, text: string, whole: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new CliError(
      `${flag} must be whole numbers of at most ${Number.MAX_SAFE_INTEGER}, one or one per axis separated by x or comma (e.g. 2 or 3x2); got ${JSON.stringify(whole)}`,
    );
  }
  return value;
}

/** One count: --threads, --spatial-dims, the input limits. */
export function parsePositiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new CliError(`${flag} must be one positive whole number (1, 2, 3, ...); got ${JSON.stringify(text)}`);
  }
  return value;
}

/** "2", "3x2", "3,2" or "3 2": one integer, or one per axis. */
export function parseIntegerList(flag: string, text: string): number[] {
  const parts = text.trim().split(/\s*[x,\s]\s*/i);
  return parts.map((part) => integer(flag, part, text));
}

function parseNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new CliError(`${flag} must be a number; got ${JSON.stringify(text)}`);
  return value;
}

/**
 * "1" (every side), "1,2" or "1x2" (symmetric per axis), "0:1,1:0" (begin:end per axis),
 * "valid", "same", "same-lower".
 */
export function parsePadding(text: string): PaddingFlag {
  const word = text.trim().toLowerCase();
  if (word === 'valid' || word === 'same' || word === 'same-lower') return { kind: word };
  if (word.includes(':')) {
    const pairs = word.split(/\s*,\s*/).map((pair) => {
      const ends = pair.split(':');
      if (ends.length !== 2) {
        throw new CliError(`--padding pairs are begin:end per axis, separated by commas (e.g. 0:1,1:0); got ${JSON.stringify(text)}`);
      }
      return [integer('--padding', ends[0]!, text), integer('--padding', ends[1]!, text)] as const;
    });
    return { kind: 'pairs', pairs };
  }
  return { kind: 'symmetric', values: parseIntegerList('--padding', word) };
}

/** "3", "3x4", "3,none": adaptive output sizes; none keeps that axis's input size. */
function parseOutputSize(text: string): (number | null)[] {
  return text
    .trim()
    .split(/\s*[x,]\s*/i)
    .map((part) => (/^(none|null|_)$/i.test(part) ? null : integer('--output-size', part, text)));
}

export function parsePoolFlags(flags: PoolFlags): PoolRequest {
  const op = choice('--op', flags.op ?? 'avg', OPS);
  const dialect = choice('--dialect', flags.dialect ?? 'native', DIALECTS);
  return {
    op,
    dialect,
    kernel: flags.kernel === undefined ? undefined : parseIntegerList('--kernel', flags.kernel),
    stride: flags.stride === undefined ? undefined : parseIntegerList('--stride', flags.stride),
    dilation: flags.dilation === undefined ? undefined : parseIntegerList('--dilation', flags.dilation),
    padding: flags.padding === undefined ? undefined : parsePadding(flags.padding),
    ceil: flags.ceil === true,
    countIncludePad: flags.countIncludePad,
    divisor: flags.divisor === undefined ? undefined : parseNumber('--divisor', flags.divisor),
    outputSize: flags.outputSize === undefined ? undefined : parseOutputSize(flags.outputSize),
    p: flags.p === undefined ? undefined : parseNumber('--p', flags.p),
    backend: flags.backend,
    threads: flags.threads === undefined ? undefined : parsePositiveInteger('--threads', flags.threads),
    layout: flags.layout === undefined ? undefined : choice('--layout', flags.layout, ['channels-first', 'channels-last'] as const),
    spatialDims: flags.spatialDims === undefined ? undefined : parsePositiveInteger('--spatial-dims', flags.spatialDims),
    spelled: spellings(flags),
  };
}

/** Command-line spellings of the pooling flags, keyed by the flag a library argument comes from. */
function spellings(flags: PoolFlags): Record<string, string> {
  const valued: [string, string | undefined][] = [
    ['--kernel', flags.kernel],
    ['--stride', flags.stride],
    ['--dilation', flags.dilation],
    ['--padding', flags.padding],
    ['--divisor', flags.divisor],
    ['--output-size', flags.outputSize],
    ['--p', flags.p],
    ['--backend', flags.backend],
    ['--threads', flags.threads],
    ['--layout', flags.layout],
    ['--spatial-dims', flags.spatialDims],
  ];
  const spelled: Record<string, string> = {};
  for (const [flag, text] of valued) {
    if (text !== undefined) spelled[flag] = `${flag} ${/^[^\s"']+$/.test(text) ? text : JSON.stringify(text)}`;
  }
  if (flags.ceil) spelled['--ceil'] = '--ceil';
  if (flags.countIncludePad !== undefined) spelled['--count-include-pad'] = flags.countIncludePad ? '--count-include-pad' : '--no-count-include-pad';
  return spelled;
}

/** The flags an op may read or refuse (--layout and --spatial-dims describe the input instead). */
const POOLING_FLAGS = ['--kernel', '--stride', '--dilation', '--padding', '--ceil', '--count-include-pad', '--divisor', '--output-size', '--p', '--backend', '--threads'];

/** The pooling flags a request sets, by their command-line names, for "does not apply" messages. */
export function givenFlags(request: PoolRequest): string[] {
  return POOLING_FLAGS.filter((flag) => request.spelled[flag] !== undefined);
}

/** The flags each op reads; any other pooling flag given with it is a usage error. */
const OP_FLAGS: Record<OpName, readonly string[]> = {
  avg: ['--kernel', '--stride', '--dilation', '--padding', '--ceil', '--count-include-pad', '--divisor', '--backend', '--threads'],
  max: ['--kernel', '--stride', '--dilation', '--padding', '--ceil', '--backend', '--threads'],
  lp: ['--kernel', '--stride', '--dilation', '--padding', '--ceil', '--p', '--backend', '--threads'],
  'global-avg': ['--backend', '--threads'],
  'global-max': ['--backend', '--threads'],
  'adaptive-avg': ['--output-size', '--backend', '--threads'],
  'adaptive-max': ['--output-size', '--backend', '--threads'],
};

export function checkFlagsApply(request: PoolRequest): void {
  const stray = givenFlags(request).filter((flag) => !OP_FLAGS[request.op].includes(flag));
  if (stray.length > 0) {
    throw new CliError(`${stray.join(', ')} ${stray.length === 1 ? 'does' : 'do'} not apply to --op ${request.op}`);
  }
  if ((request.op === 'avg' || request.op === 'max' || request.op === 'lp') && request.kernel === undefined && request.dialect !== 'keras') {
    throw new CliError(`--op ${request.op} needs --kernel (e.g. --kernel 2 or --kernel 3x2)`);
  }
  if (request.op.startsWith('adaptive') && request.outputSize === undefined) {
    throw new CliError(`--op ${request.op} needs --output-size (e.g. --output-size 7 or --output-size 7x5)`);
  }
}
