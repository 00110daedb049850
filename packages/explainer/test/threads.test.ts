/**
 * `threads: 2` in a browser (Debian's Chromium): on a cross-origin isolated page a module Web
 * Worker starts, joins the shared WebAssembly memory and takes its share of the work, and every
 * split call gives the bits Node's single thread gives; on a page without isolation the same calls
 * run on the calling thread and say why.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { build } from 'vite';
import { avgPool, avgPoolBackward, globalAvgPool, maxPoolWithIndices, type Tensor } from 'tensor-pooling';
import { CROSS_ORIGIN_ISOLATION, launch, packageRoot, serve } from './browser.js';

/** What the page runs: each call with one and two threads, on inputs both sides make from `values`. */
interface PageReport {
  readonly crossOriginIsolated: boolean;
  readonly workers: number;
  readonly unavailable: string | undefined;
  /** workersUnavailable() before init() or startWorkers(): the page knows already. */
  readonly unavailableBeforeStart: string | undefined;
  /** Per call: the backend that ran the two-thread call, and its output. */
  readonly calls: Record<string, { readonly backend: string; readonly bitsEqualOneThread: boolean; readonly outputHash: string }>;
}

/** Large enough to be split (see MIN_ELEMENTS_PER_PART). */
const SHAPE = [4, 16, 96, 96];

/** A digest of a float32 array's bits and length (FNV-1a), the same function in Node and in the page. */
function bitsHash(data: ArrayLike<number>): string {
  const bits = new Uint32Array(Float32Array.from(data).buffer);
  let hash = 0x811c9dc5;
  for (const word of bits) {
    for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((word >>> shift) & 0xff), 0x01000193) >>> 0;
  }
  return `${data.length}:${hash.toString(16)}`;
}

/** A deterministic input, the same in Node and in the page (integers over 8: exact in float32). */
function values(length: number): Float32Array {
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) data[i] = ((i * 7919) % 1013) / 8 - 60;
  return data;
}

/** Runs in the page: `pooling` is the library as Vite bundled it (test/web/threads-page). */
async function runInPage(page: Page): Promise<PageReport> {
  return page.evaluate(async ([shape, hashSource]) => {
    type Pooling = typeof import('tensor-pooling');
    const hash = new Function(`return ${hashSource}`)() as typeof bitsHash;
    const pooling = (globalThis as unknown as { pooling: Pooling }).pooling;
    const unavailableBeforeStart = pooling.workersUnavailable();
    await pooling.init();
    const workers = await pooling.startWorkers(2);
    const length = shape.reduce((a, b) => a * b, 1);
    const make = (shared: boolean) => {
      const tensor = shared ? pooling.allocSharedTensor(shape) : { shape, data: new Float32Array(length) };
      for (let i = 0; i < length; i++) tensor.data[i] = ((i * 7919) % 1013) / 8 - 60;
      return tensor;
    };
    const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]) || (Number.isNaN(v) && Number.isNaN(b[i]!)));
    const calls: PageReport['calls'] = {};
    const record = (name: string, call: (threads: number) => { data: ArrayLike<number> }) => {
      const one = call(1);
      const observed = pooling.observeRuns(() => call(2));
      calls[name] = {
        backend: observed.runs.map((run) => run.backend).join(', '),
        bitsEqualOneThread: sameBits(one.data, observed.result.data),
        outputHash: hash(observed.result.data),
      };
    };
    const shared = make(true);
    const plain = make(false);
    record('avg k3 s1 pad 1, shared input', (threads) => pooling.avgPool(shared, { kernel: 3, stride: 1, padding: 1, countIncludePad: false, threads }));
    record('global average, shared input', (threads) => pooling.globalAvgPool(shared, { threads }));
    // A plain input's worker share is copied first; windows that overlap repay it (a read-once plan stays on the page's thread).
    record('avg k3 s2, plain input', (threads) => pooling.avgPool(plain, { kernel: 3, stride: 2, threads }));
    record('max k3 s2 pad 1 values', (threads) => pooling.maxPoolWithIndices(shared, { kernel: 3, stride: 2, padding: 1, threads }).values);
    record('avg backward k2', (threads) => {
      const dy = pooling.avgPool(shared, { kernel: 2 });
      return { data: pooling.avgPoolBackward(dy, shape, { kernel: 2, threads }).data };
    });
    // Tensors in WebAssembly memory (shared where the page is isolated), pooled in place.
    const resident = pooling.toWasmTensor(plain);
    const plan = pooling.planAvgPool(shape, { kernel: 2, stride: 2 });
    const out = pooling.allocWasmTensor(plan.outputShape, 'float32');
    record('poolInto on WasmTensors', (threads) => {
      pooling.poolInto(plan, resident, out, { threads });
      return { data: Float32Array.from(out.data) };
    });
    return {
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
      workers,
      unavailable: pooling.workersUnavailable(),
      unavailableBeforeStart,
      calls,
    };
  }, [SHAPE, bitsHash.toString()] as const);
}

/** The same calls in Node, one thread: what the page must give bit for bit. */
function expectedHashes(): Record<string, string> {
  const x: Tensor = { shape: SHAPE, data: values(SHAPE.reduce((a, b) => a * b, 1)) };
  const outputs = {
    'avg k3 s1 pad 1, shared input': avgPool(x, { kernel: 3, stride: 1, padding: 1, countIncludePad: false }).data,
    'global average, shared input': globalAvgPool(x).data,
    'avg k3 s2, plain input': avgPool(x, { kernel: 3, stride: 2 }).data,
    'max k3 s2 pad 1 values': maxPoolWithIndices(x, { kernel: 3, stride: 2, padding: 1 }).values.data,
    'avg backward k2': avgPoolBackward(avgPool(x, { kernel: 2 }), SHAPE, { kernel: 2 }).data,
    'poolInto on WasmTensors': avgPool(x, { kernel: 2, stride: 2 }).data,
  };
  return Object.fromEntries(Object.entries(outputs).map(([name, data]) => [name, bitsHash(data)]));
}

let outDir: string;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
const servers: Server[] = [];

before(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'pooling-threads-page-'));
  await build({
    root: join(packageRoot, 'test/threads-page'),
    base: './',
    logLevel: 'error',
    configFile: false,
    // Vite's defaults, as a user's page would have them: it finds and bundles the library's worker itself.
    build: { outDir, emptyOutDir: true, target: 'es2022' },
  });
  ({ context, close: closeBrowser } = await launch());
}, { timeout: 120_000 });

after(async () => {
  await closeBrowser?.();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

async function openPage(headers: Record<string, string>): Promise<{ page: Page; problems: string[] }> {
  const served = await serve(outDir, headers);
  servers.push(served.server);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  await page.goto(served.url);
  await page.waitForFunction(() => 'pooling' in globalThis);
  return { page, problems };
}

describe('threads in a browser', () => {
  it('a cross-origin isolated page splits the work with a Web Worker: the bits of one thread in Node', async () => {
    const { page, problems } = await openPage(CROSS_ORIGIN_ISOLATION);
    const report = await runInPage(page);
    assert.equal(report.crossOriginIsolated, true);
    assert.equal(report.workers, 1, `one worker ready (unavailable: ${report.unavailable})`);
    assert.equal(report.unavailableBeforeStart, undefined);
    const expected = expectedHashes();
    for (const [name, call] of Object.entries(report.calls)) {
      assert.match(call.backend, / x2$/, `${name}: split across the page and its worker`);
      assert.ok(call.bitsEqualOneThread, `${name}: two threads give the page's one-thread bits`);
      assert.equal(call.outputHash, expected[name], `${name}: the page's bits are Node's`);
    }
    assert.deepEqual(Object.keys(report.calls).sort(), Object.keys(expected).sort());
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('a page without isolation runs threads: 2 on the calling thread, same bits, and says why', async () => {
    const { page, problems } = await openPage({});
    const report = await runInPage(page);
    assert.equal(report.crossOriginIsolated, false);
    assert.equal(report.workers, 0);
    assert.match(report.unavailable ?? '', /cross-origin isolated/);
    assert.equal(report.unavailableBeforeStart, report.unavailable, 'the reason is known before anything starts');
    const expected = expectedHashes();
    for (const [name, call] of Object.entries(report.calls)) {
      assert.doesNotMatch(call.backend, / x\d+$/, `${name}: ran on the calling thread`);
      assert.equal(call.outputHash, expected[name], `${name}: the page's bits are Node's`);
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
});
