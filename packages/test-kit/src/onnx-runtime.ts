/**
 * onnxruntime-node as a peer: runs one ONNX node on the CPU execution provider. Sessions are cached
 * per (op, attributes, opset, dtypes, ranks) with symbolic dimensions, so one session serves every
 * input shape that shares those attributes.
 */
import { createRequire } from 'node:module';
import type * as OrtTypes from 'onnxruntime-node';
import { encodeOneNodeModel, type AttributeValue, type ElemTypeName, type Int64Initializer } from './onnx-model.js';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof OrtTypes;

export type OrtData = Float32Array | Float64Array | Uint8Array | Int8Array | BigInt64Array;

export interface OrtTensor {
  readonly shape: readonly number[];
  readonly data: OrtData;
}

export interface OrtNodeRequest {
  readonly opType: string;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly inputs: readonly OrtTensor[];
  /** Element type of each output; the pooling ops have Y (like X) and MaxPool an optional int64 Indices. */
  readonly outputTypes: readonly ElemTypeName[];
  readonly initializers?: readonly Int64Initializer[];
  readonly opset?: number;
}

function elemTypeOf(data: OrtData): ElemTypeName {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  return 'int64';
}

const ORT_TYPE_NAME: Record<ElemTypeName, 'float32' | 'float64' | 'uint8' | 'int8' | 'int64'> = {
  float32: 'float32',
  float64: 'float64',
  uint8: 'uint8',
  int8: 'int8',
  int64: 'int64',
};

const sessions = new Map<string, Promise<OrtTypes.InferenceSession>>();

/** How many distinct sessions were built: lets a suite report (and keep an eye on) its cost. */
export function sessionCount(): number {
  return sessions.size;
}

function sessionFor(request: OrtNodeRequest): Promise<OrtTypes.InferenceSession> {
  const inputs = request.inputs.map((t, i) => ({
    name: `x${i}`,
    elemType: elemTypeOf(t.data),
    shape: t.shape.map((_, d) => `x${i}_d${d}`),
  }));
  const outputs = request.outputTypes.map((elemType, i) => ({
    name: `y${i}`,
    elemType,
    shape: (request.inputs[0]?.shape ?? []).map((_, d) => `y${i}_d${d}`),
  }));
  const model = {
    opType: request.opType,
    attributes: request.attributes,
    inputs,
    outputs,
    opset: request.opset ?? 22,
    ...(request.initializers ? { initializers: request.initializers } : {}),
  };
  const key = JSON.stringify(model);
  let session = sessions.get(key);
  if (!session) {
    // Graph optimisations would only fold or fuse; a one-node graph is what we want to measure.
    session = ort.InferenceSession.create(encodeOneNodeModel(model), {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      // Rejections reach the caller as exceptions; pinned ones must not also spam the log.
      logSeverityLevel: 4,
    });
    sessions.set(key, session);
  }
  return session;
}

/** Runs the node on onnxruntime's CPU provider and returns its outputs in order. */
export async function runOrtNode(request: OrtNodeRequest): Promise<OrtTensor[]> {
  const session = await sessionFor(request);
  const feeds: Record<string, OrtTypes.Tensor> = {};
  request.inputs.forEach((t, i) => {
    feeds[`x${i}`] = new ort.Tensor(ORT_TYPE_NAME[elemTypeOf(t.data)], t.data, [...t.shape]);
  });
  const results = await session.run(feeds);
  return request.outputTypes.map((_, i) => {
    const out = results[`y${i}`];
    if (!out) throw new Error(`onnxruntime returned no output y${i} for ${request.opType}`);
    return { shape: [...out.dims], data: out.data as OrtData };
  });
}

/** Releases every cached session (call once at the end of a suite so node can exit promptly). */
export async function releaseOrtSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  const settled = await Promise.allSettled(all);
  for (const result of settled) if (result.status === 'fulfilled') await result.value.release();
}
