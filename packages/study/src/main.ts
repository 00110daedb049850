/**
 * `npm run study [-- --quick] [--out DIR] [--backend wasm|cpu]`: runs the experiment and writes
 * DIR/study.md with its pictures and raw numbers under DIR/study/ (DIR defaults to docs/).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { FULL_CONFIG, QUICK_CONFIG, runStudy } from './experiment.js';
import { buildReport } from './report.js';

const DOCS = fileURLToPath(new URL('../../../../docs/', import.meta.url));

const program = new Command('study')
  .description('Global average pooling versus a flatten + dense head on MNIST, with tensor-pooling inside TF.js')
  .option('--quick', 'a subset of the data and few epochs: checks the pipeline in under a minute', false)
  .option('--out <dir>', 'where study.md and study/ go', DOCS)
  .addOption(new Option('--backend <name>', 'TF.js backend').choices(['wasm', 'cpu']).default('wasm'))
  .parse();

const options = program.opts<{ quick: boolean; out: string; backend: 'wasm' | 'cpu' }>();
const config = { ...(options.quick ? QUICK_CONFIG : FULL_CONFIG), backend: options.backend };
const results = await runStudy(config, (line) => console.log(line));

const flags = [...(options.quick ? ['--quick'] : []), ...(options.backend !== 'wasm' ? ['--backend', options.backend] : [])];
const command = ['npm run study', ...(flags.length > 0 ? ['--', ...flags] : [])].join(' ');
const { markdown, pictures } = buildReport(results, command);
const pictureDir = join(options.out, 'study');
mkdirSync(pictureDir, { recursive: true });
for (const [name, svg] of Object.entries(pictures)) writeFileSync(join(pictureDir, name), svg);
writeFileSync(join(pictureDir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
writeFileSync(join(options.out, 'study.md'), markdown);
console.log(`report: ${join(options.out, 'study.md')} (${results.totalSeconds.toFixed(1)} s)`);
