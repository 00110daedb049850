/**
 * Images are (H, W, C); each dialect wants its own container: (C, H, W), (1, C, H, W),
 * (1, H, W, C) or (H, W, C). These are moves of data between containers, nothing more.
 */
import type { FloatArray, Tensor } from 'tensor-pooling';
import type { DialectAdapter } from './dialects.js';

/** (positions, channels) <-> (channels, positions): a transpose of a row-major matrix. */
function transpose<T extends FloatArray>(data: T, rows: number, columns: number): T {
  const out = new (data.constructor as new (length: number) => T)(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) out[c * rows + r] = data[r * columns + c]!;
  }
  return out;
}

/** An (H, W, C) image as the dialect's input tensor. */
export function imageForDialect<T extends FloatArray>(image: Tensor<T>, adapter: DialectAdapter): Tensor<T> {
  const channels = image.shape[image.shape.length - 1]!;
  const spatial = image.shape.slice(0, -1);
  const positions = image.data.length / channels;
  const shape = adapter.channelsLast ? [...spatial, channels] : [channels, ...spatial];
  const data = adapter.channelsLast ? image.data : transpose(image.data, positions, channels);
  return { shape: adapter.needsBatch ? [1, ...shape] : shape, data };
}

/** The dialect's output back as an (H, W, C) image, or (C) for global pooling that dropped the spatial axes. */
export function imageFromDialect<T extends FloatArray>(y: Tensor<T>, adapter: DialectAdapter, spatialRank: number): Tensor<T> {
  const shape = adapter.needsBatch ? y.shape.slice(1) : [...y.shape];
  if (shape.length === 1) return { shape, data: y.data };
  if (adapter.channelsLast) return { shape, data: y.data };
  const channels = shape[0]!;
  const spatial = shape.slice(1, 1 + spatialRank);
  const positions = y.data.length / channels;
  return { shape: [...spatial, channels], data: transpose(y.data, channels, positions) };
}
