/**
 * Pooling on real pictures: the default image or one the user drops in, decoded by the browser and
 * pooled by the library per channel (channels-last, as image data comes), shown as a picture, per
 * channel, and pooled again and again. The image never leaves the page.
 */
import { avgPool, explainPlan, globalAvgPool, maxPool, observeRuns, PoolingError, tensor, type Tensor } from 'tensor-pooling';
import defaultImageUrl from './default-image.svg';
import { byId, el, milliseconds, parseParam, short } from './format.js';

/** Pictures larger than this on either side are scaled down before pooling, and the page says so. */
export const MAX_SIDE = 1024;

export interface Picture {
  readonly name: string;
  /** (1, H, W, 3), values 0-255. */
  readonly pixels: Tensor<Float32Array>;
}

type PictureListener = (picture: Picture) => void;

function toPicture(name: string, source: CanvasImageSource, width: number, height: number): Picture {
  const canvas = el('canvas', { width: `${width}`, height: `${height}` });
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  // Transparent parts are shown over white, as the page shows them.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, width, height);
  context.drawImage(source, 0, 0, width, height);
  const rgba = context.getImageData(0, 0, width, height).data;
  const rgb = new Float32Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return { name, pixels: tensor([1, height, width, 3], rgb) };
}

/** A canvas showing a (1, H, W, 3) tensor; `channel` keeps one channel, tinted. */
function render(t: Tensor, label: string, channel?: number): HTMLCanvasElement {
  const [, height, width] = t.shape as [number, number, number, number];
  const canvas = el('canvas', { width: `${width}`, height: `${height}`, role: 'img', 'aria-label': label });
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) {
      const value = channel === undefined || channel === c ? t.data[p * 3 + c]! : 0;
      image.data[p * 4 + c] = value;
    }
    image.data[p * 4 + 3] = 255;
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

function figure(canvas: HTMLCanvasElement, caption: string, testId?: string): HTMLElement {
  return el('figure', testId ? { class: 'picture', 'data-testid': testId } : { class: 'picture' }, canvas, el('figcaption', {}, caption));
}

function standardDeviation(data: Float32Array): number {
  let mean = 0;
  for (const v of data) mean += v;
  mean /= data.length;
  let variance = 0;
  for (const v of data) variance += (v - mean) ** 2;
  return Math.sqrt(variance / data.length);
}

export interface ImageSection {
  readonly current: () => Picture | undefined;
}

export function setUpImages(onPicture: PictureListener, onRun: (backend: string | undefined) => void): ImageSection {
  let picture: Picture | undefined;
  const message = byId('image-message');
  const errorBox = byId('image-error');

  const showError = (text: string | undefined) => {
    errorBox.hidden = text === undefined;
    errorBox.textContent = text ?? '';
  };

  const update = () => {
    if (!picture) return;
    const op = byId<HTMLSelectElement>('image-op').value;
    const options = {
      kernel: parseParam(byId<HTMLInputElement>('image-kernel').value) ?? '',
      stride: parseParam(byId<HTMLInputElement>('image-stride').value),
      layout: 'channels-last' as const,
    } as Parameters<typeof avgPool>[1];
    const pool = (x: Tensor<Float32Array>) => (op === 'max' ? maxPool(x, options) : avgPool(x, options));
    const steps = Math.min(5, Math.max(1, Math.round(Number(byId<HTMLInputElement>('image-steps').value)) || 1));
    const outputs: Tensor<Float32Array>[] = [];
    let stepError: string | undefined;
    const { runs } = observeRuns(() => {
      let x = picture!.pixels;
      for (let s = 0; s < steps; s++) {
        try {
          x = pool(x);
        } catch (error) {
          if (!(error instanceof PoolingError)) throw error;
          stepError = s === 0 ? `${error.message} [${error.code}]` : `Step ${s + 1} stops here: ${error.message}`;
          break;
        }
        outputs.push(x);
      }
    });
    const source = picture.pixels;
    const [, height, width] = source.shape as [number, number, number, number];
    const original = figure(render(source, `${picture.name}, ${width} by ${height}`), `${picture.name}: ${width} × ${height}`);
    const first = outputs[0];
    showError(outputs.length === 0 ? stepError : undefined);
    if (!first) {
      byId('image-output').replaceChildren(original);
      byId('image-channels').replaceChildren();
      byId('image-steps-view').replaceChildren();
      byId('image-formula').textContent = '';
      return;
    }
    const [, outH, outW] = first.shape as [number, number, number, number];
    byId('image-output').replaceChildren(
      original,
      figure(render(first, `${op === 'max' ? 'max' : 'average'} pooled, ${outW} by ${outH}`), `${op === 'max' ? 'Max' : 'Average'} pooled: ${outW} × ${outH}`, 'pooled'),
    );
    byId('image-channels').replaceChildren(
      ...['Red', 'Green', 'Blue'].map((name, c) => figure(render(first, `${name} channel pooled`, c), `${name} channel`)),
    );
    const firstRun = runs[0]!;
    const explanation = explainPlan(firstRun.plan);
    byId('image-formula').replaceChildren(
      el('strong', {}, 'Output size: '),
      ...explanation.axes.map((a) => el('span', { class: 'axis-formula' }, `${a.name === 'H' ? 'height' : 'width'}: ${a.formula}`)),
    );
    const means = (t: Tensor<Float32Array>) => Array.from(globalAvgPool(t, { layout: 'channels-last' }).data, (v) => short(Math.round(v * 10) / 10));
    byId('image-steps-view').replaceChildren(
      ...outputs.map((t, s) => {
        const [, h, w] = t.shape as [number, number, number, number];
        const kept = (t.data.length / source.data.length) * 100;
        return el(
          'figure',
          { class: 'picture step' },
          render(t, `step ${s + 1}: ${w} by ${h}`),
          el(
            'figcaption',
            {},
            el('strong', {}, `Step ${s + 1}: ${w} × ${h}`),
            el('br'),
            `keeps ${kept < 1 ? kept.toFixed(2) : kept.toFixed(1)}% of the values; channel means ${means(t).join(' / ')}`,
            el('br'),
            `detail (std. dev.) ${standardDeviation(t.data).toFixed(1)} vs ${standardDeviation(source.data).toFixed(1)} before`,
            ...explainPlan(runs[s]!.plan).warnings.map((w) => el('span', { class: 'warning' }, el('br'), `loses: ${w.replace(/^axis H/, 'rows').replace(/^axis W/, 'columns')}`)),
          ),
        );
      }),
      ...(stepError ? [el('p', { class: 'warning' }, stepError)] : []),
    );
    const total = runs.reduce((t, r) => t + r.milliseconds, 0);
    byId('image-status').textContent = `${runs.length} run${runs.length === 1 ? '' : 's'} on backend ${[...new Set(runs.map((r) => r.backend))].join(', ')}, ${milliseconds(total)} in all (first: ${milliseconds(firstRun.milliseconds)})`;
    onRun(firstRun.backend);
  };

  const accept = (next: Picture, note: string) => {
    picture = next;
    message.textContent = note;
    showError(undefined);
    update();
    onPicture(next);
  };

  const loadFile = async (file: File) => {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      showError(
        `Could not read "${file.name}" (${file.type || 'unknown type'}, ${file.size} bytes) as an image: this browser cannot decode it. ` +
          `Try a PNG, JPEG, WebP or GIF. The previous image stays.`,
      );
      return;
    }
    const { width, height } = bitmap;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const w = Math.max(1, Math.round(width * scale));
    const h = Math.max(1, Math.round(height * scale));
    const note =
      scale < 1
        ? `"${file.name}" is ${width} × ${height}; it was scaled down to ${w} × ${h} (at most ${MAX_SIDE} pixels a side) before pooling. Processed locally.`
        : `"${file.name}": ${width} × ${height}, processed locally.`;
    accept(toPicture(file.name, bitmap, w, h), note);
    bitmap.close();
  };

  const loadDefault = async () => {
    const image = new Image();
    image.src = defaultImageUrl;
    await image.decode();
    accept(toPicture('default image', image, image.naturalWidth || 320, image.naturalHeight || 240), 'The default image (embedded in the page).');
  };

  const fileInput = byId<HTMLInputElement>('image-file');
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    // Cleared so that choosing the same file again reloads it; the message names the file.
    fileInput.value = '';
    if (file) void loadFile(file);
  });
  const zone = byId('drop-zone');
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) void loadFile(file);
    else showError('Nothing to read in what was dropped: drop an image file.');
  });
  byId('default-image').addEventListener('click', () => void loadDefault());
  byId<HTMLFormElement>('image-controls').addEventListener('input', update);
  byId<HTMLFormElement>('image-controls').addEventListener('submit', (event) => event.preventDefault());
  void loadDefault();
  return { current: () => picture };
}
