import { typedArrayKind, typedArrayRealLength } from '../typed-arrays.js';

/**
 * The stable `code` of a {@link PoolingError}, meant for programs (the message is for people and
 * may be worded better in any release). Each op's documentation lists the codes it throws.
 *
 * - `INVALID_RANK`: the input has the wrong number of axes for the op and its options (a rank-3
 *   input without `spatialDims` or a per-axis option, which reads two ways; more than 32 axes).
 * - `DATA_LENGTH_MISMATCH`: `data` does not hold the product of `shape` elements (or its buffer was
 *   resized or detached during the call).
 * - `UNSUPPORTED_DTYPE`: the data's array kind is not one the op takes (the ops take Float32Array
 *   and Float64Array), or two tensors that must share a dtype do not.
 * - `INVALID_PARAMETER`: an argument or option has the wrong type or value, or an options object
 *   has a name the op does not know (a typo is refused, never ignored).
 * - `PAD_TOO_LARGE`: padding over half the effective kernel (PyTorch's rule, kept by the library's
 *   own options and the PyTorch dialect).
 * - `OUTPUT_EMPTY`: a spatial axis of the input has size 0, or the window does not fit, so an
 *   output axis would have size 0 or less.
 * - `MASK_SHAPE_MISMATCH`: a mask or `validLengths` does not fit the input.
 * - `SIZE_TOO_LARGE`: a buffer would be over {@link setMaxBytes}'s limit or a tensor over
 *   {@link MAX_ELEMENTS} elements.
 * - `INDEX_OUT_OF_RANGE`: an index (unpooling, `explainWindow`) lies outside what it indexes.
 * - `SHAPE_MISMATCH`: a tensor's shape does not match the one it must have (a gradient and the
 *   forward output, an output and its plan).
 * - `UNSUPPORTED_OPTION`: a valid request this platform or backend cannot serve (`backend: 'wasm'`
 *   before {@link init}, a backend that cannot run the plan, a TF.js case not reproduced).
 * @category Errors
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

/**
 * The one error type of tensor-pooling. Every refused call throws it, before anything is allocated
 * or written: `code` is stable and meant for programs; `message` is for people: the op, the rule,
 * the caller's own argument names and values, and the derived values (input size, padding, kernel,
 * output size).
 *
 * @example
 * ```js
 * import { avgPool, PoolingError, tensor } from 'tensor-pooling';
 *
 * try {
 *   avgPool(tensor([1, 1, 4, 4], new Float32Array(16)), { kernel: 2, padding: 2 });
 * } catch (error) {
 *   if (!(error instanceof PoolingError)) throw error;
 *   console.log(error.code, error.op);
 *   // prints: PAD_TOO_LARGE avgPool
 *   console.log(error.message);
 *   // prints: avgPool: padding must be at most half the effective kernel size on every axis; got padding 2+2 with kernel 2 (effective 2) on axis H; input read as (N=1, C=1, H=4, W=4), channels-first
 * }
 * ```
 * @category Errors
 */
export class PoolingError extends Error {
  /** What went wrong, for programs: see {@link PoolingErrorCode}. */
  readonly code: PoolingErrorCode;
  /** The op that refused the call, in the caller's spelling (`avgPool`, `avg_pool2d`, `AveragePool`). */
  readonly op: string;
  /**
   * Made by the library; a registered {@link Backend} may throw one too.
   * @param code - The stable code.
   * @param op - The op's name; the message starts with it.
   * @param message - What was wrong and what was expected.
   */
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
