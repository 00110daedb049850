/**
 * A saved model with every tensor-pooling layer, loaded in a fresh process: importing
 * tensor-pooling/tfjs is what registers the layers with TF.js's serialization, and without that
 * import TF.js refuses the model as it refuses any unregistered custom layer. Also the class names
 * a saved model and model.summary() show, and models saved by 0.1.0 under the older names.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfPool from '../../src/tfjs/index.js';
import { tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
import { seededValues } from '@tensor-pooling/test-kit/compare';
import { loadFromFolder, saveToFolder } from './model-files.js';

type TfTensor = ReturnType<typeof tf.tensor>;

/** The library's package folder, from this test's build folder: bare imports there resolve as a user's do. */
const PACKAGE = fileURLToPath(new URL('../../../', import.meta.url));
/** Saved by tensor-pooling 0.1.0 (commit 5c79816) from everyLayerModel(), when the classes were named TensorPoolingAvgPool etc. */
const MODEL_0_1_0 = join(PACKAGE, 'test/fixtures/tfjs-0.1.0-model');

const LAYER_CLASSES = [
  tfPool.AvgPool,
  tfPool.MaxPool,
  tfPool.GlobalAvgPool,
  tfPool.GlobalMaxPool,
  tfPool.AdaptiveAvgPool,
  tfPool.MaskedGlobalAvgPool,
] as const;

/** A conv layer (so the weights file is not empty) and then each pooling layer, the masked one with a mask input. */
function everyLayerModel(): tfl.LayersModel {
  const image = tfl.input({ shape: [8, 8, 3], name: 'image' });
  const mask = tfl.input({ shape: [3, 3], name: 'mask' });
  const conv = tfl.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: 'same',
    kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
    biasInitializer: tfl.initializers.randomUniform({ seed: 2 }),
    name: 'conv',
  });
  const apply = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor | tfl.SymbolicTensor[]) => layer.apply(x) as tfl.SymbolicTensor;
  let h = apply(tfPool.avgPoolLayer({ kernel: 3, stride: 1, padding: 1, countIncludePad: true, name: 'avg' }), apply(conv, image));
  h = apply(tfPool.maxPoolLayer({ kernel: 2, ceilMode: true, name: 'max' }), h);
  h = apply(tfPool.adaptiveAvgPoolLayer({ outputSize: 3, name: 'adaptive' }), h);
  const branches = [
    apply(tfPool.globalAvgPoolLayer({ name: 'global_avg' }), h),
    apply(tfPool.globalMaxPoolLayer({ name: 'global_max' }), h),
    apply(tfPool.maskedGlobalAvgPoolLayer({ name: 'masked_global_avg' }), [h, mask]),
  ];
  return tfl.model({ inputs: [image, mask], outputs: apply(tfl.layers.concatenate({ name: 'pooled' }), branches) });
}

/** Inputs as JSON: float32 values survive the round trip through doubles exactly. */
function everyLayerInputs(): { shape: number[]; data: number[] }[] {
  const image = Array.from(seededValues(5, 2 * 8 * 8 * 3, 'continuous'));
  // Each sample keeps its first position and about half of the rest.
  const mask = Array.from(seededValues(6, 2 * 3 * 3, 'continuous'), (v, i) => (i % 9 === 0 || v > 0 ? 1 : 0));
  return [
    { shape: [2, 8, 8, 3], data: image },
    { shape: [2, 3, 3], data: mask },
  ];
}

function predict(model: tfl.LayersModel, inputs: { shape: number[]; data: number[] }[]): Float32Array {
  return tf.tidy(() => (model.predict(inputs.map(({ shape, data }) => tf.tensor(data, shape, 'float32'))) as TfTensor).dataSync() as Float32Array);
}

const bytesOf = (values: Float32Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

interface ChildReport {
  readonly classNames?: string[];
  readonly output?: number[];
  readonly error?: string;
}

/**
 * Loads the model in `folder` in a new node process, as an app would: TF.js and the cpu backend,
 * then `import 'tensor-pooling/tfjs'` only when `importsLayers`; reports the classes and the
 * prediction on the folder's inputs.json, or the error loading threw.
 */
function loadInFreshProcess(folder: string, importsLayers: boolean): Promise<ChildReport> {
  const script = `
    import { readFile } from 'node:fs/promises';
    import * as tfl from '@tensorflow/tfjs-layers';
    import { tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
    import { loadFromFolder } from ${JSON.stringify(new URL('./model-files.js', import.meta.url).href)};
    ${importsLayers ? "import 'tensor-pooling/tfjs';" : ''}
    await tfReady();
    const folder = ${JSON.stringify(folder)};
    let model;
    try {
      model = await tfl.loadLayersModel(loadFromFolder(folder));
    } catch (error) {
      console.log(JSON.stringify({ error: error.name + ': ' + error.message }));
      process.exit(0);
    }
    const inputs = JSON.parse(await readFile(folder + '/inputs.json', 'utf8'));
    const output = model.predict(inputs.map(({ shape, data }) => tf.tensor(data, shape, 'float32')));
    console.log(JSON.stringify({ classNames: model.layers.map((layer) => layer.getClassName()), output: Array.from(output.dataSync()) }));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE, timeout: 60_000 }, (error, stdout) =>
      error ? reject(error) : resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildReport),
    );
  });
}

test('importing tensor-pooling/tfjs registers every layer under its className and its 0.1.0 name', () => {
  const registered = tf.serialization.SerializationMap.getMap().classNameMap;
  for (const layerClass of LAYER_CLASSES) {
    assert.equal(registered[layerClass.className]?.[0], layerClass, layerClass.className);
    assert.equal(registered[`TensorPooling${layerClass.className}`]?.[0], layerClass, `TensorPooling${layerClass.className}`);
  }
});

test('a saved model loads in a fresh process that imports tensor-pooling/tfjs, and predicts the same bits', async () => {
  await tfReady();
  const folder = await mkdtemp(join(tmpdir(), 'tensor-pooling-saved-model-'));
  try {
    const model = everyLayerModel();
    await model.save(saveToFolder(folder));
    const inputs = everyLayerInputs();
    await writeFile(join(folder, 'inputs.json'), JSON.stringify(inputs));
    const saved = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as { weightsManifest: { weights: unknown[] }[] };
    assert.equal(saved.weightsManifest[0]!.weights.length, 2, 'the conv kernel and bias are in the weights file');

    const loaded = await loadInFreshProcess(folder, true);
    assert.equal(loaded.error, undefined);
    assert.deepEqual(loaded.classNames, model.layers.map((layer) => layer.getClassName()));
    for (const layerClass of LAYER_CLASSES) assert.ok(loaded.classNames!.includes(layerClass.className), layerClass.className);
    assert.deepEqual(bytesOf(new Float32Array(loaded.output!)), bytesOf(predict(model, inputs)));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('without the import, TF.js refuses the saved model: "Unknown layer", register the class first', async () => {
  await tfReady();
  const folder = await mkdtemp(join(tmpdir(), 'tensor-pooling-saved-model-'));
  try {
    await everyLayerModel().save(saveToFolder(folder));
    const { error } = await loadInFreshProcess(folder, false);
    // TF.js's own message (tfjs-layers' deserializeKerasObject), naming the first of our layers in
    // the model and pointing at tf.serialization.registerClass: what importing tensor-pooling/tfjs does.
    assert.match(error ?? '', /^\w*Error: Unknown layer: AvgPool\. This may be due to/);
    assert.match(error ?? '', /registered properly with tf\.serialization\.registerClass\(\)/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});

test('model.summary() shows each layer as "name (ClassName)", the class name the package exports', () => {
  const lines: string[] = [];
  // TF.js cuts the first column at a quarter of the line; a wide line shows the longest name whole.
  everyLayerModel().summary(200, undefined, (line: string) => lines.push(line));
  for (const [name, layerClass] of [
    ['avg', tfPool.AvgPool],
    ['max', tfPool.MaxPool],
    ['adaptive', tfPool.AdaptiveAvgPool],
    ['global_avg', tfPool.GlobalAvgPool],
    ['global_max', tfPool.GlobalMaxPool],
    ['masked_global_avg', tfPool.MaskedGlobalAvgPool],
  ] as const) {
    assert.equal(layerClass.className, layerClass.name);
    assert.ok(lines.some((line) => line.startsWith(`${name} (${layerClass.className}) `)), `${name} (${layerClass.className}) in\n${lines.join('\n')}`);
  }
});

test('a model saved by 0.1.0 (classes named TensorPoolingAvgPool etc.) loads as the same layers', async () => {
  await tfReady();
  const old = await tfl.loadLayersModel(loadFromFolder(MODEL_0_1_0));
  const current = everyLayerModel();
  for (const layerClass of LAYER_CLASSES) {
    const layers = old.layers.filter((layer) => layer instanceof layerClass);
    assert.equal(layers.length, 1, layerClass.className);
    assert.equal(layers[0]!.getClassName(), layerClass.className);
    const same = current.getLayer(layers[0]!.name) as InstanceType<typeof layerClass>;
    assert.deepEqual((layers[0] as InstanceType<typeof layerClass>).poolingOptions, same.poolingOptions, layerClass.className);
  }
  current.setWeights(old.getWeights());
  const inputs = everyLayerInputs();
  assert.deepEqual(bytesOf(predict(old, inputs)), bytesOf(predict(current, inputs)));

  // Saved again, it is the model the current code saves: only the class names moved.
  const fixture = JSON.parse(await readFile(join(MODEL_0_1_0, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { class_name: string }[] } } };
  const renamed = fixture.modelTopology.config.layers.map((layer) => ({ ...layer, class_name: layer.class_name.replace(/^TensorPooling/, '') }));
  let resaved: { config: { layers: unknown[] } } | undefined;
  await old.save(tf.io.withSaveHandler(async (artifacts) => {
    resaved = artifacts.modelTopology as typeof resaved;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  assert.deepEqual(resaved!.config.layers, renamed);
});
