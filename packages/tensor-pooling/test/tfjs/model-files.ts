/**
 * A TF.js model saved as files in a folder (model.json and one weights file, the layout tfjs-node's
 * file:// handler writes), with tfjs-core's own io helpers: tfjs-node is not among the peers the
 * tests run against. It imports no tensor-pooling code, so a process that loads a model through it
 * knows only the layers it registered itself.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { tf } from '@tensor-pooling/test-kit/tfjs';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/** `model.save(saveToFolder(folder))` writes folder/model.json and folder/weights.bin. */
export function saveToFolder(folder: string): io.IOHandler {
  return tf.io.withSaveHandler(async (artifacts) => {
    const modelJSON: io.ModelJSON = {
      modelTopology: artifacts.modelTopology ?? {},
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
      ...(artifacts.format === undefined ? {} : { format: artifacts.format }),
      ...(artifacts.generatedBy === undefined ? {} : { generatedBy: artifacts.generatedBy }),
      ...(artifacts.convertedBy == null ? {} : { convertedBy: artifacts.convertedBy }),
    };
    await writeFile(join(folder, WEIGHTS_FILE), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
    await writeFile(join(folder, MODEL_FILE), JSON.stringify(modelJSON));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  });
}

/** `tf.loadLayersModel(loadFromFolder(folder))` reads what saveToFolder wrote. */
export function loadFromFolder(folder: string): io.IOHandler {
  return {
    load: async () => {
      const modelJSON = JSON.parse(await readFile(join(folder, MODEL_FILE), 'utf8')) as io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const files = await Promise.all(manifest.flatMap((group) => group.paths.map((path) => readFile(join(folder, path)))));
        const bytes = Buffer.concat(files);
        const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        return [manifest.flatMap((group) => group.weights), weightData];
      });
    },
  };
}
