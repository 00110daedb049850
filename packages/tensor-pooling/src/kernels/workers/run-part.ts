/**
 * Runs one part of a split plan with a single-thread backend, on views of the whole tensors. The
 * main thread and the workers both come through here, so every part is computed the same way.
 */
import type { Backend } from '../backend.js';
import type { PoolPlan } from '../../plan/plan.js';
import type { FloatArray } from '../../tensor.js';
import { wasmChunkSums } from '../wasm/wasm-backend.js';
import type { PlaneChunks } from './split.js';

export interface ForwardViews {
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly indices?: Int32Array;
}

export interface BackwardViews {
  readonly dy: FloatArray;
  readonly dx: FloatArray;
  /** The forward input: max and Lp gradients read it. */
  readonly x?: FloatArray;
}

function shiftIndices(target: Int32Array, source: Int32Array, indexOffset: number): void {
  if (indexOffset === 0) {
    target.set(source);
    return;
  }
  // -1 marks a window with no tap (every tap NaN and skipped): it stays -1.
  for (let i = 0; i < source.length; i++) {
    const index = source[i]!;
    target[i] = index < 0 ? index : index + indexOffset;
  }
}

/**
 * `forwardInto` writes in place (without the indices of the maxima when nobody wants them: the
 * wasm backend then runs a values-only kernel, about twice as fast); `forward` allocates and is
 * copied from.
 */
export function runForwardPart(backend: Backend, plan: PoolPlan, views: ForwardViews, indexOffset: number): void {
  const x = { shape: plan.inputShape, data: views.x };
  let indices: Int32Array | undefined;
  if (backend.forwardInto) {
    indices = backend.forwardInto(plan, x, views.y, views.indices !== undefined);
  } else {
    const result = backend.forward(plan, x);
    views.y.set(result.y);
    if (views.indices) indices = result.indices;
  }
  if (views.indices && indices) shiftIndices(views.indices, indices, indexOffset);
}

export function runBackwardPart(backend: Backend, plan: PoolPlan, views: BackwardViews): void {
  const dy = { shape: plan.outputShape, data: views.dy };
  const x = views.x ? { shape: plan.inputShape, data: views.x } : undefined;
  views.dx.set(backend.backward(plan, dy, x));
}

/**
 * The sums of chunks [firstChunk, firstChunk + sums.length) of a global average (see split.ts
 * ChunkPart), `x` holding their values: the run cut where it crosses from one plane to the next,
 * each plane's piece summed chunk by chunk as the single-thread kernel sums it.
 */
export function runChunkSumsPart(x: Float32Array, sums: Float64Array, firstChunk: number, chunks: PlaneChunks): void {
  const { planeSize, chunkValues, chunksPerPlane } = chunks;
  let at = 0;
  for (let done = 0; done < sums.length; ) {
    const chunk = (firstChunk + done) % chunksPerPlane;
    const count = Math.min(chunksPerPlane - chunk, sums.length - done);
    const length = Math.min((chunk + count) * chunkValues, planeSize) - chunk * chunkValues;
    wasmChunkSums(x.subarray(at, at + length), sums.subarray(done, done + count), planeSize, chunk);
    at += length;
    done += count;
  }
}
