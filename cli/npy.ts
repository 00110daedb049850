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

function headerField(header: string, name: string): string | undefined {
  const match = new RegExp(`['"]${name}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`).exec(header);
  return match?.[1];
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
  const descr = headerField(header, 'descr')?.slice(1, -1);
  const fortran = headerField(header, 'fortran_order');
  const shapeText = headerField(header, 'shape');
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`unreadable header ${header.trim()}`);
  if (fortran === 'True') throw new CliError(`${file}: Fortran-order arrays are not supported; save it with numpy.ascontiguousarray`, 2);
  const kind = /^([<>|=])f([48])$/.exec(descr);
  if (!kind) throw new CliError(`${file}: dtype ${JSON.stringify(descr)} is not supported; expected float32 ('<f4', '>f4') or float64 ('<f8', '>f8')`, 2);
  const shape = shapeText
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw bad(`shape ${shapeText}`);
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
