/**
 * NumPy's .npy container (format versions 1 to 3): a magic string, a Python-dict header and the raw
 * array bytes. Only C-order float32 and float64 arrays, in either byte order, are read and written;
 * that is what the pooling ops take. The format is documented in numpy/lib/format.py.
 */
import { CliError } from './errors.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const ALIGNMENT = 64;

export type ByteOrder = 'little' | 'big';

export interface NpyArray {
  readonly shape: number[];
  readonly data: Float32Array | Float64Array;
  /** The byte order the file stored; the data above is always in the machine's (little-endian) order. */
  readonly byteOrder: ByteOrder;
}

/** A value of the Python literals a .npy header is written in. */
type PyValue = string | number | boolean | null | { readonly tuple: readonly PyValue[] } | { readonly list: readonly PyValue[] };

/**
 * Reads the header the way numpy does: the text is a Python dict literal (numpy evaluates it with
 * ast.literal_eval), so a key given twice takes its last value. Strings, True, False, None,
 * integers, tuples and lists are read; that covers what numpy writes and more. Python 2 wrote
 * shapes like (3L, 4L) in format versions 1 and 2, which numpy still reads.
 */
function parseHeaderDict(text: string, longIntegers: boolean): Map<string, PyValue> {
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${at} of the header`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const expect = (char: string) => {
    space();
    if (text[at] !== char) fail(`expected ${JSON.stringify(char)}`);
    at++;
  };
  const string = (): string => {
    let result = '';
    // Adjacent literals concatenate, as in Python: 'a' 'b' is 'ab'.
    while (text[at] === "'" || text[at] === '"') {
      const quote = text[at++];
      while (text[at] !== quote) {
        if (at >= text.length) fail('unterminated string');
        if (text[at] === '\\') at++;
        result += text[at++];
      }
      at++;
      space();
    }
    return result;
  };
  const sequence = (close: string): PyValue[] => {
    const items: PyValue[] = [];
    space();
    while (text[at] !== close) {
      items.push(value());
      space();
      if (text[at] === ',') at++;
      else if (text[at] !== close) fail(`expected "," or ${JSON.stringify(close)}`);
      space();
    }
    at++;
    return items;
  };
  const value = (): PyValue => {
    space();
    const char = text[at];
    if (char === "'" || char === '"') return string();
    if (char === '(') {
      // (3) is the number 3; (3,) and () are tuples.
      const start = at++;
      const items = sequence(')');
      const inner = text.slice(start + 1, at - 1).trim();
      return items.length === 1 && !inner.endsWith(',') ? items[0]! : { tuple: items };
    }
    if (char === '[') {
      at++;
      return { list: sequence(']') };
    }
    const word = /^(True|False|None)\b/.exec(text.slice(at));
    if (word) {
      at += word[1]!.length;
      return word[1] === 'None' ? null : word[1] === 'True';
    }
    const integer = (longIntegers ? /^[+-]?\d+[lL]?/ : /^[+-]?\d+/).exec(text.slice(at));
    if (!integer) return fail('expected a Python literal');
    at += integer[0].length;
    const number = Number(integer[0].replace(/[lL]$/, ''));
    if (!Number.isSafeInteger(number)) fail(`integer ${integer[0]} is too large`);
    return number;
  };
  const fields = new Map<string, PyValue>();
  expect('{');
  space();
  while (text[at] !== '}') {
    if (text[at] !== "'" && text[at] !== '"') fail('expected a string key');
    const key = string();
    expect(':');
    fields.set(key, value());
    space();
    if (text[at] === ',') at++;
    else if (text[at] !== '}') fail('expected "," or "}"');
    space();
  }
  at++;
  space();
  if (at < text.length) fail('unexpected text after the dict');
  return fields;
}

const HEADER_KEYS = ['descr', 'fortran_order', 'shape'];

function isTuple(value: PyValue | undefined): value is { readonly tuple: readonly PyValue[] } {
  return typeof value === 'object' && value !== null && 'tuple' in value;
}

export function readNpy(bytes: Uint8Array, file: string): NpyArray {
  const bad = (what: string) => new CliError(`${file}: not a valid .npy file (${what})`, 2);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('missing the \\x93NUMPY magic string');
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw bad(`unknown format version ${major}`);
  if (bytes.length < 8 + lengthBytes) throw bad('truncated header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (bytes.length < dataStart) throw bad('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  let fields: Map<string, PyValue>;
  try {
    fields = parseHeaderDict(header, major <= 2);
  } catch (error) {
    throw bad(`unreadable header: ${(error as Error).message}`);
  }
  const keys = [...fields.keys()].sort();
  if (keys.join() !== HEADER_KEYS.join()) {
    throw bad(`the header's keys are ${JSON.stringify(keys)}; numpy requires exactly ${JSON.stringify(HEADER_KEYS)}`);
  }
  const descr = fields.get('descr');
  const fortran = fields.get('fortran_order');
  const shapeValue = fields.get('shape');
  if (typeof fortran !== 'boolean') throw bad(`fortran_order must be True or False`);
  if (!isTuple(shapeValue) || shapeValue.tuple.some((d) => typeof d !== 'number' || d < 0)) {
    throw bad('shape must be a tuple of non-negative integers');
  }
  if (fortran) throw new CliError(`${file}: Fortran-order arrays are not supported; save it with numpy.ascontiguousarray`, 2);
  const kind = typeof descr === 'string' ? /^([<>|=])f([48])$/.exec(descr) : null;
  if (!kind) {
    throw new CliError(`${file}: dtype ${JSON.stringify(descr)} is not supported; expected float32 ('<f4', '>f4') or float64 ('<f8', '>f8')`, 2);
  }
  const shape = shapeValue.tuple as number[];
  const width = kind[2] === '4' ? 4 : 8;
  const count = shape.reduce((p, d) => p * d, 1);
  const available = bytes.length - dataStart;
  if (available < count * width) {
    throw new CliError(`${file}: truncated .npy file: shape (${shape.join(', ')}) needs ${count * width} data bytes, found ${available}`, 2);
  }
  const byteOrder: ByteOrder = kind[1] === '>' ? 'big' : 'little';
  const data = width === 4 ? new Float32Array(count) : new Float64Array(count);
  const little = byteOrder === 'little';
  for (let i = 0; i < count; i++) {
    data[i] = width === 4 ? view.getFloat32(dataStart + i * 4, little) : view.getFloat64(dataStart + i * 8, little);
  }
  return { shape, data, byteOrder };
}

export function writeNpy(shape: readonly number[], data: Float32Array | Float64Array, byteOrder: ByteOrder = 'little'): Uint8Array {
  const width = data instanceof Float32Array ? 4 : 8;
  const descr = `${byteOrder === 'big' ? '>' : '<'}f${width}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so the data starts on a 64-byte boundary; the header ends with a newline.
  const unpadded = MAGIC.length + 4 + header.length + 1;
  header += ' '.repeat((ALIGNMENT - (unpadded % ALIGNMENT)) % ALIGNMENT) + '\n';
  const dataStart = MAGIC.length + 4 + header.length;
  const bytes = new Uint8Array(dataStart + data.length * width);
  bytes.set(MAGIC, 0);
  bytes[6] = 1;
  bytes[7] = 0;
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) bytes[10 + i] = header.charCodeAt(i);
  const little = byteOrder === 'little';
  for (let i = 0; i < data.length; i++) {
    if (width === 4) view.setFloat32(dataStart + i * 4, data[i]!, little);
    else view.setFloat64(dataStart + i * 8, data[i]!, little);
  }
  return bytes;
}
