/**
 * tensor-pooling/tfjs layers: the core's values and output shapes (unknown sizes included), save
 * and load, Keras masks, errors at model-building time, and a tiny model that learns.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { io } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as core from '../../src/index.js';
import * as tfPool from '../../src/tfjs/index.js';
import { tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
import { seededValues } from '@tensor-pooling/test-kit/compare';

type TfTensor = ReturnType<typeof tf.tensor>;

function seededTf(shape: number[], seed: number): TfTensor {
  return tf.tensor(seededValues(seed, shape.reduce((p, d) => p * d, 1), 'continuous'), shape, 'float32');
}

function coreOf(x: TfTensor): core.Tensor<Float32Array> {
  return core.tensor(x.shape, x.dataSync() as Float32Array);
}

test('each layer computes its core op, channels-last by default', async () => {
  await tfReady();
  const x = seededTf([2, 6, 5, 3], 11);
  const last = { layout: 'channels-last' } as const;
  const cases: [tfl.layers.Layer, core.Tensor][] = [
    [tfPool.avgPoolLayer({ kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }), core.avgPool(coreOf(x), { ...last, kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true })],
    [tfPool.maxPoolLayer({ kernel: 2, dilation: 2, padding: 1 }), core.maxPool(coreOf(x), { ...last, kernel: 2, dilation: 2, padding: 1 })],
    [tfPool.globalAvgPoolLayer(), core.globalAvgPool(coreOf(x), last)],
    [tfPool.globalMaxPoolLayer({ keepDims: true }), core.globalMaxPool(coreOf(x), { ...last, keepDims: true })],
    [tfPool.adaptiveAvgPoolLayer({ outputSize: [4, null] }), core.adaptiveAvgPool(coreOf(x), { ...last, outputSize: [4, null] })],
    [tfPool.avgPoolLayer({ kernel: 2, layout: 'channels-first' }), core.avgPool(coreOf(x), { kernel: 2 })],
  ];
  for (const [layer, expected] of cases) {
    const y = layer.apply(x) as TfTensor;
    assert.deepEqual(y.shape, expected.shape, layer.name);
    assert.deepEqual(y.dataSync(), expected.data, layer.name);
    assert.deepEqual(layer.computeOutputShape(x.shape), expected.shape, layer.name);
  }
});

test('output shapes with unknown sizes: unknown stays unknown, known sizes are planned by the core', () => {
  const avg = tfPool.avgPoolLayer({ kernel: 3, stride: 2, padding: 1, ceilMode: true });
  const known = core.planAvgPool([1, 4, 9, 1], { kernel: 3, stride: 2, padding: 1, ceilMode: true, layout: 'channels-last' }).outputShape;
  assert.deepEqual(avg.computeOutputShape([null, null, 9, 4]), [null, null, known[2], 4]);
  assert.deepEqual(tfPool.globalAvgPoolLayer().computeOutputShape([null, null, null, 32]), [null, 32]);
  assert.deepEqual(tfPool.globalAvgPoolLayer({ keepDims: true }).computeOutputShape([null, null, null, 32]), [null, 1, 1, 32]);
  assert.deepEqual(tfPool.adaptiveAvgPoolLayer({ outputSize: [2, null] }).computeOutputShape([null, null, null, 8]), [null, 2, null, 8]);
  assert.deepEqual(tfPool.maxPoolLayer({ kernel: 7, stride: 3, dilation: 4 }).computeOutputShape([null, null, 3]), [null, null, 3]);
});

test('a model built for any input size runs at several sizes', async () => {
  await tfReady();
  const input = tfl.input({ shape: [null, null, 2] });
  const pooled = tfPool.avgPoolLayer({ kernel: 2 }).apply(input) as tfl.SymbolicTensor;
  const output = tfPool.globalAvgPoolLayer().apply(pooled) as tfl.SymbolicTensor;
  assert.deepEqual(output.shape, [null, 2]);
  const model = tfl.model({ inputs: input, outputs: output });
  for (const size of [4, 9, 16]) {
    const x = seededTf([1, size, size, 2], size);
    const y = model.predict(x) as TfTensor;
    const pooledCore = core.avgPool(coreOf(x), { kernel: 2, layout: 'channels-last' });
    assert.deepEqual(y.dataSync(), core.globalAvgPool(pooledCore, { layout: 'channels-last' }).data);
  }
});

test('bad options fail when the model is built, with a PoolingError in the library’s spelling', () => {
  const input = tfl.input({ shape: [4, 4, 1] });
  assert.throws(() => tfPool.avgPoolLayer({ kernel: 5 }).apply(input), { name: 'PoolingError', code: 'OUTPUT_EMPTY' });
  assert.throws(() => new tfPool.AvgPool({ kernelSize: 2 } as never).apply(input), {
    name: 'PoolingError',
    code: 'INVALID_PARAMETER',
    message: /unknown option "kernelSize"/,
  });
  // A minifier renames classes; the message names the layer by its registered className.
  const Minified = class extends tfPool.AvgPool {};
  assert.throws(() => new Minified({ kernelSize: 2 } as never), { name: 'PoolingError', message: /^AvgPool: unknown option "kernelSize"/ });
});

test('a model with every layer saves and loads through its registered classes', async () => {
  await tfReady();
  const input = tfl.input({ shape: [8, 8, 3] });
  let h = tfPool.avgPoolLayer({ kernel: 3, stride: 1, padding: 1, countIncludePad: true, name: 'avg' }).apply(input) as tfl.SymbolicTensor;
  h = tfPool.maxPoolLayer({ kernel: 2, ceilMode: true }).apply(h) as tfl.SymbolicTensor;
  h = tfPool.adaptiveAvgPoolLayer({ outputSize: 3 }).apply(h) as tfl.SymbolicTensor;
  const branches = [tfPool.globalAvgPoolLayer(), tfPool.globalMaxPoolLayer(), tfPool.maskedGlobalAvgPoolLayer()].map(
    (layer) => layer.apply(h) as tfl.SymbolicTensor,
  );
  const model = tfl.model({ inputs: input, outputs: tfl.layers.concatenate().apply(branches) as tfl.SymbolicTensor });

  let saved: io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const topology = JSON.stringify(saved!.modelTopology);
  assert.match(topology, /"class_name":"AvgPool"/);
  assert.match(topology, /"count_include_pad":true/);
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
  assert.deepEqual((loaded.getLayer('avg') as tfPool.AvgPool).poolingOptions, (model.getLayer('avg') as tfPool.AvgPool).poolingOptions);
  const x = seededTf([2, 8, 8, 3], 5);
  assert.deepEqual((loaded.predict(x) as TfTensor).dataSync(), (model.predict(x) as TfTensor).dataSync());
});

test('the masked global average reads the mask a Masking layer propagates', async () => {
  await tfReady();
  // Two sequences of 5 steps, 3 features; the all-zero steps are padding.
  const values = [
    [[1, 2, 3], [4, 5, 6], [0, 0, 0], [0, 0, 0], [0, 0, 0]],
    [[1, 1, 1], [3, 3, 3], [5, 5, 5], [7, 7, 7], [0, 0, 0]],
  ];
  const input = tfl.input({ shape: [5, 3] });
  const masked = tfl.layers.masking({ maskValue: 0 }).apply(input) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: tfPool.maskedGlobalAvgPoolLayer().apply(masked) as tfl.SymbolicTensor });
  const y = model.predict(tf.tensor(values)) as TfTensor;
  assert.deepEqual(Array.from(y.dataSync()), [2.5, 3.5, 4.5, 4, 4, 4]);
  // Given as a second input, the mask works without Keras masking too.
  const layer = tfPool.maskedGlobalAvgPoolLayer();
  const direct = layer.apply([tf.tensor(values), tf.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 0]])]) as TfTensor;
  assert.deepEqual(Array.from(direct.dataSync()), [2.5, 3.5, 4.5, 4, 4, 4]);
});

test('a tiny model with tensor-pooling layers trains: the loss falls', async () => {
  await tfReady();
  // Which quadrant of an 8x8 map holds a bright 2x2 spot: a task pooling must carry position for.
  const samples = 64;
  const images = new Float32Array(samples * 64);
  const labels = new Float32Array(samples * 4);
  const noise = seededValues(3, samples * 64, 'continuous');
  for (let s = 0; s < samples; s++) {
    const quadrant = s % 4;
    const top = (quadrant >> 1) * 4 + 1 + (s % 3);
    const left = (quadrant & 1) * 4 + 1 + ((s >> 2) % 3);
    for (let i = 0; i < 64; i++) images[s * 64 + i] = noise[s * 64 + i]! / 100;
    for (const [dr, dc] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
      images[s * 64 + Math.min(7, top + dr) * 8 + Math.min(7, left + dc)] = 1;
    }
    labels[s * 4 + quadrant] = 1;
  }
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tfPool.avgPoolLayer({ kernel: 3, stride: 2, padding: 1, ceilMode: true }),
      tfPool.maxPoolLayer({ kernel: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init(2) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  const x = tf.tensor(images, [samples, 8, 8, 1]);
  const y = tf.tensor(labels, [samples, 4]);
  const history = await model.fit(x, y, { epochs: 25, batchSize: 16, shuffle: false, verbose: 0 });
  const losses = history.history['loss'] as number[];
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses.at(-1)! < losses[0]! / 2, `loss ${losses[0]} -> ${losses.at(-1)}`);
  tf.dispose([x, y]);
});
