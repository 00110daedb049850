/** Characters of a caller's value a message quotes at most: a hostile value must not make a huge message. */
const QUOTED = 120;

/** A caller's value for a message: its type, and a short excerpt of it where that says something. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  if (typeof value === 'string') return JSON.stringify(value.length > QUOTED ? `${value.slice(0, QUOTED)}…` : value);
  if (typeof value === 'object') return Array.isArray(value) ? `an array of ${value.length} items` : 'an object';
  return `${typeof value} ${String(value).slice(0, QUOTED)}`;
}

/** "[2, 2]" for a list of sizes, as the ONNX spec writes them. */
export function list(values: readonly (number | string)[]): string {
  return `[${values.join(', ')}]`;
}
