/**
 * The network section and the step-by-step window's play controls (issue 13), run by
 * explainer.test.ts on its page so one browser and one build serve every check. The study's
 * exported models are loaded here too, in Node, once: the page must give the same scores for the
 * same pixels, and its global averages must be the library's globalAvgPool of the maps it shows.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tensor } from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BrowserContext, Page } from 'playwright-core';
import { globalAvgPool, tensor } from 'tensor-pooling';
import 'tensor-pooling/tfjs';
import { tf, tfReady } from '@tensor-pooling/test-kit/tfjs';
import { packageRoot } from './browser.js';

interface Shared {
  readonly page: () => Page;
  readonly context: () => BrowserContext;
  readonly url: () => string;
  readonly problems: string[];
  readonly artifacts: string;
}

type Head = 'A' | 'B' | 'C';
const ASSETS = join(packageRoot, 'public/network');
const TOLERANCE = 1e-5;

let models: Promise<Record<Head, tfl.LayersModel>> | undefined;

/** The exported models as Node loads them: TF.js's cpu backend, tensor-pooling's layers. */
function nodeModels(): Promise<Record<Head, tfl.LayersModel>> {
  models ??= (async () => {
    await tfReady();
    const load = (head: Head) => {
      const folder = join(ASSETS, `head-${head.toLowerCase()}`);
      const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
      const weights = new Uint8Array(readFileSync(join(folder, 'weights.bin'))).buffer;
      return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weights }));
    };
    const [A, B, C] = await Promise.all((['A', 'B', 'C'] as const).map(load));
    return { A: A!, B: B!, C: C! };
  })();
  return models;
}

async function pageInput(page: Page): Promise<{ size: number; pixels: number[] }> {
  const canvas = page.getByTestId('draw-canvas');
  return { size: Number(await canvas.getAttribute('data-size')), pixels: JSON.parse((await canvas.getAttribute('data-pixels'))!) as number[] };
}

async function pageScores(page: Page, head: Head): Promise<number[] | undefined> {
  const scores = await page.getByTestId(`scores-${head.toLowerCase()}`).getAttribute('data-scores');
  return scores === null ? undefined : (JSON.parse(scores) as number[]);
}

/** Each head's scores in the page equal the Node model's on the page's own pixels, or both refuse. */
async function assertSameScoresAsNode(page: Page): Promise<void> {
  const { size, pixels } = await pageInput(page);
  const loaded = await nodeModels();
  for (const head of ['A', 'B', 'C'] as const) {
    const x = tf.tensor4d(pixels, [1, size, size, 1]);
    let expected: number[] | string;
    try {
      expected = Array.from((loaded[head].predict(x) as Tensor).dataSync());
    } catch (error) {
      expected = (error as Error).message;
    }
    x.dispose();
    const shown = await pageScores(page, head);
    if (typeof expected === 'string') {
      assert.equal(shown, undefined, `head ${head} refuses ${size}x${size} in Node, so must the page`);
      assert.ok((await page.getByTestId(`scores-${head.toLowerCase()}`).textContent())!.includes(expected), `head ${head} shows TF.js's own words`);
    } else {
      assert.ok(shown, `head ${head} scores at ${size}x${size}`);
      assert.equal(shown.length, 10);
      shown.forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) <= TOLERANCE, `head ${head} class ${i}: page ${p}, Node ${expected[i]}`));
    }
  }
}

/**
 * Waits for the page to show new pixels, then two animation frames more: an update scheduled by
 * the last event runs in the next frame, so pixels and scores are read from the same update.
 */
async function settled(page: Page, previous: string | null): Promise<void> {
  await page.waitForFunction((before) => document.querySelector('[data-testid="draw-canvas"]')?.getAttribute('data-pixels') !== before, previous);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

export function registerNetworkTests(shared: Shared): void {
  test('the network section loads only when the reader nears it', async () => {
    const fresh = await shared.context().newPage();
    try {
      await fresh.goto(shared.url());
      await fresh.waitForSelector('#output-grid .cell.out');
      const fetched = await fresh.evaluate(() => performance.getEntriesByType('resource').map((entry) => entry.name));
      assert.deepEqual(fetched.filter((name) => /model\.json|network-[\w-]+\.js/.test(name)), [], 'no model or TF.js before scrolling');
      assert.match((await fresh.textContent('#network-status'))!, /load when you scroll here/);
    } finally {
      await fresh.close();
    }
  });

  test('a digit drawn with pointer events gets the same scores in the page as in Node, for each head', async () => {
    const page = shared.page();
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.locator('#network').scrollIntoViewIfNeeded();
    await page.waitForSelector('#network[data-ready="true"]', { timeout: 60_000 });
    await page.click('#clear-drawing');
    const canvas = page.getByTestId('draw-canvas');
    const box = (await canvas.boundingBox())!;
    let before = await canvas.getAttribute('data-pixels');
    // A 7: the top bar, then the diagonal stroke.
    const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
    await page.mouse.move(...at(0.3, 0.25));
    await page.mouse.down();
    for (const [x, y] of [[0.5, 0.25], [0.7, 0.25], [0.6, 0.5], [0.5, 0.75]] as const) await page.mouse.move(...at(x, y), { steps: 6 });
    await page.mouse.up();
    await settled(page, before);
    const { size, pixels } = await pageInput(page);
    assert.equal(size, 28);
    assert.ok(pixels.filter((v) => v > 0.5).length > 20, 'the stroke left ink');
    assert.equal(await page.getByTestId('test-digit').inputValue(), '', 'a drawing is no test digit');
    await assertSameScoresAsNode(page);
    assert.match((await page.textContent('#flatten-note'))!, /1,568 numbers/);

    // A finger draws as a pointer does: touch-action none keeps the page from scrolling instead.
    assert.equal(await canvas.evaluate((node) => getComputedStyle(node).touchAction), 'none');
    before = await canvas.getAttribute('data-pixels');
    const cdp = await shared.context().newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', x: number, y: number) =>
      cdp.send('Input.dispatchTouchEvent', { type, touchPoints: type === 'touchEnd' ? [] : [{ x: box.x + x * box.width, y: box.y + y * box.height }] });
    await touch('touchStart', 0.2, 0.8);
    await touch('touchMove', 0.3, 0.8);
    await touch('touchMove', 0.4, 0.8);
    await touch('touchEnd', 0, 0);
    await cdp.detach();
    await settled(page, before);
    await assertSameScoresAsNode(page);
    await page.locator('#network').screenshot({ path: join(shared.artifacts, '07-network-drawn.png') });
  });

  test("gap-values are the library's globalAvgPool of the maps the page shows, and hovering one shows sum / count", async () => {
    const page = shared.page();
    const before = await page.getByTestId('draw-canvas').getAttribute('data-pixels');
    await page.getByTestId('test-digit').selectOption('3');
    await settled(page, before);
    const [height, width, channels] = JSON.parse((await page.getAttribute('#network-features', 'data-shape'))!) as [number, number, number];
    const maps = await page.$$eval('#network-features canvas', (nodes) => nodes.map((n) => JSON.parse(n.getAttribute('data-values')!) as number[]));
    assert.equal(maps.length, channels);
    const expected = globalAvgPool(tensor([1, channels, height, width], Float64Array.from(maps.flat())));
    const shown = await page.$$eval('[data-testid="gap-values"] [data-value]', (nodes) => nodes.map((n) => Number(n.getAttribute('data-value'))));
    assert.equal(shown.length, channels);
    shown.forEach((v, k) => assert.ok(Math.abs(v - expected.data[k]!) <= TOLERANCE * Math.max(1, Math.abs(v)), `channel ${k}: page ${v}, library ${expected.data[k]}`));

    await page.hover('[data-testid="gap-values"] [data-channel="5"]');
    assert.match((await page.textContent('#gap-note'))!, new RegExp(`^map 6: sum [-0-9.e]+ / count ${height * width} \\(${height}×${width}\\) = `));
    assert.equal(await page.getAttribute('#network-features canvas.lit', 'data-channel'), '5');

    // The trunk: focusing a pooled map shows its cell's 2x2 window above, with the arithmetic.
    await page.focus('#network-trunk canvas[data-layer="pool1"][data-channel="2"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowRight');
    assert.match((await page.textContent('#network-window'))!, /^pool1, map 3, row 2, column 2: the 2×2 window of conv1 at rows 3–4, columns 3–4: \(.+ \+ .+ \+ .+ \+ .+\) \/ 4 = /);
  });

  test('at 36x36 head A shows TF.js refusing while B and C score, and the class activation maps are drawn', async () => {
    const page = shared.page();
    await page.getByTestId('canvas-size').selectOption('36');
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-canvas"]')?.getAttribute('data-size') === '36');
    const before = await page.getByTestId('draw-canvas').getAttribute('data-pixels');
    await page.getByTestId('test-digit').selectOption('1');
    await settled(page, before);
    assert.equal(await page.getAttribute('[data-testid="scores-a"]', 'data-refused'), 'true');
    assert.match((await page.getByTestId('scores-a').textContent())!, /expected digit to have shape \[null,28,28,1\] but got array with shape \[1,36,36,1\]/);
    for (const head of ['b', 'c']) assert.equal(await page.locator(`[data-testid="scores-${head}"] li`).count(), 10);
    assert.match((await page.textContent('#network-summary'))!, /^36×36 input: head A refuses a 36×36 input, head B says \d, head C says \d \(/);
    await assertSameScoresAsNode(page);
    for (const id of ['cam-b', 'cam-c']) {
      const drawn = await page.evaluate((canvasId) => {
        const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let reddish = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i]! > data[i + 1]! + 40) reddish++;
        return { width: canvas.width, reddish, predicted: canvas.dataset['class'] };
      }, id);
      assert.ok(drawn.width >= 36 && drawn.reddish > 0 && /^\d$/.test(drawn.predicted ?? ''), `${id}: ${JSON.stringify(drawn)}`);
    }
    assert.match((await page.textContent('#flatten-note'))!, /9×9×32 = 2,592 numbers; the dense layer was built for 1,568/);
    await page.locator('#network').screenshot({ path: join(shared.artifacts, '08-network-36.png') });
    await page.locator('.network-heads').screenshot({ path: join(shared.artifacts, '11-network-heads-36.png') });
    await page.getByTestId('canvas-size').selectOption('28');
  });

  test('once loaded, the section works offline: another size and another digit need nothing from the server', async () => {
    const page = shared.page();
    await shared.context().setOffline(true);
    try {
      const before = await page.getByTestId('draw-canvas').getAttribute('data-pixels');
      await page.getByTestId('canvas-size').selectOption('20');
      await page.getByTestId('test-digit').selectOption('4');
      await settled(page, before);
      await assertSameScoresAsNode(page);
    } finally {
      await shared.context().setOffline(false);
    }
    await page.getByTestId('canvas-size').selectOption('28');
  });

  test('the noise slider measures the spread of the noise before and after each average pool', async () => {
    const page = shared.page();
    await page.getByTestId('noise').fill('0.3');
    await page.waitForFunction(() => document.querySelectorAll('#noise-spread tr').length === 2 && document.getElementById('noise-value')?.textContent === 'noise σ = 0.3');
    const rows = await page.$$eval('#noise-spread tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number.parseFloat(td.textContent!))));
    for (const [before, after, ratio] of rows) {
      assert.ok(before! > 0 && after! > 0 && after! < before!, `${before} -> ${after}`);
      assert.ok(Math.abs(ratio! - after! / before!) < 0.01);
    }
    // The docs' pictures, docs/screenshots/web-network-input.png and web-network-heads.png, are copies of 10 and 11.
    await page.locator('.network-input').screenshot({ path: join(shared.artifacts, '10-network-input.png') });
    await page.getByTestId('noise').fill('0');
  });

  test("the study's curves: every head and seed, the gap shaded", async () => {
    const page = shared.page();
    const curves = JSON.parse(readFileSync(join(ASSETS, 'curves.json'), 'utf8')) as { exportedTrainSize: number; runs: { head: string; trainSize: number }[] };
    const runs = curves.runs.filter((r) => r.trainSize === curves.exportedTrainSize);
    assert.equal(await page.locator('#network-curves polyline').count(), 2 * runs.length);
    assert.equal(await page.locator('#network-curves polygon[data-gap]').count(), 3);
    assert.match((await page.textContent('#network-curves'))!, /Head A: after epoch \d+ .* gap -?[0-9.]+ points/);
  });

  test('the window plays through every output cell in order, steps, and pauses', async () => {
    const page = shared.page();
    await page.locator('#step').scrollIntoViewIfNeeded();
    await page.selectOption('#dialect', 'torch');
    await page.selectOption('#op', 'avg');
    for (const [id, value] of Object.entries({ height: '6', width: '6', kernel: '3', stride: '2', padding: '1' })) await page.fill(`#${id}`, value);
    const cells = await page.$$eval('#output-grid .cell.out', (nodes) => nodes.map((n) => `${n.getAttribute('data-row')},${n.getAttribute('data-col')}`));
    assert.equal(cells.length, 9);
    const visited = page.evaluate(
      () =>
        new Promise<string[]>((resolve) => {
          const grid = document.getElementById('output-grid')!;
          const seen: string[] = [];
          new MutationObserver(() => {
            const current = grid.dataset['current'];
            if (current && current !== seen.at(-1)) seen.push(current);
            if (document.getElementById('window-play')!.getAttribute('aria-pressed') === 'false') resolve(seen);
          }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ['data-current', 'aria-pressed'] });
        }),
    );
    await page.getByTestId('window-play').click();
    assert.deepEqual(await visited, cells);
    assert.equal(await page.getByTestId('window-play').textContent(), 'Play');

    await page.click('#window-step');
    assert.equal(await page.getAttribute('#output-grid', 'data-current'), '0,0', 'after the last cell, Step starts over');
    await page.click('#window-step');
    assert.equal(await page.getAttribute('#output-grid', 'data-current'), '0,1');
    await page.getByTestId('window-play').click();
    await page.getByTestId('window-play').click();
    const paused = await page.getAttribute('#output-grid', 'data-current');
    await page.waitForTimeout(800);
    assert.equal(await page.getAttribute('#output-grid', 'data-current'), paused, 'paused');
  });

  test("the step-by-step fixes: the padded divisor at a glance, 1-based text, no stale highlight, no silent clamp, no coincidental 'same', no raw error", async () => {
    const page = shared.page();
    await page.setChecked('#countIncludePad', true);
    await page.fill('#kernel', '3');
    const corner = page.locator('#output-grid [data-row="0"][data-col="0"]');
    assert.equal(await corner.locator('.divisor').textContent(), '÷9');
    assert.match((await corner.getAttribute('aria-label'))!, /^output row 1 column 1: [0-9.]+÷9: divided by 9 though 4 input numbers are in its window/);
    await corner.focus();
    const text = (await page.textContent('#window-explanation'))!;
    assert.match(text, /^Output row 1, column 1 = .*Divided by 9, though only 4 numbers of the input are in the window/);
    await page.focus('#randomize');
    assert.equal(await page.locator('#input-grid .in-window').count(), 0, 'the highlight leaves with the focus');

    // From the top of the page, a few Tab presses reach the link, and Enter the first output cell.
    // The skip link is the page's first stop: one press from the top.
    await page.focus('a.skip');
    let presses = 1;
    while (presses < 20 && (await page.evaluate(() => document.activeElement?.id)) !== 'jump-output') {
      await page.keyboard.press('Tab');
      presses++;
    }
    assert.ok(presses <= 8, `${presses} Tab presses to the jump link`);
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-row') + ',' + document.activeElement?.getAttribute('data-col')), '0,0');

    await page.fill('#height', '20');
    assert.match((await page.textContent('#size-note'))!, /Height 20 is outside 1 to 12, the sizes this grid shows: using 12\./);
    assert.equal(await page.locator('#input-grid input.cell[data-c="0"]').count(), 12);
    await page.fill('#height', '6');
    assert.equal(await page.isHidden('#size-note'), true);

    await page.fill('#stride', '1');
    const plan = (await page.textContent('#plan-explanation'))!;
    assert.doesNotMatch(plan, /'same' padding: out/);
    assert.match(plan, /this padding happens to equal what 'same' padding would choose/);
    await page.fill('#padding', 'same');
    await page.selectOption('#dialect', 'keras');
    assert.match((await page.textContent('#plan-explanation'))!, /'same' padding: out/);
    await page.selectOption('#dialect', 'torch');
    await page.fill('#padding', '1');
    await page.fill('#stride', '2');

    // On a phone the 12x12 input is wider than the screen: a window at its right edge is scrolled into view.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.fill('#width', '12');
    await page.fill('#height', '12');
    await page.focus('#output-grid [data-row="0"][data-col="5"]');
    const offScreen = await page.$$eval('#input-grid .in-window', (cells) =>
      cells.flatMap((cell) => {
        const rect = cell.getBoundingClientRect();
        // Within a pixel: scrolling lands on fractional positions.
        const inView = rect.left > -1 && rect.right < window.innerWidth + 1 && rect.top > -1 && rect.bottom < window.innerHeight + 1;
        return inView ? [] : [`${cell.dataset['r']},${cell.dataset['c']} at ${Math.round(rect.left)}..${Math.round(rect.right)} x ${Math.round(rect.top)}..${Math.round(rect.bottom)}`];
      }),
    );
    assert.deepEqual(offScreen, [], 'every cell of the window is on the screen');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.fill('#width', '6');
    await page.fill('#height', '6');

    await page.selectOption('#head-model', 'VGG-16');
    await page.fill('#head-size', '16');
    const row = (await page.textContent('#head-result tr[data-size="16"]'))!;
    assert.match(row, /too small: max pool 5 2×2 stride 2 \(kernel 2\) gets a 1 × 1 map, and its window does not fit/);
    assert.doesNotMatch(row, /\[[A-Z_]+\]|kernel_size|OUTPUT_EMPTY/);
    await page.fill('#head-size', '224');
    await page.selectOption('#head-model', 'ResNet-50');
  });

  test('axe-core finds no violations at 1280 and 390 px, and no console errors', async () => {
    const page = shared.page();
    const require = createRequire(import.meta.url);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run: (context: Document) => Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
        const result = await axe.run(document);
        return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(' ')}`);
      });
      assert.deepEqual(violations, [], `at ${width} px`);
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= 390, `the page is ${overflow} px wide at 390 px`);
    await page.locator('#network').screenshot({ path: join(shared.artifacts, '09-network-phone.png') });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(shared.problems.filter((p) => !/decode|image/i.test(p)), []);
  });
}
