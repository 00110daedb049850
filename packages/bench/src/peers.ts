/**
 * The peers, each in its own layout and with its own idiom for the op: onnxruntime-node (one-node
 * ONNX models built in memory, channels-first, 1 and 2 intra-op threads) and TF.js's cpu and wasm
 * backends (channels-last; global average as `tf.mean` over the spatial axes, which is what Keras's
 * GlobalAveragePooling layers run). Each peer runs in two contests: 'host' (a run includes getting the
 * result as a new typed array, as our ops do) and 'resident' (the result stays in the peer's memory:
 * TF.js tensors left in the backend, onnxruntime writing into an output preallocated once), which is
 * what our WasmTensors and `poolInto` compete with.
 */
import { createRequire } from 'node:module';
import type * as OrtTypes from 'onnxruntime-node';
import type * as TfTypes from '@tensorflow/tfjs-core';
import { encodeOneNodeModel, type AttributeValue } from '@tensor-pooling/test-kit/onnx-model';
import { toChannelsLast, type BenchCase } from './cases.js';
import type { Run } from './measure.js';
import type { Contest } from './results.js';

const require = createRequire(import.meta.url);

export interface Peer {
  readonly label: string;
  /** The most threads it uses: it competes with our runs at that thread count and above. */
  readonly threads: number;
  readonly contest: Contest;
  /** Builds what a run needs (sessions, tensors in the peer's memory), not timed. */
  prepare(c: BenchCase, x: Float32Array): Promise<PreparedPeer>;
}

export interface PreparedPeer {
  readonly run: Run;
  /** Untimed, before each run: TF.js's backend is global, and other contenders switch it. */
  readonly before?: () => unknown;
  /** The output as a typed array, for the accuracy probe. */
  readonly result: () => Promise<Float32Array>;
  release(): Promise<void>;
}

let ortModule: typeof OrtTypes | undefined;
function ort(): typeof OrtTypes {
  return (ortModule ??= require('onnxruntime-node') as typeof OrtTypes);
}

function onnxNode(c: BenchCase): { opType: string; attributes: Record<string, AttributeValue> } {
  if (c.op === 'global-avg') return { opType: 'GlobalAveragePool', attributes: {} };
  const rank = c.kernel!.length;
  const attributes: Record<string, AttributeValue> = {
    kernel_shape: [...c.kernel!],
    strides: [...c.stride!],
    pads: new Array<number>(2 * rank).fill(c.padding ?? 0),
  };
  if (c.op === 'avg') attributes['count_include_pad'] = 0;
  return { opType: c.op === 'avg' ? 'AveragePool' : 'MaxPool', attributes };
}

function onnxRuntime(threads: number, contest: Contest): Peer {
  return {
    label: `onnxruntime ${threads}t${contest === 'resident' ? ', output preallocated' : ''}`,
    threads,
    contest,
    async prepare(c, x) {
      const { opType, attributes } = onnxNode(c);
      const dims = c.shape.map((_, d) => `d${d}`);
      const model = encodeOneNodeModel({
        opType,
        attributes,
        inputs: [{ name: 'x', elemType: 'float32', shape: dims }],
        outputs: [{ name: 'y', elemType: 'float32', shape: dims.map((d) => `y${d}`) }],
      });
      const session = await ort().InferenceSession.create(model, {
        executionProviders: ['cpu'],
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        logSeverityLevel: 3,
      });
      // onnxruntime-node refuses arrays over a SharedArrayBuffer: give it its own (not timed).
      const feeds = { x: new (ort().Tensor)('float32', x.slice(), [...c.shape]) };
      const fresh = async () => (await session.run(feeds))['y']!.data as Float32Array;
      if (contest === 'host') return { run: fresh, result: fresh, release: () => session.release() };
      // Preallocated fetches: onnxruntime writes into this array (no allocation, no copy out).
      const first = (await session.run(feeds))['y']!;
      const output = new Float32Array(first.data.length);
      const fetches = { y: new (ort().Tensor)('float32', output, [...first.dims]) };
      const run = () => session.run(feeds, fetches);
      return { run, result: async () => (await run(), output), release: () => session.release() };
    },
  };
}

type Tf = typeof TfTypes;
let tfModule: Tf | undefined;

function tf(): Tf {
  if (tfModule) return tfModule;
  const loaded = require('@tensorflow/tfjs-core') as Tf;
  require('@tensorflow/tfjs-backend-cpu');
  require('@tensorflow/tfjs-backend-wasm');
  // Production mode silences the cpu backend's banner suggesting tfjs-node. The wasm backend's
  // thread pool needs cross-origin isolation in browsers and is off in Node: one thread.
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

function tfjs(backend: 'cpu' | 'wasm', contest: Contest): Peer {
  return {
    label: `tfjs-${backend}${contest === 'resident' ? ', result left in the backend' : ''}`,
    threads: 1,
    contest,
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
      // The cpu and wasm backends compute when the op is called: no dataSync is needed to finish it.
      const run = contest === 'host' ? fresh : () => tfOp(t, c, input).dispose();
      const before = () => (t.getBackend() === backend ? undefined : t.setBackend(backend));
      return { run, before, result: async () => fresh(), release: async () => input.dispose() };
    },
  };
}

// TF.js's cpu backend keeps a tensor's values in a JS array that dataSync returns as is: its host
// run is already its resident run (and it is never the fastest peer), so it runs once.
export const PEERS: readonly Peer[] = [
  onnxRuntime(1, 'host'),
  onnxRuntime(2, 'host'),
  tfjs('cpu', 'host'),
  tfjs('wasm', 'host'),
  onnxRuntime(1, 'resident'),
  onnxRuntime(2, 'resident'),
  tfjs('wasm', 'resident'),
];
