/**
 * The web explainer, end to end in Debian's Chromium: the built page, served locally, must show
 * exactly what the library computes for every setting, highlight the right windows, pool dropped
 * images, and tell the head-parameter story. Expected values are computed here with the library.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { avgPool, backendNames, globalAvgPool, keras, maxPool, runOnnxNode, tensor, tfjs, torch, type Tensor } from 'tensor-pooling';
import { buildPage, launch, packageRoot, repoRoot, serve } from './browser.js';
import { registerNetworkTests } from './network-checks.js';

const artifacts = join(repoRoot, 'test-artifacts/web');
let server: Server;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
let page: Page;
let url: string;
const problems: string[] = [];

before(async () => {
  await mkdir(artifacts, { recursive: true });
  const served = await serve(await buildPage());
  server = served.server;
  url = served.url;
  const browser = await launch();
  context = browser.context;
  closeBrowser = browser.close;
  page = context.pages()[0] ?? (await context.newPage());
  // Generous for a loaded 2-core CI machine; a broken page still fails, only later.
  page.setDefaultTimeout(15_000);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(served.url);
  await page.waitForSelector('#output-grid .cell.out');
  await page.waitForSelector('[data-testid="pooled"]');
}, { timeout: 120_000 });

after(async () => {
  await closeBrowser?.();
  await new Promise((resolve) => server?.close(resolve));
});

async function shot(name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
}

/** A picture of the page from the top of one element to the bottom of another. */
async function shotBetween(name: string, fromId: string, toId: string): Promise<void> {
  const [top, bottom] = await page.evaluate(
    ([from, to]) => [
      document.getElementById(from!)!.getBoundingClientRect().top + globalThis.scrollY,
      document.getElementById(to!)!.getBoundingClientRect().bottom + globalThis.scrollY,
    ],
    [fromId, toId],
  );
  const width = page.viewportSize()!.width;
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true, clip: { x: 0, y: top! - 8, width, height: bottom! - top! + 16 } });
}

/** The input map as the page holds it, row-major. */
async function inputValues(): Promise<{ height: number; width: number; values: Float64Array }> {
  const cells = await page.$$eval('#input-grid input.cell', (nodes) =>
    nodes.map((n) => [Number(n.getAttribute('data-r')), Number(n.getAttribute('data-c')), Number((n as HTMLInputElement).value)] as const),
  );
  const height = Math.max(...cells.map(([r]) => r)) + 1;
  const width = Math.max(...cells.map(([, c]) => c)) + 1;
  const values = new Float64Array(height * width);
  for (const [r, c, v] of cells) values[r * width + c] = v;
  return { height, width, values };
}

async function outputValues(): Promise<string[]> {
  return page.$$eval('#output-grid .cell.out', (nodes) => nodes.map((n) => n.getAttribute('data-value')!));
}

async function outputShape(): Promise<[number, number]> {
  const cells = await page.$$eval('#output-grid .cell.out', (nodes) => nodes.map((n) => [Number(n.getAttribute('data-row')), Number(n.getAttribute('data-col'))]));
  return [Math.max(...cells.map(([r]) => r!)) + 1, Math.max(...cells.map(([, c]) => c!)) + 1];
}

function strings(t: { data: ArrayLike<number> }): string[] {
  return Array.from(t.data, (v) => String(v));
}

async function set(controls: Record<string, string | boolean>): Promise<void> {
  for (const [id, value] of Object.entries(controls)) {
    if (typeof value === 'boolean') await page.setChecked(`#${id}`, value);
    else if (id === 'dialect' || id === 'op') await page.selectOption(`#${id}`, value);
    else await page.fill(`#${id}`, value);
  }
}

const nchw = (g: { height: number; width: number; values: Float64Array }) => tensor([1, 1, g.height, g.width], g.values);
const nhwc = (g: { height: number; width: number; values: Float64Array }) => tensor([1, g.height, g.width, 1], g.values);

test('the page sources type-check under web/tsconfig.json', () => {
  const tsc = join(repoRoot, 'node_modules/.bin/tsc');
  const result = spawnSync(tsc, ['-p', join(packageRoot, 'tsconfig.web.json')], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});

test('the page loads with no console errors and names the backend that ran', async () => {
  assert.deepEqual(problems, []);
  const status = await page.textContent('#step-status');
  assert.match(status!, new RegExp(`backend (${backendNames().join('|')}), [0-9.]+ ms`));
  assert.match((await page.textContent('#backend-footer'))!, new RegExp(backendNames()[0]!));
  await shot('01-step-by-step');
});

test('changing kernel, stride, padding and dialect shows exactly what the library computes', async () => {
  // The default: PyTorch, kernel 3, stride 2, padding 1, count_include_pad=True.
  let grid = await inputValues();
  assert.deepEqual(await outputValues(), strings(torch.avgPool2d(nchw(grid), { kernel_size: 3, stride: 2, padding: 1 })));

  await set({ kernel: '2', stride: '1', padding: '0' });
  assert.deepEqual(await outputValues(), strings(torch.avgPool2d(nchw(grid), { kernel_size: 2, stride: 1 })));

  // ONNX: an empty stride means 1, and padding is not counted.
  await set({ dialect: 'onnx', kernel: '3', stride: '', padding: '1' });
  assert.deepEqual(await outputShape(), [6, 6]);
  assert.deepEqual(await outputValues(), strings(runOnnxNode('AveragePool', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, [nchw(grid)])[0] as Tensor));

  // Keras 'same' puts the odd pad at the end.
  await set({ dialect: 'keras', kernel: '3', stride: '2', padding: 'same' });
  assert.deepEqual(await outputValues(), strings(keras.averagePooling2d(nhwc(grid), { pool_size: 3, strides: 2, padding: 'same' })));

  // TF.js, ceil rounding on a 5x5 map: its last window lies in the padding and averages to NaN.
  await set({ dialect: 'tfjs', height: '5', width: '5', kernel: '2', stride: '2', padding: '1', ceilMode: true });
  grid = await inputValues();
  assert.equal(grid.height, 5);
  const expected = strings(tfjs.avgPool(nhwc(grid), [2, 2], [2, 2], 1, 'ceil'));
  assert.equal(expected.length, 16);
  assert.ok(expected.includes('NaN'));
  assert.deepEqual(await outputValues(), expected);
  assert.match((await page.textContent('#plan-explanation'))!, /ceil\(2\.5\) \+ 1 = 4/);

  // Native max pooling with dilation.
  await set({ dialect: 'native', op: 'max', kernel: '2', stride: '1', padding: '1', dilation: '2', ceilMode: false });
  assert.deepEqual(await outputValues(), strings(maxPool(nchw(grid), { kernel: 2, stride: 1, padding: 1, dilation: 2 })));

  // A setting an ecosystem rejects shows the library's own message, and no stale output.
  await set({ op: 'avg', dilation: '', kernel: '9', padding: '0' });
  assert.match((await page.textContent('#step-error'))!, /OUTPUT_EMPTY/);
  assert.deepEqual(await outputValues(), []);
  assert.deepEqual(problems, []);
});

test('hovering or focusing an output cell highlights its window, padding included, with sum and divisor', async () => {
  await set({ dilation: '', dialect: 'torch', op: 'avg', height: '6', width: '6', kernel: '3', stride: '2', padding: '1', ceilMode: false });
  await page.setChecked('#countIncludePad', true);
  const grid = await inputValues();
  const highlighted = () =>
    page.$$eval('#input-grid .in-window', (nodes) => nodes.map((n) => `${n.getAttribute('data-r')},${n.getAttribute('data-c')}`).sort());
  // Output (o_h, o_w) reads rows o_h*2-1 .. o_h*2+1 and columns o_w*2-1 .. o_w*2+1 (stride 2, padding 1).
  const window = (oh: number, ow: number) =>
    [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => `${oh * 2 - 1 + i},${ow * 2 - 1 + j}`)).sort();

  await page.hover('#output-grid [data-row="1"][data-col="2"]');
  assert.deepEqual(await highlighted(), window(1, 2));

  await page.hover('#output-grid [data-row="0"][data-col="0"]');
  assert.deepEqual(await highlighted(), window(0, 0));
  assert.equal(await page.$$eval('#input-grid .pad.in-window', (n) => n.length), 5);
  const corner = [0, 1].flatMap((r) => [0, 1].map((c) => grid.values[r * grid.width + c]!)).reduce((s, v) => s + v, 0);
  const explanation = (await page.textContent('#window-explanation'))!;
  assert.match(explanation, new RegExp(`= ${corner}; divisor = 9;`));
  assert.match(explanation, /4 of its 9 taps lie in the input, 5 in the padding/);
  // The README's picture: controls, both grids and the explanation of the highlighted window.
  await shotBetween('02-window-highlight', 'step-title', 'window-explanation');

  // Keyboard: Tab moves to the next output cell, and the explanation follows the focus.
  await page.focus('#output-grid [data-row="0"][data-col="0"]');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-col')), '1');
  assert.match((await page.textContent('#window-explanation'))!, /Output row 1, column 2/);
  assert.deepEqual(await highlighted(), window(0, 1));
  await page.keyboard.press('ArrowDown');
  assert.deepEqual(await page.evaluate(() => [document.activeElement?.getAttribute('data-row'), document.activeElement?.getAttribute('data-col')]), ['1', '1']);
  assert.deepEqual(await highlighted(), window(1, 1));
});

test('compare dialects: the ceil-mode case L=5, k=2, s=2, padding 1 gives PyTorch 3x3 and TF.js 4x4, and says why', async () => {
  await set({ height: '5', width: '5', kernel: '2', stride: '2', padding: '1', ceilMode: true });
  const grid = await inputValues();
  const shapeOf = (dialect: string) => page.textContent(`#compare-view tr[data-dialect="${dialect}"] td:nth-child(3)`);
  assert.match((await shapeOf('torch'))!, /^3 × 3/);
  assert.match((await shapeOf('onnx'))!, /^3 × 3/);
  assert.match((await shapeOf('tfjs'))!, /^4 × 4/);
  assert.match((await shapeOf('keras'))!, /Keras pads only 'valid' or 'same'/);
  assert.deepEqual(torch.avgPool2d(nchw(grid), { kernel_size: 2, stride: 2, padding: 1, ceil_mode: true }).shape, [1, 1, 3, 3]);
  const why = (await page.textContent('#compare-view .differences'))!;
  assert.match(why, /Output shapes differ/);
  assert.match(why, /PyTorch and ONNX drop it/);
  assert.match(why, /padding counted/);
  await shotBetween('03-compare-dialects', 'compare', 'compare-view');
});

function seededPixels(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  let state = 12345;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    pixels[i] = state >>> 23;
  }
  return pixels;
}

test('dropping a PNG pools it exactly as the library does, per channel and globally', async () => {
  const [width, height] = [48, 36];
  const raw = seededPixels(width, height);
  const png = await sharp(raw, { raw: { width, height, channels: 3 } }).png().toBuffer();
  await page.fill('#image-kernel', '4');
  await page.fill('#image-stride', '');
  await page.$eval(
    '#drop-zone',
    (zone, bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    },
    Array.from(png),
  );
  await page.waitForSelector('[data-testid="pooled"] figcaption:has-text("12 × 9")');
  assert.match((await page.textContent('#image-message'))!, /"dropped.png": 48 × 36, processed locally/);
  const x = tensor([1, height, width, 3], Float32Array.from(raw));
  const pooled: Tensor<Float32Array> = avgPool(x, { kernel: 4, layout: 'channels-last' });
  const shown = await page.$eval('[data-testid="pooled"] canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
  const expected = Uint8ClampedArray.from(pooled.data);
  assert.deepEqual(
    shown.filter((_, i) => i % 4 !== 3),
    Array.from(expected),
  );
  const means = globalAvgPool(x, { layout: 'channels-last' });
  const bars = await page.$$eval('#channel-bars .bar-row', (rows) => rows.map((r) => r.getAttribute('data-value')));
  assert.deepEqual(bars, strings(means));
  assert.match((await page.textContent('#image-formula'))!, /\(36 \+ 0 \+ 0 - 4\) \/ 4 \+ 1 = 9/);
  assert.match((await page.textContent('#image-status'))!, /backend \w+/);
  assert.deepEqual(problems, []);
});

test('large images are scaled down with a notice, unreadable files get a clear message', async () => {
  const big = await sharp({ create: { width: 2400, height: 1600, channels: 3, background: { r: 200, g: 80, b: 20 } } }).png().toBuffer();
  await page.setInputFiles('#image-file', { name: 'big.png', mimeType: 'image/png', buffer: big });
  await page.waitForSelector('#image-message:has-text("scaled down")');
  assert.match((await page.textContent('#image-message'))!, /"big.png" is 2400 × 1600; it was scaled down to 1024 × 683/);
  await page.setInputFiles('#image-file', { name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('these are not pixels') });
  await page.waitForSelector('#image-error:not([hidden])');
  assert.match((await page.textContent('#image-error'))!, /Could not read "notes.png" \(image\/png, 20 bytes\) as an image/);
  await page.click('#default-image');
  await page.waitForSelector('#image-message:has-text("default image")');
  await shotBetween('04-images', 'images-title', 'image-steps-view');
  // Browsers log a failed decode of a broken file themselves; nothing else may be logged.
  assert.deepEqual(problems.filter((p) => !/decode|image/i.test(p)), []);
});

test('every op in every preset gives a result with explained windows, or says why it cannot', async () => {
  await set({ dialect: 'native', op: 'avg', height: '5', width: '6', kernel: '2', stride: '', padding: '0', dilation: '', ceilMode: false });
  await set({ op: 'lp', p: '3' });
  await set({ op: 'adaptive-avg', outputSize: '2, 3' });
  const ops = await page.$$eval('#op option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  const dialects = await page.$$eval('#dialect option', (options) => options.map((o) => (o as HTMLOptionElement).value));
  assert.equal(ops.length * dialects.length, 35);
  let results = 0;
  for (const dialect of dialects) {
    for (const op of ops) {
      await set({ dialect, op });
      const cells = await page.$$('#output-grid .cell.out');
      const error = (await page.textContent('#step-error'))!;
      if (cells.length === 0) {
        assert.match(error, /Not possible in this ecosystem: .+|\[[A-Z_]+\]$/, `${dialect} ${op}`);
        continue;
      }
      results++;
      assert.equal(error, '', `${dialect} ${op}`);
      await cells[cells.length - 1]!.hover();
      assert.match((await page.textContent('#window-explanation'))!, /Output row \d+, column \d+ = .*Why: /, `${dialect} ${op}`);
      assert.ok((await page.$$('#input-grid .in-window')).length > 0, `${dialect} ${op}`);
    }
  }
  // ONNX has no adaptive pooling, Keras no LP or adaptive, TF.js core only avg and max: 35 - 2 - 3 - 5 = 25.
  assert.equal(results, 25);
  assert.deepEqual(problems.filter((p) => !/decode|image/i.test(p)), []);
});

test("the head calculator shows ResNet-50's 2,049,000 versus 100,353,000 head parameters at 224x224", async () => {
  await page.selectOption('#head-model', 'ResNet-50');
  await page.fill('#head-size', '224');
  assert.equal(await page.textContent('[data-testid="global-parameters"]'), '2,049,000');
  assert.equal(await page.textContent('[data-testid="flatten-parameters"]'), '100,353,000');
  await page.fill('#head-size', '320');
  const row = page.locator('#head-result tr[data-size="320"]');
  assert.match((await row.locator('[data-head="flatten"]').textContent())!, /breaks: .* expects 100,352 inputs, gets 204,800/);
  assert.equal(await row.locator('[data-head="global-average"]').getAttribute('data-parameters'), '2049000');
  await page.selectOption('#head-model', 'VGG-16');
  assert.equal(await page.textContent('[data-testid="flatten-parameters"]'), '25,089,000');
  assert.match((await page.textContent('#head-result tr[data-size="128"]'))!, /4 × 4/);
  await shotBetween('05-head-calculator', 'global-title', 'head-result');
});

test('every control is labelled, and the page reads at phone width (390 px)', async () => {
  const unlabelled = await page.$$eval('input, select, button', (nodes) =>
    nodes
      .filter((n) => !(n as HTMLInputElement).labels?.length && !n.getAttribute('aria-label') && !(n.textContent ?? '').trim())
      .map((n) => n.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabelled, []);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(overflow <= 390, `the page is ${overflow} px wide at a 390 px viewport`);
  await shot('06-phone', true);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(problems.filter((p) => !/decode|image/i.test(p)), []);
});

registerNetworkTests({ page: () => page, context: () => context, url: () => url, problems, artifacts });
