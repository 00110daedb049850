import { MAX_ELEMENTS } from '../tensor.js';
import { typedArrayKind } from '../typed-arrays.js';
import { PoolingError, show } from './errors.js';

/**
 * Expands a per-axis parameter (one number for every axis, or one per axis) into an array of
 * `rank` integers, each at least `min`. `name` is the caller's own spelling of the parameter.
 */
export function perAxis(
  op: string,
  name: string,
  value: number | readonly number[],
  rank: number,
  min: number,
): number[] {
  const values = typeof value === 'number' ? new Array<number>(rank).fill(value) : value;
  if (!Array.isArray(values) || values.length !== rank) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} must be one integer or ${rank} integers (one per spatial axis); got ${show(value)}`,
    );
  }
  for (const v of values) checkInteger(op, name, v, min, value);
  return [...values];
}

/**
 * Throws unless `v` is an integer from `min` to `max` (by default the largest axis a tensor may
 * have: sizes beyond it describe no tensor and lose precision in window arithmetic); `whole` is
 * what the caller passed, for the message.
 */
export function checkInteger(op: string, name: string, v: unknown, min: number, whole: unknown = v, max = MAX_ELEMENTS): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    const what = min === 1 ? 'positive integer' : min === 0 ? 'non-negative integer' : `integer >= ${min}`;
    const rule = isList(whole) ? `hold only ${what}s` : `be a ${what}`;
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must ${rule}; got ${show(whole)}`);
  }
  if (v > max) {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be at most ${max}; got ${show(whole)}`);
  }
  return v;
}

/** Array.isArray, except that a revoked proxy (which makes it throw) counts as no list. */
function isList(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

export function checkBoolean(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') {
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must be true or false; got ${show(v)}`);
  }
  return v;
}

export function checkOneOf<T extends string>(op: string, name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} must be one of ${allowed.map((a) => show(a)).join(', ')}; got ${show(v)}`,
    );
  }
  return v as T;
}

/** Per-axis option values are short: more items than a tensor has axes is a mistake, not a plan. */
const MAX_OPTION_ITEMS = 64;

/** An option's value read once: primitives as they are, short arrays (and arrays of pairs) copied. */
function copyOptionValue(op: string, name: string, value: unknown, depth: number): unknown {
  if (!Array.isArray(value)) return value;
  const length = value.length;
  if (length > MAX_OPTION_ITEMS || depth > 1) {
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} must be one value or one per spatial axis; got ${depth > 1 ? 'arrays nested too deep' : `an array of ${length} items`}: ${show(value)}`,
    );
  }
  const copy = new Array<unknown>(length);
  for (let i = 0; i < length; i++) copy[i] = copyOptionValue(op, name, value[i], depth + 1);
  return Object.freeze(copy);
}

/** Each list of known names as a set, made once per list (the lists are the ops' constants). */
const knownSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function setOf(known: readonly string[]): ReadonlySet<string> {
  let set = knownSets.get(known);
  if (!set) knownSets.set(known, (set = new Set(known)));
  return set;
}

/** How readOptions reads: defaults suit the library's own options objects. */
export interface ReadOptionsHow {
  /** Names whose values are data (masks, per-sample lengths): kept as read, not copied. */
  readonly dataNames?: readonly string[];
  /** The parameter's name in messages ("options", "attrs", "arguments"). */
  readonly name?: string;
  /** What a message calls one key ("option", "attribute"). */
  readonly noun?: string;
  /** Whether `undefined` means no options (default) or is refused. */
  readonly optional?: boolean;
  /** Unknown keys whose value is undefined are skipped rather than refused (ONNX attribute maps). */
  readonly ignoreUndefined?: boolean;
  /**
   * Unknown enumerable keys are copied into the snapshot rather than refused: for a reader in front
   * of another (the TF.js entry), whose own check names what each op takes.
   */
  readonly passUnknown?: boolean;
}

/**
 * A caller's options read exactly once into a plain snapshot: the snapshot is both what is planned
 * and the plan cache's key, so an options object that answers differently on a second read (a
 * getter, a proxy) cannot plan one thing and be cached as another. A plain object (an object
 * literal) is read by its own properties, enumerable or not; any other object (a class instance,
 * `Object.create(defaults)`, a proxy) by every known name, inherited ones included, each getter
 * called once. Own names that are not known are refused (a typo would otherwise be ignored). Array
 * values are copied (data names excepted). Anything the caller's object throws while being read
 * becomes a coded error.
 */
export function readOptions(
  op: string,
  options: unknown,
  known: readonly string[],
  how: ReadOptionsHow = {},
): Readonly<Record<string, unknown>> {
  const { dataNames = [], name = 'options', noun = 'option', optional = true, ignoreUndefined = false, passUnknown = false } = how;
  // No prototype: a name the caller did not give is undefined here, whatever Object.prototype holds.
  const snapshot: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (options === undefined && optional) return snapshot;
  try {
    if (typeof options !== 'object' || options === null || isList(options) || typedArrayKind(options) !== undefined) {
      throw new PoolingError('INVALID_PARAMETER', op, `${name} must be an object; got ${show(options)}`);
    }
    const knownSet = setOf(known);
    const proto: unknown = Object.getPrototypeOf(options);
    const plain = proto === Object.prototype || proto === null;
    // Own names: for a plain object all of them (a non-enumerable known option counts), but only
    // the enumerable ones must be known (a hidden property of another purpose is not a typo).
    const enumerable = Object.keys(options);
    const own = plain ? Object.getOwnPropertyNames(options) : enumerable;
    const record = options as Record<string, unknown>;
    for (const key of enumerable) {
      if (knownSet.has(key)) continue;
      if (ignoreUndefined && record[key] === undefined) continue;
      if (passUnknown) {
        snapshot[key] = record[key];
        continue;
      }
      throw new PoolingError(
        'INVALID_PARAMETER',
        op,
        `unknown ${noun} ${show(key)}; ${op} takes ${known.length ? known.map((k) => JSON.stringify(k)).join(', ') : 'none'}`,
      );
    }
    for (const key of plain ? own : known) {
      // Inherited or hidden names that are not options are none of ours.
      if (!knownSet.has(key)) continue;
      const value: unknown = record[key];
      if (value === undefined) continue;
      snapshot[key] = dataNames.length > 0 && dataNames.includes(key) ? value : copyOptionValue(op, key, value, 0);
    }
  } catch (error) {
    if (error instanceof PoolingError) throw error;
    throw new PoolingError(
      'INVALID_PARAMETER',
      op,
      `${name} could not be read (${error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : show(error)})`,
    );
  }
  // The snapshot stays the library's: never frozen (freezing a dictionary object costs more than
  // the whole read), never handed out.
  return snapshot;
}
