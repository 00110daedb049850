/**
 * Global average pooling inside a live network: the study's three trained models (flatten + dense,
 * global average + dense, Network in Network), loaded with TF.js and tensor-pooling's layers, run
 * on a digit drawn or picked here. Loaded lazily by main.ts; nothing leaves the page.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import 'tensor-pooling/tfjs';
import { byId, el, grouped, short } from './format.js';

type Head = 'A' | 'B' | 'C';
const HEADS: readonly Head[] = ['A', 'B', 'C'];
const CLASSES = 10;
const DIGIT = 28;
/** The study's layer names (packages/study/src/models.ts). */
const TRUNK = ['conv1', 'pool1', 'conv2', 'pool2', 'conv3'] as const;
const POOLS = new Set(['pool1', 'pool2']);

interface DigitsAsset {
  readonly size: number;
  readonly digits: readonly { readonly label: number; readonly pixels: readonly number[] }[];
}

interface CurvesAsset {
  readonly exportedSeed: number;
  readonly exportedTrainSize: number;
  readonly parameters: Record<Head, { trunk: number; head: number; total: number }>;
  readonly runs: readonly { head: Head; seed: number; trainSize: number; stopped: string; epochs: readonly (readonly [number, number, number])[] }[];
}

/** A (height, width, channels) map as the network holds it, channels last. */
interface Maps {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly values: Float32Array;
}

interface Run {
  readonly size: number;
  readonly input: Float32Array;
  readonly trunk: Record<(typeof TRUNK)[number], Maps>;
  /** The same trunk on the input without noise: what the noise measurement subtracts. */
  readonly cleanTrunk: Record<(typeof TRUNK)[number], Maps>;
  readonly gap: Float32Array;
  readonly scores: Record<Head, Float32Array | string>;
  readonly classMapsC: Maps;
  readonly averagesC: Float32Array;
}

const assetUrl = (path: string) => new URL(`network/${path}`, document.baseURI).href;

async function fetchJson<T>(path: string): Promise<T> {
  const response = await fetch(assetUrl(path));
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

function toMaps(t: tf.Tensor): Maps {
  const [, height, width, channels] = t.shape as [number, number, number, number];
  return { height: height!, width: width!, channels: channels!, values: t.dataSync() as Float32Array };
}

/** A seeded normal generator (Box-Muller on a Weyl-mixed uniform): the same noise for the same size. */
function seededNoise(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (((z ^ (z >>> 16)) >>> 0) + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

function standardDeviation(values: ArrayLike<number>): number {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    squares += values[i]! ** 2;
  }
  const mean = sum / values.length;
  return Math.sqrt(Math.max(0, squares / values.length - mean * mean));
}

/** Draws a single-channel map into a canvas, one square per value, grey from low (black) to high (white). */
function paintMap(canvas: HTMLCanvasElement, maps: Maps, channel: number, range?: readonly [number, number]): void {
  const scale = Math.max(1, Math.ceil(84 / maps.width));
  canvas.width = maps.width * scale;
  canvas.height = maps.height * scale;
  const context = canvas.getContext('2d')!;
  let low = Infinity;
  let high = -Infinity;
  for (let p = 0; p < maps.height * maps.width; p++) {
    const v = maps.values[p * maps.channels + channel]!;
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  [low, high] = range ?? [Math.min(low, 0), high];
  const span = high - low || 1;
  for (let r = 0; r < maps.height; r++)
    for (let c = 0; c < maps.width; c++) {
      const level = Math.round((255 * (maps.values[(r * maps.width + c) * maps.channels + channel]! - low)) / span);
      context.fillStyle = `rgb(${level},${level},${level})`;
      context.fillRect(c * scale, r * scale, scale, scale);
    }
}

function outline(canvas: HTMLCanvasElement, maps: Maps, row: number, col: number, cells: number, color: string): void {
  const scale = canvas.width / maps.width;
  const context = canvas.getContext('2d')!;
  context.strokeStyle = color;
  context.lineWidth = Math.max(2, scale / 3);
  context.strokeRect(col * scale + 1, row * scale + 1, cells * scale - 2, cells * scale - 2);
}

/** The map of one channel, row-major, from channels-last values. */
function channelOf(maps: Maps, channel: number): number[] {
  return Array.from({ length: maps.height * maps.width }, (_, p) => maps.values[p * maps.channels + channel]!);
}

export async function setUpNetwork(): Promise<void> {
  const status = byId('network-status');
  status.textContent = 'Loading the trained models…';
  await tf.setBackend('cpu');
  const [models, digits, curves] = await Promise.all([
    Promise.all(HEADS.map((h) => tfl.loadLayersModel(assetUrl(`head-${h.toLowerCase()}/model.json`)))),
    fetchJson<DigitsAsset>('digits.json'),
    fetchJson<CurvesAsset>('curves.json'),
  ]);
  const model = Object.fromEntries(HEADS.map((h, i) => [h, models[i]!])) as Record<Head, tfl.LayersModel>;
  // Head B's inside: the trunk's maps, the global averages and the scores in one pass.
  const insideB = tfl.model({
    inputs: model.B.inputs,
    outputs: [...TRUNK.map((name) => model.B.getLayer(name).output), model.B.getLayer('gap').output, model.B.outputs[0]!] as tfl.SymbolicTensor[],
  });
  const insideC = tfl.model({
    inputs: model.C.inputs,
    outputs: [model.C.getLayer('class_maps').output, model.C.getLayer('gap').output, model.C.outputs[0]!] as tfl.SymbolicTensor[],
  });
  const [denseKernel, denseBias] = model.B.getLayer('classifier').getWeights().map((w) => w.dataSync() as Float32Array) as [Float32Array, Float32Array];

  const drawCanvas = byId<HTMLCanvasElement>('draw-canvas');
  const sizeSelect = byId<HTMLSelectElement>('canvas-size');
  const picker = byId<HTMLSelectElement>('test-digit');
  const noise = byId<HTMLInputElement>('noise');
  let size = Number(sizeSelect.value) || DIGIT;
  let pixels: Float32Array = new Float32Array(size * size);
  let noiseValues: Float32Array = seededNoise(size * size, size);
  let pending = false;
  let last: Run | undefined;
  let chosenMap = 0;

  picker.replaceChildren(
    el('option', { value: '' }, 'Choose a test digit…'),
    ...digits.digits.map((d, i) => el('option', { value: `${i}` }, `a ${d.label} (test digit ${i + 1})`)),
  );

  const place = (source: ArrayLike<number>, from: number, to: number): Float32Array => {
    const out = new Float32Array(to * to);
    const offset = Math.floor((to - from) / 2);
    for (let r = 0; r < from; r++)
      for (let c = 0; c < from; c++) {
        const rr = r + offset;
        const cc = c + offset;
        if (rr >= 0 && rr < to && cc >= 0 && cc < to) out[rr * to + cc] = source[r * from + c]!;
      }
    return out;
  };

  const paintInput = (): void => {
    const scale = Math.ceil(280 / size);
    drawCanvas.width = size * scale;
    drawCanvas.height = size * scale;
    const context = drawCanvas.getContext('2d')!;
    const input = last?.input ?? pixels;
    for (let p = 0; p < size * size; p++) {
      const level = Math.round(255 * Math.min(1, Math.max(0, input[p]!)));
      context.fillStyle = `rgb(${level},${level},${level})`;
      context.fillRect((p % size) * scale, Math.floor(p / size) * scale, scale, scale);
    }
  };

  const run = (): Run => {
    const sigma = Number(noise.value);
    const input = Float32Array.from(pixels, (v, i) => v + sigma * noiseValues[i]!);
    const made: tf.Tensor[] = [];
    const keep = <T extends tf.Tensor | tf.Tensor[]>(t: T): T => {
      made.push(...(Array.isArray(t) ? t : [t]));
      return t;
    };
    try {
      const x = keep(tf.tensor4d(input, [1, size, size, 1]));
      const outputsB = keep(insideB.predict(x) as tf.Tensor[]);
      const cleanB = sigma === 0 ? outputsB : keep(insideB.predict(keep(tf.tensor4d(pixels, [1, size, size, 1]))) as tf.Tensor[]);
      const [classMaps, averages, scoresC] = keep(insideC.predict(x) as tf.Tensor[]);
      let scoresA: Float32Array | string;
      try {
        scoresA = keep(model.A.predict(x) as tf.Tensor).dataSync() as Float32Array;
      } catch (error) {
        // TF.js's own words: the flatten head's input size is fixed at 28x28.
        scoresA = (error as Error).message;
      }
      const trunkOf = (outputs: tf.Tensor[]) => Object.fromEntries(TRUNK.map((name, i) => [name, toMaps(outputs[i]!)])) as Run['trunk'];
      return {
        size,
        input,
        trunk: trunkOf(outputsB),
        cleanTrunk: trunkOf(cleanB),
        gap: outputsB[TRUNK.length]!.dataSync() as Float32Array,
        scores: { A: scoresA, B: outputsB[TRUNK.length + 1]!.dataSync() as Float32Array, C: scoresC!.dataSync() as Float32Array },
        classMapsC: toMaps(classMaps!),
        averagesC: averages!.dataSync() as Float32Array,
      };
    } finally {
      tf.dispose(made);
    }
  };

  const showScores = (head: Head, scores: Float32Array | string): number => {
    const box = byId(`scores-${head.toLowerCase()}`);
    if (typeof scores === 'string') {
      box.dataset['refused'] = 'true';
      delete box.dataset['scores'];
      box.replaceChildren(el('p', { class: 'refusal' }, el('strong', {}, 'TF.js refuses this input: '), scores));
      return -1;
    }
    delete box.dataset['refused'];
    box.dataset['scores'] = JSON.stringify(Array.from(scores));
    const best = scores.indexOf(Math.max(...scores));
    box.replaceChildren(
      el(
        'ol',
        { class: 'scores', start: '0', 'aria-label': `Head ${head}: probability of each digit` },
        ...Array.from(scores, (p, digit) =>
          el(
            'li',
            { class: digit === best ? 'best' : '' },
            el('span', { class: 'digit' }, `${digit}`),
            el('span', { class: 'bar', style: `width: ${(100 * p).toFixed(1)}%` }),
            el('span', { class: 'value' }, `${(100 * p).toFixed(1)}%`),
          ),
        ),
      ),
    );
    return best;
  };

  const trunkView = byId('network-trunk');
  const windowNote = byId('network-window');
  /** The canvases an outline was drawn on: repainting those alone clears it. */
  let outlined: HTMLCanvasElement[] = [];
  const clearOutlines = (): void => {
    if (!last) return;
    for (const canvas of outlined) paintMap(canvas, last.trunk[canvas.dataset['layer'] as (typeof TRUNK)[number]], Number(canvas.dataset['channel']));
    outlined = [];
  };

  /** Hovering or focusing a pooled cell: the cell, its 2x2 window in the map above, and the arithmetic. */
  const showWindow = (poolName: 'pool1' | 'pool2', channel: number, row: number, col: number): void => {
    if (!last) return;
    const above = poolName === 'pool1' ? 'conv1' : 'conv2';
    const source = last.trunk[above];
    const pooled = last.trunk[poolName];
    clearOutlines();
    const poolCanvas = trunkView.querySelector<HTMLCanvasElement>(`canvas[data-layer="${poolName}"][data-channel="${channel}"]`)!;
    const aboveCanvas = trunkView.querySelector<HTMLCanvasElement>(`canvas[data-layer="${above}"][data-channel="${channel}"]`)!;
    outline(poolCanvas, pooled, row, col, 1, '#dd6b20');
    outline(aboveCanvas, source, 2 * row, 2 * col, 2, '#dd6b20');
    outlined = [poolCanvas, aboveCanvas];
    const taps = [0, 1].flatMap((dr) => [0, 1].map((dc) => source.values[((2 * row + dr) * source.width + 2 * col + dc) * source.channels + channel]!));
    const value = pooled.values[(row * pooled.width + col) * pooled.channels + channel]!;
    windowNote.textContent =
      `${poolName}, map ${channel + 1}, row ${row + 1}, column ${col + 1}: the 2×2 window of ${above} at rows ${2 * row + 1}–${2 * row + 2}, ` +
      `columns ${2 * col + 1}–${2 * col + 2}: (${taps.map(short).join(' + ')}) / 4 = ${short(value)}`;
  };

  function drawTrunk(): void {
    if (!last) return;
    outlined = [];
    for (const canvas of trunkView.querySelectorAll<HTMLCanvasElement>('canvas[data-layer]')) {
      const maps = last.trunk[canvas.dataset['layer'] as (typeof TRUNK)[number]];
      paintMap(canvas, maps, Number(canvas.dataset['channel']));
    }
  }

  const buildTrunk = (): void => {
    if (!last) return;
    trunkView.replaceChildren(
      ...TRUNK.map((name) => {
        const maps = last!.trunk[name];
        const pooled = POOLS.has(name);
        return el(
          'figure',
          { class: 'layer' },
          el('figcaption', {}, `${name}: ${maps.channels} maps of ${maps.height}×${maps.width}${pooled ? ' (tensor-pooling average pool 2×2: hover or focus a map, arrow keys move the cell)' : ''}`),
          el(
            'div',
            { class: 'maps' },
            ...Array.from({ length: maps.channels }, (_, channel) => {
              const canvas = el('canvas', {
                'data-layer': name,
                'data-channel': `${channel}`,
                role: 'img',
                'aria-label': `${name} map ${channel + 1}`,
                ...(pooled ? { tabindex: '0', 'aria-describedby': 'network-window' } : {}),
              });
              if (pooled) {
                let cell = [0, 0] as [number, number];
                const poolName = name as 'pool1' | 'pool2';
                canvas.addEventListener('pointermove', (event) => {
                  const rect = canvas.getBoundingClientRect();
                  const m = last!.trunk[poolName];
                  cell = [Math.min(m.height - 1, Math.floor(((event.clientY - rect.top) / rect.height) * m.height)), Math.min(m.width - 1, Math.floor(((event.clientX - rect.left) / rect.width) * m.width))];
                  showWindow(poolName, channel, ...cell);
                });
                canvas.addEventListener('focus', () => showWindow(poolName, channel, ...cell));
                canvas.addEventListener('keydown', (event) => {
                  const m = last!.trunk[poolName];
                  const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
                  const move = moves[event.key];
                  if (!move) return;
                  event.preventDefault();
                  cell = [Math.max(0, Math.min(m.height - 1, cell[0] + move[0])), Math.max(0, Math.min(m.width - 1, cell[1] + move[1]))];
                  showWindow(poolName, channel, ...cell);
                });
                const clear = () => {
                  clearOutlines();
                  windowNote.textContent = '';
                };
                canvas.addEventListener('pointerleave', clear);
                canvas.addEventListener('blur', clear);
              }
              return canvas;
            }),
          ),
        );
      }),
    );
    drawTrunk();
  };

  const gapView = byId('gap-values');
  const gapNote = byId('gap-note');
  const featureView = byId('network-features');

  const showGapChannel = (channel: number): void => {
    if (!last) return;
    chosenMap = channel;
    const maps = last.trunk.conv3;
    const values = channelOf(maps, channel);
    const sum = values.reduce((s, v) => s + v, 0);
    for (const canvas of featureView.querySelectorAll('canvas')) canvas.classList.toggle('lit', Number(canvas.dataset['channel']) === channel);
    gapNote.textContent = `map ${channel + 1}: sum ${short(sum)} / count ${values.length} (${maps.height}×${maps.width}) = ${short(last.gap[channel]!)}`;
  };

  const showHeadB = (): void => {
    if (!last) return;
    const maps = last.trunk.conv3;
    featureView.replaceChildren(
      ...Array.from({ length: maps.channels }, (_, channel) => {
        const canvas = el('canvas', { 'data-channel': `${channel}`, role: 'img', 'aria-label': `conv3 map ${channel + 1}`, 'data-values': JSON.stringify(channelOf(maps, channel)) });
        paintMap(canvas, maps, channel);
        return canvas;
      }),
    );
    featureView.dataset['shape'] = JSON.stringify([maps.height, maps.width, maps.channels]);
    const high = Math.max(...last.gap, 1e-9);
    gapView.replaceChildren(
      ...Array.from(last.gap, (value, channel) => {
        // From white to a light red, never so dark that the black number on it stops reading.
        const level = Math.round(120 + 135 * (1 - Math.max(0, value) / high));
        const cell = el(
          'button',
          { type: 'button', class: 'gap-cell', 'data-channel': `${channel}`, 'data-value': `${value}`, style: `background: rgb(255, ${level}, ${level}); color: #000`, 'aria-label': `average of map ${channel + 1}: ${short(value)}` },
          short(value),
        );
        cell.addEventListener('pointerenter', () => showGapChannel(channel));
        cell.addEventListener('focus', () => showGapChannel(channel));
        return cell;
      }),
    );
    showGapChannel(Math.min(chosenMap, maps.channels - 1));
  };

  const showHeadC = (): void => {
    if (!last) return;
    const maps = last.classMapsC;
    byId('network-class-maps').replaceChildren(
      ...Array.from({ length: CLASSES }, (_, digit) => {
        const canvas = el('canvas', { role: 'img', 'aria-label': `class map of digit ${digit}` });
        paintMap(canvas, maps, digit);
        return el('figure', { class: 'class-map' }, canvas, el('figcaption', {}, `${digit}: avg ${short(last!.averagesC[digit]!)}`));
      }),
    );
  };

  /** Class activation map: the map whose average is the predicted class's score, over the input. */
  const paintCam = (canvas: HTMLCanvasElement, map: readonly number[], mapSize: readonly [number, number], predicted: number): void => {
    const scale = Math.ceil(168 / size);
    canvas.width = size * scale;
    canvas.height = size * scale;
    canvas.dataset['class'] = `${predicted}`;
    canvas.dataset['map'] = JSON.stringify(map);
    const context = canvas.getContext('2d')!;
    for (let p = 0; p < size * size; p++) {
      const level = Math.round(255 * Math.min(1, Math.max(0, last!.input[p]!)));
      context.fillStyle = `rgb(${level},${level},${level})`;
      context.fillRect((p % size) * scale, Math.floor(p / size) * scale, scale, scale);
    }
    const low = Math.min(...map);
    const span = Math.max(...map) - low || 1;
    const [rows, cols] = mapSize;
    const cellW = canvas.width / cols;
    const cellH = canvas.height / rows;
    map.forEach((value, p) => {
      context.fillStyle = `rgba(255, 42, 0, ${(0.65 * (value - low)) / span})`;
      context.fillRect((p % cols) * cellW, Math.floor(p / cols) * cellH, cellW, cellH);
    });
  };

  const showCams = (predictedB: number, predictedC: number): void => {
    if (!last) return;
    const features = last.trunk.conv3;
    const mapB = Array.from({ length: features.height * features.width }, (_, p) => {
      let sum = denseBias[predictedB]!;
      for (let k = 0; k < features.channels; k++) sum += features.values[p * features.channels + k]! * denseKernel[k * CLASSES + predictedB]!;
      return sum;
    });
    paintCam(byId<HTMLCanvasElement>('cam-b'), mapB, [features.height, features.width], predictedB);
    paintCam(byId<HTMLCanvasElement>('cam-c'), channelOf(last.classMapsC, predictedC), [last.classMapsC.height, last.classMapsC.width], predictedC);
    byId('cam-caption').textContent = `Where the evidence is: head B's map for a ${predictedB}, head C's map for a ${predictedC} (red: high).`;
  };

  const showNoise = (): void => {
    if (!last) return;
    const sigma = Number(noise.value);
    byId('noise-value').textContent = sigma === 0 ? 'no noise' : `noise σ = ${sigma}`;
    const rows = (['pool1', 'pool2'] as const).map((pool) => {
      const above = pool === 'pool1' ? 'conv1' : 'conv2';
      const spread = (name: (typeof TRUNK)[number]) => standardDeviation(last!.trunk[name].values.map((v, i) => v - last!.cleanTrunk[name].values[i]!));
      const before = spread(above);
      const after = spread(pool);
      return el(
        'tr',
        {},
        el('th', { scope: 'row' }, `${above} → ${pool}`),
        el('td', {}, before.toFixed(4)),
        el('td', {}, after.toFixed(4)),
        el('td', {}, before > 0 ? `${(after / before).toFixed(2)}×` : '—'),
      );
    });
    byId('noise-spread').replaceChildren(...rows);
  };

  const update = (): void => {
    pending = false;
    const started = performance.now();
    last = run();
    drawCanvas.dataset['pixels'] = JSON.stringify(Array.from(last.input));
    drawCanvas.dataset['size'] = `${size}`;
    paintInput();
    const best = Object.fromEntries(HEADS.map((h) => [h, showScores(h, last!.scores[h])])) as Record<Head, number>;
    byId('flatten-note').textContent =
      typeof last.scores.A === 'string'
        ? `At ${size}×${size} the last maps are ${last.trunk.conv3.height}×${last.trunk.conv3.width}×32 = ${grouped(last.trunk.conv3.height * last.trunk.conv3.width * 32)} numbers; the dense layer was built for 1,568.`
        : `Flatten: 7×7×32 = 1,568 numbers, each with its own weight per class.`;
    if (trunkView.querySelector(`canvas[data-layer="conv1"]`)?.getAttribute('data-size') !== `${size}`) buildTrunk();
    else drawTrunk();
    trunkView.querySelector('canvas[data-layer="conv1"]')?.setAttribute('data-size', `${size}`);
    showHeadB();
    showHeadC();
    showCams(best.B, best.C);
    showNoise();
    const says = (head: Head) => (best[head] < 0 ? `head ${head} refuses a ${size}×${size} input` : `head ${head} says ${best[head]}`);
    byId('network-summary').textContent = `${size}×${size} input: ${HEADS.map(says).join(', ')} (${(performance.now() - started).toFixed(0)} ms in this page).`;
  };

  const schedule = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(update);
  };

  // Drawing: a soft round brush, interpolated between pointer events so fast strokes stay joined.
  let drawing: [number, number] | undefined;
  const brush = (x: number, y: number): void => {
    const radius = 1.3 * (size / DIGIT);
    for (let r = Math.floor(y - radius - 1); r <= Math.ceil(y + radius); r++)
      for (let c = Math.floor(x - radius - 1); c <= Math.ceil(x + radius); c++) {
        if (r < 0 || c < 0 || r >= size || c >= size) continue;
        const d = Math.hypot(r + 0.5 - y, c + 0.5 - x) / radius;
        const strength = Math.max(0, Math.min(1, 1.5 * (1 - d * d)));
        pixels[r * size + c] = Math.max(pixels[r * size + c]!, Number(strength.toFixed(3)));
      }
  };
  const gridPoint = (event: PointerEvent): [number, number] => {
    const rect = drawCanvas.getBoundingClientRect();
    return [((event.clientX - rect.left) / rect.width) * size, ((event.clientY - rect.top) / rect.height) * size];
  };
  drawCanvas.addEventListener('pointerdown', (event) => {
    drawCanvas.setPointerCapture(event.pointerId);
    picker.value = '';
    drawing = gridPoint(event);
    brush(...drawing);
    schedule();
  });
  drawCanvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const to = gridPoint(event);
    const steps = Math.ceil(Math.hypot(to[0] - drawing[0], to[1] - drawing[1]) * 4);
    for (let s = 1; s <= steps; s++) brush(drawing[0] + ((to[0] - drawing[0]) * s) / steps, drawing[1] + ((to[1] - drawing[1]) * s) / steps);
    drawing = to;
    schedule();
  });
  const stop = () => (drawing = undefined);
  drawCanvas.addEventListener('pointerup', stop);
  drawCanvas.addEventListener('pointercancel', stop);

  byId('clear-drawing').addEventListener('click', () => {
    pixels = new Float32Array(size * size);
    picker.value = '';
    schedule();
  });
  picker.addEventListener('change', () => {
    const digit = digits.digits[Number(picker.value)];
    if (picker.value === '' || !digit) return;
    pixels = place(digit.pixels, digits.size, size);
    schedule();
  });
  sizeSelect.addEventListener('change', () => {
    const next = Number(sizeSelect.value);
    const digit = picker.value === '' ? undefined : digits.digits[Number(picker.value)];
    pixels = digit ? place(digit.pixels, digits.size, next) : place(pixels, size, next);
    size = next;
    noiseValues = seededNoise(size * size, size);
    schedule();
  });
  noise.addEventListener('input', schedule);

  showParameters(curves);
  showCurves(curves);
  picker.value = '0';
  pixels = place(digits.digits[0]!.pixels, digits.size, size);
  update();
  status.textContent = `Ready: three trained models, run by TF.js on its ${tf.getBackend()} backend with tensor-pooling's layers.`;
  byId('network').dataset['ready'] = 'true';
}

function showParameters(curves: CurvesAsset): void {
  for (const head of HEADS) {
    const p = curves.parameters[head];
    byId(`parameters-${head.toLowerCase()}`).textContent = `head ${grouped(p.head)} parameters (whole model ${grouped(p.total)})`;
  }
}

const COLORS: Record<Head, string> = { A: '#c05621', B: '#2f855a', C: '#6b46c1' };

/** The study's accuracy curves, one chart per head: every seed, with the exported seed's gap shaded. */
function showCurves(curves: CurvesAsset): void {
  const select = byId<HTMLSelectElement>('curves-size');
  const sizes = [...new Set(curves.runs.map((r) => r.trainSize))].sort((a, b) => a - b);
  select.replaceChildren(...sizes.map((s) => el('option', { value: `${s}` }, `${grouped(s)} training digits`)));
  select.value = `${curves.exportedTrainSize}`;
  const draw = () => {
    const trainSize = Number(select.value);
    const runs = curves.runs.filter((r) => r.trainSize === trainSize);
    const maxEpoch = Math.max(...runs.flatMap((r) => r.epochs.map((e) => e[0])));
    const low = Math.floor(Math.min(...runs.flatMap((r) => r.epochs.map((e) => e[2]))) * 10) / 10;
    const [width, height, left, top, bottom] = [300, 190, 40, 12, 28];
    const x = (epoch: number) => left + ((epoch - 1) / Math.max(1, maxEpoch - 1)) * (width - left - 10);
    const y = (accuracy: number) => top + ((1 - accuracy) / (1 - low || 1)) * (height - top - bottom);
    const svgNs = 'http://www.w3.org/2000/svg';
    const node = (tag: string, attributes: Record<string, string>, text?: string) => {
      const n = document.createElementNS(svgNs, tag);
      for (const [k, v] of Object.entries(attributes)) n.setAttribute(k, v);
      if (text) n.textContent = text;
      return n;
    };
    byId('network-curves').replaceChildren(
      ...HEADS.map((head) => {
        const own = runs.filter((r) => r.head === head);
        const shown = own.find((r) => r.seed === curves.exportedSeed) ?? own[0];
        const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `curve-title-${head}` });
        svg.append(node('title', { id: `curve-title-${head}` }, `Head ${head}: training (dashed) and test (solid) accuracy per epoch, ${own.length} seeds`));
        for (const tick of [low, (low + 1) / 2, 1]) {
          svg.append(node('line', { x1: `${left}`, x2: `${width - 10}`, y1: `${y(tick)}`, y2: `${y(tick)}`, stroke: '#e2e8f0' }));
          svg.append(node('text', { x: '2', y: `${y(tick) + 4}`, 'font-size': '10', fill: '#4a5568' }, `${Math.round(100 * tick)}%`));
        }
        svg.append(node('text', { x: `${width / 2}`, y: `${height - 6}`, 'font-size': '10', fill: '#4a5568', 'text-anchor': 'middle' }, `epoch 1–${maxEpoch}`));
        if (shown) {
          const band = [...shown.epochs.map((e) => `${x(e[0])},${y(e[1])}`), ...[...shown.epochs].reverse().map((e) => `${x(e[0])},${y(e[2])}`)].join(' ');
          svg.append(node('polygon', { points: band, fill: COLORS[head], 'fill-opacity': '0.18', 'data-gap': 'true' }));
        }
        for (const r of own) {
          const line = (index: 1 | 2, dashed: boolean) =>
            node('polyline', { points: r.epochs.map((e) => `${x(e[0])},${y(e[index])}`).join(' '), fill: 'none', stroke: COLORS[head], 'stroke-width': '1.5', ...(dashed ? { 'stroke-dasharray': '4 3' } : {}) });
          svg.append(line(1, true), line(2, false));
        }
        const final = shown?.epochs.at(-1);
        const caption = final
          ? `Head ${head}: after epoch ${final[0]} (seed ${shown!.seed}) training ${(100 * final[1]).toFixed(1)}%, test ${(100 * final[2]).toFixed(1)}%: gap ${(100 * (final[1] - final[2])).toFixed(1)} points (shaded).`
          : `Head ${head}: no runs at this size.`;
        return el('figure', { class: 'curve' }, svg as unknown as HTMLElement, el('figcaption', {}, caption));
      }),
    );
  };
  select.addEventListener('change', draw);
  draw();
}
