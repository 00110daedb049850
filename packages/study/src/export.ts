/**
 * What the web explainer's network section loads: the exported seed's three trained models in
 * TF.js layers format (their pooling layers are tensor-pooling's, registered by
 * `tensor-pooling/tfjs`), a few test digits to pick from, and every run's accuracy curves. The
 * files are written byte for byte the same by a rerun that trains the same weights: fixed layer
 * names, one weights file per model, keys in a fixed order, no dates.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { firstOfEachClass, type StudyResults } from './experiment.js';
import { subset, type DigitSet } from './data.js';
import type { HeadName } from './models.js';

/** The folder of one head's model under the assets folder. */
export const modelFolder = (head: HeadName): string => `head-${head.toLowerCase()}`;
export const DIGITS_FILE = 'digits.json';
export const CURVES_FILE = 'curves.json';
/** The budget for everything the page downloads for its network section. */
export const ASSET_BUDGET_BYTES = 300 * 1024;

export async function saveModel(model: tfl.LayersModel, folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_core}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(join(folder, 'model.json'), `${JSON.stringify(json)}\n`);
      writeFileSync(join(folder, 'weights.bin'), weights);
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
}

export interface DigitsAsset {
  readonly size: number;
  readonly digits: readonly { readonly label: number; readonly pixels: readonly number[] }[];
}

/** `perClass` test digits of each class, in class order, as the page's picker offers them. */
export function digitsAsset(test: DigitSet, perClass: number): DigitsAsset {
  const chosen = subset(test, firstOfEachClass(test, perClass * 10));
  const area = chosen.size * chosen.size;
  return {
    size: chosen.size,
    digits: Array.from({ length: chosen.count }, (_, n) => ({
      label: chosen.labels[n]!,
      pixels: Array.from(chosen.pixels.subarray(n * area, (n + 1) * area), (v) => Number(v.toFixed(3))),
    })),
  };
}

export interface CurvesAsset {
  readonly exportedSeed: number;
  readonly exportedTrainSize: number;
  readonly parameters: StudyResults['parameters'];
  readonly runs: readonly {
    readonly head: HeadName;
    readonly seed: number;
    readonly trainSize: number;
    readonly stopped: string;
    /** [epoch, training accuracy, test accuracy] */
    readonly epochs: readonly (readonly [number, number, number])[];
  }[];
}

export function curvesAsset(results: StudyResults): CurvesAsset {
  const round = (x: number) => Number(x.toFixed(4));
  return {
    exportedSeed: results.config.seeds[0]!,
    exportedTrainSize: Math.max(...results.runs.map((r) => r.trainSize)),
    parameters: results.parameters,
    runs: results.runs.map((r) => ({
      head: r.head,
      seed: r.seed,
      trainSize: r.trainSize,
      stopped: r.stopped,
      epochs: r.epochs.map((e) => [e.epoch, round(e.trainAccuracy), round(e.testAccuracy)] as const),
    })),
  };
}

/** Every file under a folder with its size in bytes, paths relative to it. */
export function filesWithSizes(folder: string, prefix = ''): { path: string; bytes: number }[] {
  return readdirSync(folder, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesWithSizes(join(folder, entry.name), `${prefix}${entry.name}/`)
        : [{ path: `${prefix}${entry.name}`, bytes: statSync(join(folder, entry.name)).size }],
    );
}
