/**
 * The conformance runner: every vector JSON under a folder (schema in
 * test/fixtures/conformance/README.md) goes through the matching dialect entry point (ONNX files
 * through runOnnxNode, TF.js files through the tfjs dialect) and is compared within the vector's
 * own tolerance. Pure: a folder in, one result per vector out; printing is the CLI's job.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PoolingError } from '../../src/plan/errors.js';
import { runOnnxNode, type OnnxAttributes, type OnnxOpType, type OnnxTensor } from '../../src/dialects/onnx.js';
import * as tfjs from '../../src/dialects/tfjs.js';

type JsonValue = number | string | boolean | null | JsonValue[] | { [key: string]: JsonValue };

interface VectorTensor {
  readonly name: string;
  readonly shape: number[] | null;
  readonly dtype: string;
  readonly data: (number | string)[] | null;
  readonly role?: string;
  readonly tensorLike?: boolean;
}

export interface Vector {
  readonly source: string;
  readonly name: string;
  readonly op: string;
  readonly kind: 'forward' | 'gradient' | 'shape-only' | 'error';
  readonly attrs: Record<string, JsonValue>;
  readonly inputs: VectorTensor[];
  readonly outputs: VectorTensor[];
  readonly tolerance?: { readonly rtol?: number; readonly atol?: number };
}

export interface VectorResult {
  /** Path relative to the folder that was run. */
  readonly file: string;
  readonly name: string;
  readonly kind: string;
  readonly passed: boolean;
  /** Largest absolute difference over all compared values (0 for exact matches and error vectors). */
  readonly maxError: number;
  /** Why it failed. */
  readonly message?: string;
}

type Produced = { readonly shape: readonly number[]; readonly data: ArrayLike<number | bigint> };

/** Every vector file under `folder`, sorted; index.json and other JSON without a `kind` are not vectors. */
export function findVectorFiles(folder: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.json') && entry !== 'index.json') files.push(path);
    }
  };
  walk(folder);
  return files;
}

/** The float32 parse rule: shortest decimals through Math.fround; non-finite values and -0 as strings. */
export function parseNumber(value: number | string): number {
  if (typeof value === 'number') return value;
  switch (value) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
  }
  throw new Error(`not a number: ${JSON.stringify(value)}`);
}

const CONTAINERS: Record<string, (values: number[]) => OnnxTensor['data']> = {
  float32: (v) => Float32Array.from(v),
  float64: (v) => Float64Array.from(v),
  int32: (v) => Int32Array.from(v),
  int8: (v) => Int8Array.from(v),
  uint8: (v) => Uint8Array.from(v),
  int64: (v) => BigInt64Array.from(v.map((n) => BigInt(n))),
};

const CONTAINER_NAMES: Record<string, string> = {
  float32: 'Float32Array',
  float64: 'Float64Array',
  int32: 'Int32Array',
  int8: 'Int8Array',
  uint8: 'Uint8Array',
  int64: 'BigInt64Array',
};

function decode(t: VectorTensor): OnnxTensor {
  const make = CONTAINERS[t.dtype];
  if (!make) throw new Error(`input ${t.name}: unknown dtype ${t.dtype}`);
  if (t.shape === null || t.data === null) throw new Error(`input ${t.name}: no shape or data`);
  return { shape: t.shape, data: make(t.data.map(parseNumber)) };
}

/** The nested-array form TF.js tests pass as a "tensor like" input. */
function nest(data: ArrayLike<number>, shape: readonly number[]): tfjs.TensorLike {
  if (shape.length === 0) return data[0]!;
  const [size, ...rest] = shape;
  const step = rest.reduce((p, d) => p * d, 1);
  return Array.from({ length: size! }, (_, i) => nest(Array.prototype.slice.call(data, i * step, (i + 1) * step), rest));
}

function tfjsInput(t: VectorTensor): tfjs.TfjsInput {
  const tensor = decode(t);
  if (!t.tensorLike) return tensor as tfjs.TfjsInput;
  return nest(tensor.data as ArrayLike<number>, tensor.shape);
}

const TFJS_ATTRS: Record<string, readonly string[]> = {
  avgPool: ['filterSize', 'strides', 'pad', 'dimRoundingMode'],
  maxPool: ['filterSize', 'strides', 'pad', 'dimRoundingMode'],
  avgPool3d: ['filterSize', 'strides', 'pad', 'dimRoundingMode', 'dataFormat'],
  maxPool3d: ['filterSize', 'strides', 'pad', 'dimRoundingMode', 'dataFormat'],
  pool: ['windowShape', 'poolingType', 'pad', 'dilations', 'strides', 'dimRoundingMode'],
  maxPoolWithArgmax: ['filterSize', 'strides', 'pad', 'includeBatchInIndex'],
};

/* The vector's attrs are JSON; the dialects validate them, so they pass through untyped. */
function runTfjs(v: Vector): Produced[] {
  const known = TFJS_ATTRS[v.op];
  if (!known) throw new Error(`no tfjs entry point for op ${v.op}`);
  const unknown = Object.keys(v.attrs).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new Error(`attrs the runner does not map: ${unknown.join(', ')}`);
  const a = v.attrs as Record<string, any>;
  const x = tfjsInput(v.inputs[0]!);
  if (v.kind === 'gradient') {
    const dy = tfjsInput(v.inputs[1]!);
    switch (v.op) {
      case 'avgPool':
        return [tfjs.avgPoolGrad(dy, x, a.filterSize, a.strides, a.pad)];
      case 'maxPool':
        return [tfjs.maxPoolGrad(dy, x, a.filterSize, a.strides, a.pad, a.dimRoundingMode)];
      case 'avgPool3d':
        return [tfjs.avgPool3dGrad(dy, x, a.filterSize, a.strides, a.pad, a.dimRoundingMode)];
      case 'maxPool3d':
        return [tfjs.maxPool3dGrad(dy, x, a.filterSize, a.strides, a.pad, a.dimRoundingMode)];
      case 'pool':
        return [tfjs.poolGrad(dy, x, a.windowShape, a.poolingType, a.pad, a.dilations, a.strides, a.dimRoundingMode)];
    }
    throw new Error(`no tfjs gradient for op ${v.op}`);
  }
  switch (v.op) {
    case 'avgPool':
      return [tfjs.avgPool(x, a.filterSize, a.strides, a.pad, a.dimRoundingMode)];
    case 'maxPool':
      return [tfjs.maxPool(x, a.filterSize, a.strides, a.pad, a.dimRoundingMode)];
    case 'avgPool3d':
      return [tfjs.avgPool3d(x, a.filterSize, a.strides, a.pad, a.dimRoundingMode, a.dataFormat)];
    case 'maxPool3d':
      return [tfjs.maxPool3d(x, a.filterSize, a.strides, a.pad, a.dimRoundingMode, a.dataFormat)];
    case 'pool':
      return [tfjs.pool(x, a.windowShape, a.poolingType, a.pad, a.dilations, a.strides, a.dimRoundingMode)];
    case 'maxPoolWithArgmax': {
      const { result, indexes } = tfjs.maxPoolWithArgmax(x, a.filterSize, a.strides, a.pad, a.includeBatchInIndex);
      return [result, indexes];
    }
  }
  throw new Error(`no tfjs entry point for op ${v.op}`);
}

function runOnnx(v: Vector): Produced[] {
  if (v.kind === 'gradient') throw new Error('ONNX vectors have no gradients');
  return runOnnxNode(v.op as OnnxOpType, v.attrs as OnnxAttributes, v.inputs.map(decode));
}

export function runDialect(v: Vector): Produced[] {
  return v.source.startsWith('onnx') ? runOnnx(v) : runTfjs(v);
}

interface Comparison {
  readonly maxError: number;
  readonly failure?: string;
}

function compareOutput(expected: VectorTensor, actual: Produced | undefined, v: Vector): Comparison {
  if (!actual) return { maxError: Infinity, failure: `output ${expected.name} is missing` };
  const label = `output ${expected.name}`;
  if (expected.shape !== null && (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape![i]))) {
    return { maxError: Infinity, failure: `${label}: shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]` };
  }
  if (expected.data === null) return { maxError: 0 };
  const container = CONTAINER_NAMES[expected.dtype];
  if (container !== actual.data.constructor.name) {
    return { maxError: Infinity, failure: `${label}: ${actual.data.constructor.name}, expected ${container} (${expected.dtype})` };
  }
  if (actual.data.length !== expected.data.length) {
    return { maxError: Infinity, failure: `${label}: ${actual.data.length} values, expected ${expected.data.length}` };
  }
  const exact = expected.role === 'indices' || !expected.dtype.startsWith('float');
  const rtol = exact ? 0 : (v.tolerance?.rtol ?? 0);
  const atol = exact ? 0 : (v.tolerance?.atol ?? 0);
  const want = expected.dtype === 'float32' ? (n: number) => Math.fround(n) : (n: number) => n;
  let maxError = 0;
  let worst = -1;
  let failures = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = want(parseNumber(expected.data[i]!));
    const a = Number(actual.data[i]!);
    let error: number;
    if (Number.isNaN(e) || Number.isNaN(a)) error = Number.isNaN(e) && Number.isNaN(a) ? 0 : Infinity;
    else if (!Number.isFinite(e) || !Number.isFinite(a)) error = e === a ? 0 : Infinity;
    else error = Math.abs(a - e);
    if (error > maxError) {
      maxError = error;
      worst = i;
    }
    const allowed = Number.isFinite(e) ? atol + rtol * Math.abs(e) : 0;
    if (!(error <= allowed)) failures++;
  }
  if (failures > 0) {
    return {
      maxError,
      failure: `${label}: ${failures} of ${expected.data.length} values out of tolerance (rtol ${rtol}, atol ${atol}); ` +
        `largest error ${maxError} at index ${worst}: got ${Number(actual.data[worst]!)}, expected ${want(parseNumber(expected.data[worst]!))}`,
    };
  }
  return { maxError };
}

/** Runs one vector through its dialect and compares. */
export function runVector(v: Vector, file: string): VectorResult {
  const base = { file, name: v.name, kind: v.kind };
  let produced: Produced[];
  try {
    produced = runDialect(v);
  } catch (error) {
    if (v.kind === 'error' && error instanceof PoolingError) return { ...base, passed: true, maxError: 0 };
    const what = error instanceof PoolingError ? `PoolingError ${error.code}` : 'unexpected error';
    return { ...base, passed: false, maxError: Infinity, message: `${what}: ${(error as Error).message}` };
  }
  if (v.kind === 'error') return { ...base, passed: false, maxError: 0, message: 'expected a PoolingError; the call returned' };
  let maxError = 0;
  const failures: string[] = [];
  v.outputs.forEach((expected, i) => {
    const c = compareOutput(expected, produced[i], v);
    maxError = Math.max(maxError, c.maxError);
    if (c.failure) failures.push(c.failure);
  });
  return failures.length === 0 ? { ...base, passed: true, maxError } : { ...base, passed: false, maxError, message: failures.join('; ') };
}

/** Every vector under `folder`, run and compared, in file order. */
export function runConformance(folder: string): VectorResult[] {
  return findVectorFiles(folder).map((path) => {
    const file = relative(folder, path);
    let vector: Vector;
    try {
      vector = JSON.parse(readFileSync(path, 'utf8')) as Vector;
    } catch (error) {
      return { file, name: file, kind: 'unreadable', passed: false, maxError: Infinity, message: (error as Error).message };
    }
    if (typeof vector !== 'object' || vector === null || typeof vector.kind !== 'string') {
      return { file, name: file, kind: 'unknown', passed: false, maxError: Infinity, message: 'not a conformance vector (no kind)' };
    }
    return runVector(vector, file);
  });
}
