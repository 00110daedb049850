/**
 * The runtimes the tests run models on: onnxruntime-node (CPU provider) and onnxruntime-web's wasm
 * backend in Node, one thread.
 */
import { createRequire } from 'node:module';
import type * as OrtNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';

const ortNode = createRequire(import.meta.url)('onnxruntime-node') as typeof OrtNode;
ortWeb.env.wasm.numThreads = 1;

export type TestedRuntime = 'onnxruntime-cpu' | 'onnxruntime-web-wasm';

export interface RunOutput {
  readonly shape: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** Runs `bytes` on `runtime` with float32 feeds; every graph output comes back by name. */
export async function runModel(
  runtime: TestedRuntime,
  bytes: Uint8Array,
  feeds: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: Float32Array }>>,
): Promise<Record<string, RunOutput>> {
  if (runtime === 'onnxruntime-cpu') {
    const session = await ortNode.InferenceSession.create(bytes);
    const inputs = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ortNode.Tensor('float32', t.data, [...t.shape])]));
    const result = await session.run(inputs);
    await session.release();
    return Object.fromEntries(Object.entries(result).map(([name, t]) => [name, { shape: [...t.dims], data: t.data as Float32Array | BigInt64Array }]));
  }
  const session = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const inputs = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ortWeb.Tensor('float32', t.data, [...t.shape])]));
  const result = await session.run(inputs);
  await session.release();
  return Object.fromEntries(Object.entries(result).map(([name, t]) => [name, { shape: [...t.dims], data: t.data as Float32Array | BigInt64Array }]));
}
