/**
 * Tensor files: .npy (float32/float64, either byte order) and JSON {shape, data}. JSON cannot spell
 * NaN or Infinity, so they are written as the strings "NaN", "Infinity" and "-Infinity" and read back.
 */
import { extname } from 'node:path';
import type { Tensor } from 'tensor-pooling';
import { CliError } from './errors.js';
import { readNpy, writeNpy, type ByteOrder } from './npy.js';

export function isTensorPath(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === '.npy' || ext === '.json';
}

function jsonNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return undefined;
}

/** A short excerpt of a value from the file, for a message: never the whole of it, never a throw. */
function excerpt(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return 'a value nested too deep to show';
  }
  if (text === undefined) return String(value);
  return text.length <= 80 ? text : `${text.slice(0, 79)}… (${text.length} characters)`;
}

function parseJsonTensor(text: string, file: string): Tensor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const { shape, data, dtype } = (parsed ?? {}) as { shape?: unknown; data?: unknown; dtype?: unknown };
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new CliError(`${file}: expected {"shape": [non-negative integers], "data": [numbers]}; "shape" is ${excerpt(shape)}`);
  }
  if (!Array.isArray(data)) throw new CliError(`${file}: expected {"shape": [...], "data": [numbers]}; "data" is missing or not a flat array`);
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    throw new CliError(`${file}: "dtype" must be "float32" or "float64"; got ${excerpt(dtype)}`);
  }
  const values = (dtype === 'float32' ? new Float32Array(data.length) : new Float64Array(data.length));
  data.forEach((value, i) => {
    const number = jsonNumber(value);
    if (number === undefined) throw new CliError(`${file}: data[${i}] is ${excerpt(value)}, not a number`);
    values[i] = number;
  });
  const count = (shape as number[]).reduce((p, d) => p * d, 1);
  if (count !== values.length) {
    throw new CliError(`${file}: shape ${excerpt(shape)} needs ${count} values; "data" has ${values.length}`);
  }
  return { shape: shape as number[], data: values };
}

/** A tensor from the bytes of `file` (read with readInputFile). */
export function readTensor(file: string, bytes: Buffer): Tensor {
  if (extname(file).toLowerCase() === '.npy') {
    const { shape, data } = readNpy(bytes, file);
    return { shape, data };
  }
  return parseJsonTensor(bytes.toString('utf8'), file);
}

export function encodeTensor(path: string, y: Tensor, byteOrder: ByteOrder): Uint8Array | string {
  if (extname(path).toLowerCase() === '.npy') return writeNpy(y.shape, y.data, byteOrder);
  const data = Array.from(y.data, (v) => (Number.isFinite(v) ? v : String(v)));
  const dtype = y.data instanceof Float32Array ? 'float32' : 'float64';
  return `${JSON.stringify({ shape: y.shape, dtype, data })}\n`;
}
