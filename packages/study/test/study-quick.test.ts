/**
 * `npm run study -- --quick` end to end: three heads train for every seed and size, the report
 * and its pictures are written into a temporary folder (never over docs/ or the page's models),
 * and the exported models load back into TF.js with the library's layers and answer as the
 * page will have them answer. Accuracy bounds sit far below what the fixed seeds give, so they
 * cannot flake.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import 'tensor-pooling/tfjs';
import { tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
import type { StudyResults } from '../src/experiment.js';
import { ASSET_BUDGET_BYTES, CURVES_FILE, DIGITS_FILE, modelFolder, type CurvesAsset, type DigitsAsset } from '../src/export.js';
import { shouldStop } from '../src/experiment.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../../docs/', import.meta.url));
const ASSETS = fileURLToPath(new URL('../../../explainer/public/network/', import.meta.url));
const CHANCE = 0.1;

/** A digest of every file under a folder (or of its absence): what must not change. */
function digest(path: string): string {
  const hash = createHash('sha256');
  const walk = (p: string): void => {
    if (!existsSync(p)) return void hash.update(`absent ${p}`);
    if (statSync(p).isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
    else hash.update(p).update(readFileSync(p));
  };
  walk(path);
  return hash.digest('hex');
}

function loadModel(folder: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const weights = readFileSync(join(folder, 'weights.bin'));
  return tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: new Uint8Array(weights).buffer }),
  );
}

test('npm run study -- --quick trains three heads per seed and size, reports into a temporary folder and exports the models', async () => {
  const before = [digest(join(DOCS, 'study.md')), digest(join(DOCS, 'study')), digest(ASSETS)];
  const { stdout } = await promisify(execFile)(process.execPath, [MAIN, '--quick'], { timeout: 180_000 });
  const report = /report: (.*study\.md) /.exec(stdout)?.[1];
  assert.ok(report, stdout);
  const out = dirname(report);
  try {
    assert.ok(out.startsWith(tmpdir()), `the quick report goes to a temporary folder, not ${out}`);
    assert.deepEqual([digest(join(DOCS, 'study.md')), digest(join(DOCS, 'study')), digest(ASSETS)], before, 'docs/ and the page assets are untouched');
    assert.match(stdout, /\[run 1\/12, \d+ s, at most \d+ min left\] 256 digits, seed \d+, head A epoch 1:/);

    const results = JSON.parse(readFileSync(join(out, 'study', 'results.json'), 'utf8')) as StudyResults;
    const { config } = results;
    assert.equal(results.runs.length, config.seeds.length * config.trainSizes.length * 3);
    for (const run of results.runs) {
      const label = `head ${run.head}, seed ${run.seed}, ${run.trainSize} digits`;
      assert.ok(run.epochs.length >= config.fixedEpochs && run.epochs.length <= run.maxEpochs, label);
      assert.equal(shouldStop(run.epochs, { ...config, maxEpochs: run.maxEpochs }), run.stopped, label);
      assert.equal(shouldStop(run.epochs.slice(0, -1), { ...config, maxEpochs: run.maxEpochs }), undefined, `${label} stopped at the first chance`);
      const final = run.epochs.at(-1)!;
      // A few steps move the global-average heads only a little: they learn slower (the full report says how much).
      assert.ok(final.loss < run.initialLoss, `${label}: loss ${run.initialLoss} -> ${final.loss}`);
      if (run.head === 'A' && run.trainSize === 512) assert.ok(final.testAccuracy > 5 * CHANCE, `${label}: test accuracy ${final.testAccuracy}`);
    }
    const { A, B, C } = results.parameters;
    assert.ok(B.head < A.head && C.head < A.head && B.total < A.total);
    assert.equal(A.trunk, B.trunk);
    assert.equal(C.head, 32 * 10 + 10);

    const largest = results.runs.filter((r) => r.trainSize === 512);
    for (const run of largest) {
      for (const size of [20, 36, 56]) {
        const canvas = run.canvases.find((c) => c.size === size)!;
        if (run.head === 'A') assert.match(canvas.error!, new RegExp(`expected .*shape \\[null,28,28,1\\] but got .*shape \\[\\d+,${size},${size},1\\]`));
        else assert.ok(canvas.accuracy! >= 0 && canvas.accuracy! <= 1, `head ${run.head} runs at ${size}x${size}`);
      }
    }
    assert.match(results.headAAnySizeError, /Flatten.*not fully defined/);
    for (const head of ['B', 'C'] as const) {
      const moved = results.cams.filter((c) => c.head === head && c.canvas === 56);
      assert.ok(moved.length > 0 && moved.every((c) => c.mapSize[0] === 14 && c.map.length === 196), `head ${head}'s maps`);
    }

    const markdown = readFileSync(report, 'utf8');
    assert.match(markdown, /quick run/);
    assert.match(markdown, /\*\*Fewer parameters: supported\.\*\*/);
    assert.match(markdown, /\*\*Less overfitting, head B against head A: (supported|supported only in part|contradicted|not supported)\.\*\*/);
    assert.match(markdown, /\*\*Any input size: (supported, accuracy included|supported for accepting it, not for accuracy)\.\*\*/);
    const linked = [...markdown.matchAll(/\]\(study\/([\w-]+\.svg)\)/g)].map((m) => m[1]!);
    assert.ok(linked.length >= 7);
    for (const picture of linked) assert.match(readFileSync(join(out, 'study', picture), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/, picture);

    // The exported models: within budget, and loaded back with the library's layers they answer as trained.
    const models = join(out, 'network');
    const bytes = readdirSync(models, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).size, 0);
    assert.ok(bytes <= ASSET_BUDGET_BYTES, `${bytes} bytes`);
    const digits = JSON.parse(readFileSync(join(models, DIGITS_FILE), 'utf8')) as DigitsAsset;
    assert.equal(digits.digits.length, 20);
    const curves = JSON.parse(readFileSync(join(models, CURVES_FILE), 'utf8')) as CurvesAsset;
    assert.equal(curves.runs.length, results.runs.length);
    assert.deepEqual(curves.runs[0]!.epochs[0], [1, Number(results.runs[0]!.epochs[0]!.trainAccuracy.toFixed(4)), Number(results.runs[0]!.epochs[0]!.testAccuracy.toFixed(4))]);
    await tfReady();
    const x = tf.tensor4d(digits.digits.flatMap((d) => d.pixels), [digits.digits.length, 28, 28, 1]);
    const labels = digits.digits.map((d) => d.label);
    for (const head of ['A', 'B', 'C'] as const) {
      const model = await loadModel(join(models, modelFolder(head)));
      const predicted = Array.from((tf.argMax(model.predict(x) as Tensor, 1).dataSync()));
      const correct = predicted.filter((p, i) => p === labels[i]).length;
      if (head === 'A') assert.ok(correct > 4 * CHANCE * labels.length, `head ${head}: ${correct} of ${labels.length} picker digits`);
      const big = tf.pad(x, [[0, 0], [4, 4], [4, 4], [0, 0]]);
      if (head === 'A') assert.throws(() => model.predict(big), /expected .*shape \[null,28,28,1\]/);
      else assert.deepEqual((model.predict(big) as Tensor).shape, [20, 10]);
      model.dispose();
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
