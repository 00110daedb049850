/**
 * TF.js's cpu and wasm backends, channels-last, each op as TF.js users write it; global average as
 * `tf.mean` over the spatial axes, which is what Keras's GlobalAveragePooling layers run. The wasm
 * backend's thread pool needs cross-origin isolation in browsers and is off in Node: one thread.
 */
import { createRequire } from 'node:module';
import type * as TfTypes from '@tensorflow/tfjs-core';
import { toChannelsLast, type BenchCase } from '../cases.js';
import type { Contest } from '../results.js';
import type { Peer } from './peer.js';

const require = createRequire(import.meta.url);

type Tf = typeof TfTypes;
let tfModule: Tf | undefined;

function tf(): Tf {
  if (tfModule) return tfModule;
  const loaded = require('@tensorflow/tfjs-core') as Tf;
  require('@tensorflow/tfjs-backend-cpu');
  require('@tensorflow/tfjs-backend-wasm');
  // Production mode silences the cpu backend's banner suggesting tfjs-node.
  loaded.env().set('PROD', true);
  loaded.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return (tfModule = loaded);
}

function tfOp(t: Tf, c: BenchCase, x: TfTypes.Tensor): TfTypes.Tensor {
  const rank = c.shape.length - 2;
  if (c.op === 'global-avg') return t.mean(x, Array.from({ length: rank }, (_, a) => a + 1));
  const pad = c.padding ? c.padding : 'valid';
  const rounding = c.padding ? 'floor' : undefined;
  if (rank === 3) {
    const k = c.kernel as [number, number, number];
    const s = c.stride as [number, number, number];
    if (c.op === 'avg') return t.avgPool3d(x as TfTypes.Tensor5D, k, s, pad as 'valid', rounding);
    return t.maxPool3d(x as TfTypes.Tensor5D, k, s, pad as 'valid', rounding);
  }
  const k = c.kernel as [number, number];
  const s = c.stride as [number, number];
  return c.op === 'avg'
    ? t.avgPool(x as TfTypes.Tensor4D, k, s, pad, rounding)
    : t.maxPool(x as TfTypes.Tensor4D, k, s, pad, rounding);
}

/**
 * 'host': the op plus `dataSync()`; 'resident': the op alone, its result left in the backend and
 * disposed (the cpu and wasm backends compute when the op is called).
 */
export function tfjs(backend: 'cpu' | 'wasm', contest: Contest): Peer {
  return {
    label: `tfjs-${backend}${contest === 'resident' ? ', result left in the backend' : ''}`,
    library: `tfjs-${backend}`,
    threads: 1,
    contest,
    ...(contest === 'host' ? { output: 'fresh' as const } : {}),
    async prepare(c, x) {
      const t = tf();
      if (!(await t.setBackend(backend)) || t.getBackend() !== backend) throw new Error(`TF.js ${backend} backend unavailable`);
      const last = toChannelsLast(x, c.shape);
      const input = t.tensor(last.data, last.shape, 'float32');
      const fresh = () => {
        const y = tfOp(t, c, input);
        const data = y.dataSync() as Float32Array;
        y.dispose();
        return data;
      };
      const run = contest === 'host' ? fresh : () => tfOp(t, c, input).dispose();
      const before = () => (t.getBackend() === backend ? undefined : t.setBackend(backend));
      return { run, before, result: async () => fresh(), release: async () => input.dispose() };
    },
  };
}
