/**
 * The one error type of tensor-pooling. `code` is stable and meant for programs;
 * `message` is for people: the op, the rule, the caller's own argument names and
 * values, and the derived values (input size, padding, kernel, output size).
 */
export type PoolingErrorCode =
  | 'INVALID_RANK'
  | 'DATA_LENGTH_MISMATCH'
  | 'UNSUPPORTED_DTYPE'
  | 'INVALID_PARAMETER'
  | 'PAD_TOO_LARGE'
  | 'OUTPUT_EMPTY'
  | 'MASK_SHAPE_MISMATCH'
  | 'SIZE_TOO_LARGE'
  | 'INDEX_OUT_OF_RANGE'
  | 'SHAPE_MISMATCH'
  | 'UNSUPPORTED_OPTION';

export class PoolingError extends Error {
  readonly code: PoolingErrorCode;
  readonly op: string;
  constructor(code: PoolingErrorCode, op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'PoolingError';
    this.code = code;
    this.op = op;
  }
}

/** Renders a value the way the caller wrote it: arrays stay arrays, strings are quoted. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as { length: number }).length})`;
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
