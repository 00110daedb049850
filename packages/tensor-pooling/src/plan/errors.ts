import { typedArrayKind, typedArrayRealLength } from '../typed-arrays.js';

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
    // Callers may make their own (a registered backend, say): any value gives a readable message.
    const opText = typeof op === 'string' ? op : show(op);
    super(`${opText}: ${typeof message === 'string' ? message : show(message)}`);
    this.name = 'PoolingError';
    this.code = code;
    this.op = opText;
  }
}

/** Characters of a caller's value a message quotes at most: a hostile value must not make a huge message. */
const SHOW_LIMIT = 120;
/** Items of an array (or keys of an object) a message lists before it says how many more there are. */
const SHOW_ITEMS = 8;
/** Nesting a message follows before it writes "…": a 20,000-deep array must not exhaust the stack. */
const SHOW_DEPTH = 3;


function excerpt(text: string, limit = SHOW_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function quote(text: string): string {
  // JSON escapes control characters and quotes, so a file name or option cannot rewrite a terminal line.
  if (text.length <= SHOW_LIMIT) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, SHOW_LIMIT - 1))}… (${text.length} characters)`;
}

function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'bigint':
      return `${excerpt(value.toString(), 40)}n`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'symbol':
      return excerpt(value.toString(), 40);
    case 'function':
      return `a function${value.name ? ` ${quote(value.name)}` : ''}`;
  }
  if (value === null) return 'null';
  // Read through the intrinsic getters: a subclass's own `length` may lie.
  const kind = typedArrayKind(value);
  if (kind !== undefined) return `${kind}(${typedArrayRealLength(value)})`;
  if (depth >= SHOW_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
  if (Array.isArray(value)) {
    const length = value.length;
    const items: string[] = [];
    for (let i = 0; i < Math.min(length, SHOW_ITEMS); i++) items.push(render(value[i], depth + 1));
    if (length > SHOW_ITEMS) items.push(`… (${length} items)`);
    return `[${items.join(', ')}]`;
  }
  const keys = Object.keys(value as object);
  const entries = keys.slice(0, SHOW_ITEMS).map((key) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key)}: ${render((value as Record<string, unknown>)[key], depth + 1)}`);
  if (keys.length > SHOW_ITEMS) entries.push(`… (${keys.length} keys)`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/**
 * Renders a caller's value the way the caller wrote it (arrays stay arrays, strings are quoted),
 * for messages: at most a short excerpt of it, never throwing, whatever the value (a revoked
 * proxy, a getter that throws, a bigint in an object without a prototype).
 */
export function show(value: unknown): string {
  try {
    return excerpt(render(value, 0), 4 * SHOW_LIMIT);
  } catch {
    return 'a value that cannot be read';
  }
}
