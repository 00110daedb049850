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

/** Throws unless `v` is an integer >= min; `whole` is what the caller passed, for the message. */
export function checkInteger(op: string, name: string, v: unknown, min: number, whole: unknown = v): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    const what = min === 1 ? 'positive integer' : min === 0 ? 'non-negative integer' : `integer >= ${min}`;
    const rule = Array.isArray(whole) ? `hold only ${what}s` : `be a ${what}`;
    throw new PoolingError('INVALID_PARAMETER', op, `${name} must ${rule}; got ${show(whole)}`);
  }
  return v;
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

/** Throws if an options object names a key the op does not know (a typo would otherwise be silently ignored). */
export function checkKnownKeys(op: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new PoolingError(
        'INVALID_PARAMETER',
        op,
        `unknown option ${show(key)}; expected one of ${known.map((k) => show(k)).join(', ')}`,
      );
    }
  }
}
