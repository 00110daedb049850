/**
 * Global average pooling: the picture's channels reduced to one mean each (a bar chart), and the
 * head calculator: what a flatten + dense head and a global-average + dense head cost on three
 * networks' real final feature maps, and at which input sizes the flatten head breaks.
 */
import { globalAvgPool, headParameters, observeRuns, PoolingError, poolOutputShape } from 'tensor-pooling';
import { byId, el, grouped, milliseconds, short } from './format.js';
import type { Picture } from './images.js';
import { NETWORKS, type Network } from './models.js';

export function showChannelMeans(picture: Picture, onRun: (backend: string | undefined) => void): void {
  const { result, runs } = observeRuns(() => globalAvgPool(picture.pixels, { layout: 'channels-last' }));
  const names = ['Red', 'Green', 'Blue'];
  const colours = ['#c53030', '#2f855a', '#2b6cb0'];
  const [, height, width] = picture.pixels.shape as number[];
  byId('channel-bars').setAttribute('aria-label', `Channel means of ${picture.name}: ${names.map((n, c) => `${n} ${short(result.data[c]!)}`).join(', ')}`);
  byId('channel-bars').replaceChildren(
    ...names.map((name, c) => {
      const mean = result.data[c]!;
      return el(
        'div',
        { class: 'bar-row', 'data-channel': name.toLowerCase(), 'data-value': `${mean}` },
        el('span', { class: 'bar-label' }, name),
        el('span', { class: 'bar-track' }, el('span', { class: 'bar', style: `width: ${(mean / 255) * 100}%; background: ${colours[c]}` })),
        el('span', { class: 'bar-value' }, short(Math.round(mean * 100) / 100)),
      );
    }),
  );
  const run = runs[0]!;
  byId('global-status').textContent =
    `${picture.name}: ${height} × ${width} × 3 → 3 numbers (globalAvgPool, channels-last) — backend ${run.backend}, ${milliseconds(run.milliseconds)}`;
  onRun(run.backend);
}

interface Feature {
  readonly size: number;
  readonly shape?: readonly number[];
  readonly error?: string;
}

/** The final feature map of `network` on a size x size input: each stage's output size from the library. */
function featureAt(network: Network, size: number): Feature {
  let side = size;
  for (const stage of network.stages) {
    try {
      side = poolOutputShape([1, 1, side, side], { kernel: stage.kernel, stride: stage.stride, padding: stage.padding })[2]!;
    } catch (error) {
      if (!(error instanceof PoolingError)) throw error;
      // The library's message names its own parameters; the reader needs the stage and the map it got.
      const padding = stage.padding > 0 ? ` with padding ${stage.padding}` : '';
      return { size, error: `too small: ${stage.name} (kernel ${stage.kernel}${padding}) gets a ${side} × ${side} map, and its window does not fit` };
    }
  }
  return { size, shape: [network.channels, side, side] };
}

function updateHeads(): void {
  const network = NETWORKS.find((n) => n.name === byId<HTMLSelectElement>('head-model').value)!;
  const chosen = Math.round(Number(byId<HTMLInputElement>('head-size').value));
  const classes = Math.round(Number(byId<HTMLInputElement>('head-classes').value));
  const result = byId('head-result');
  if (!Number.isInteger(chosen) || chosen < 1 || !Number.isInteger(classes) || classes < 1) {
    result.replaceChildren(el('p', { class: 'error', role: 'alert' }, 'Input size and classes must be positive whole numbers.'));
    return;
  }
  const standard = featureAt(network, network.standardSize);
  const trained = headParameters(standard.shape!, classes);
  const sizes = [...new Set([network.standardSize, chosen, 128, 160, 256, 320, 448])].sort((a, b) => a - b);
  const rows = sizes.map((size) => {
    const feature = featureAt(network, size);
    const mark: Record<string, string> = size === chosen ? { 'data-chosen': 'true', class: 'chosen' } : {};
    if (!feature.shape) {
      return el('tr', { ...mark, 'data-size': `${size}` }, el('th', { scope: 'row' }, `${size} × ${size}`), el('td', { colspan: '3', class: 'error' }, feature.error!));
    }
    const heads = headParameters(feature.shape, classes);
    const fits = heads.flattenInputs === trained.flattenInputs;
    const flatten = fits
      ? el('span', { class: 'ok' }, `${grouped(heads.flatten)} ✓`)
      : el(
          'span',
          { class: 'breaks' },
          `✗ breaks: the dense layer trained at ${network.standardSize} expects ${grouped(trained.flattenInputs)} inputs, gets ${grouped(heads.flattenInputs)}`,
        );
    return el(
      'tr',
      { ...mark, 'data-size': `${size}` },
      el('th', { scope: 'row' }, `${size} × ${size}${size === network.standardSize ? ' (standard)' : ''}`),
      el('td', {}, feature.shape.join(' × ')),
      el('td', { 'data-head': 'flatten', 'data-parameters': `${heads.flatten}` }, flatten),
      el('td', { 'data-head': 'global-average', 'data-parameters': `${heads.globalAverage}` }, el('span', { class: 'ok' }, `${grouped(heads.globalAverage)} ✓`)),
    );
  });
  const ratio = trained.flatten / trained.globalAverage;
  result.replaceChildren(
    el(
      'p',
      { class: 'summary' },
      `${network.name} at ${network.standardSize} × ${network.standardSize} ends in a ${standard.shape!.join(' × ')} feature map. `,
      `Flatten + dense(${classes}): ${grouped(trained.flattenInputs)} × ${grouped(classes)} + ${grouped(classes)} = `,
      el('strong', { 'data-testid': 'flatten-parameters' }, grouped(trained.flatten)),
      ' parameters. Global average pooling + dense: ',
      `${grouped(trained.globalAverageInputs)} × ${grouped(classes)} + ${grouped(classes)} = `,
      el('strong', { 'data-testid': 'global-parameters' }, grouped(trained.globalAverage)),
      ` parameters, ${ratio.toFixed(0)} times fewer, and the same at every input size.`,
    ),
    el(
      'div',
      { class: 'table-scroll' },
      el(
        'table',
        { class: 'heads' },
        el('caption', {}, `Head parameters by input size (${network.source})`),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Input'), el('th', { scope: 'col' }, 'Final features'), el('th', { scope: 'col' }, 'Flatten + dense'), el('th', { scope: 'col' }, 'Global average + dense'))),
        el('tbody', {}, ...rows),
      ),
    ),
  );
}

export function setUpHeads(): void {
  const select = byId<HTMLSelectElement>('head-model');
  select.append(...NETWORKS.map((n) => el('option', { value: n.name }, n.name)));
  const form = byId<HTMLFormElement>('head-controls');
  form.addEventListener('input', updateHeads);
  form.addEventListener('submit', (event) => event.preventDefault());
  updateHeads();
}
