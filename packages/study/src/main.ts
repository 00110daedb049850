/**
 * `npm run study [-- --quick] [--out DIR] [--models DIR] [--backend wasm|cpu]`: runs the experiment,
 * writes DIR/study.md with its pictures and raw numbers under DIR/study/, and exports the first
 * seed's trained models, test digits and curves for the web explainer into the models folder.
 * The full run writes into docs/ and the explainer's assets; a quick run, unless told otherwise,
 * writes into a fresh temporary folder, so it never replaces the committed report or models.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { FULL_CONFIG, QUICK_CONFIG, runStudy } from './experiment.js';
import { ASSET_BUDGET_BYTES, CURVES_FILE, curvesAsset, DIGITS_FILE, digitsAsset, filesWithSizes, modelFolder, saveModel } from './export.js';
import { buildReport } from './report.js';

const DOCS = fileURLToPath(new URL('../../../../docs/', import.meta.url));
const EXPLAINER_ASSETS = fileURLToPath(new URL('../../../explainer/public/network/', import.meta.url));
/** Test digits per class the page's picker offers. */
const PICKER_DIGITS_PER_CLASS = 2;

const program = new Command('study')
  .description('Three heads on one trunk (flatten, global average, Network in Network) on MNIST, with tensor-pooling inside TF.js')
  .option('--quick', 'a subset of the data, two seeds and few epochs: checks the pipeline in under a minute', false)
  .option('--out <dir>', 'where study.md and study/ go (default: docs/, or a temporary folder with --quick)')
  .option('--models <dir>', "where the page's models go (default: the explainer's public/network/, or OUT/network with --quick)")
  .addOption(new Option('--backend <name>', 'TF.js backend').choices(['wasm', 'cpu']).default('wasm'))
  .parse();

const options = program.opts<{ quick: boolean; out?: string; models?: string; backend: 'wasm' | 'cpu' }>();
const out = options.out ?? (options.quick ? mkdtempSync(join(tmpdir(), 'study-quick-')) : DOCS);
const modelsDir = options.models ?? (options.quick ? join(out, 'network') : EXPLAINER_ASSETS);
const config = { ...(options.quick ? QUICK_CONFIG : FULL_CONFIG), backend: options.backend };

// Stale files of another head or format must not survive next to the new ones.
rmSync(modelsDir, { recursive: true, force: true });
mkdirSync(modelsDir, { recursive: true });
let digitsWritten = false;
const results = await runStudy(config, (line) => console.log(line), async ({ run, model, test }) => {
  await saveModel(model.model, join(modelsDir, modelFolder(run.head)));
  if (!digitsWritten) writeFileSync(join(modelsDir, DIGITS_FILE), `${JSON.stringify(digitsAsset(test, PICKER_DIGITS_PER_CLASS))}\n`);
  digitsWritten = true;
});
writeFileSync(join(modelsDir, CURVES_FILE), `${JSON.stringify(curvesAsset(results))}\n`);

const flags = [...(options.quick ? ['--quick'] : []), ...(options.backend !== 'wasm' ? ['--backend', options.backend] : [])];
const command = ['npm run study', ...(flags.length > 0 ? ['--', ...flags] : [])].join(' ');
const assets = filesWithSizes(modelsDir);
const { markdown, pictures } = buildReport(results, command, assets);
const pictureDir = join(out, 'study');
// The folder is the report's own: pictures an earlier report linked must not linger beside the new ones.
rmSync(pictureDir, { recursive: true, force: true });
mkdirSync(pictureDir, { recursive: true });
for (const [name, svg] of Object.entries(pictures)) writeFileSync(join(pictureDir, name), svg);
writeFileSync(join(pictureDir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
writeFileSync(join(out, 'study.md'), markdown);
const assetBytes = assets.reduce((sum, file) => sum + file.bytes, 0);
console.log(`models: ${modelsDir} (${assets.length} files, ${(assetBytes / 1024).toFixed(1)} KB)`);
console.log(`report: ${join(out, 'study.md')} (${results.totalSeconds.toFixed(1)} s)`);
if (assetBytes > ASSET_BUDGET_BYTES) {
  console.error(`the page's assets take ${assetBytes} bytes, over the budget of ${ASSET_BUDGET_BYTES}`);
  process.exitCode = 1;
}
