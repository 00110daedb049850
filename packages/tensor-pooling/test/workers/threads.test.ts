/**
 * `threads: 2` through real workers: the same bits as one thread on every fast backend, shared or
 * plain input, forward, indices and backward; the option is validated; a process that used the
 * workers exits on its own. The reference backend is left out here only for time: the split suite
 * runs it part by part.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  avgPool,
  backendNames,
  globalAvgPool,
  init,
  lpPoolBackward,
  maxPool,
  maxPoolWithIndices,
  allocWasmTensor,
  observeRuns,
  planAvgPool,
  planMaxPool,
  PoolingError,
  poolInto,
  startWorkers,
  toSharedTensor,
  toWasmTensor,
  type Tensor,
} from '../../src/index.js';
import { randomValues } from '../helpers/random.js';
import { dispatch } from '../../src/kernels/workers/pool.js';
import { splitPlan } from '../../src/kernels/workers/split.js';
import type { Job } from '../../src/kernels/workers/protocol.js';
import { assertSameBits, snapshot } from '../helpers/ulp.js';
import type { DType } from '../../src/tensor.js';

function input(shape: number[], dtype: DType, seed: number): Tensor {
  return { shape, data: randomValues(seed, shape.reduce((p, d) => p * d, 1), 'ties', dtype) };
}

/** Runs `call` with threads 1 and 2 and checks the bits agree and that the second really split. */
function assertSplitMatches(
  label: string,
  call: (threads: number) => { data: ArrayLike<number> } | { values: Tensor; indices: { data: Int32Array } },
): void {
  const one = call(1);
  const observed = observeRuns(() => call(2));
  const ran = observed.runs.map((run) => run.backend);
  assert.ok(ran.length > 0 && ran.every((name) => name.endsWith(' x2')), `${label}: expected a split run, got ${ran.join(', ')}`);
  const two = observed.result;
  if ('values' in one && 'values' in two) {
    assertSameBits(two.values.data, one.values.data, `${label} values`);
    assertSameBits(two.indices.data, one.indices.data, `${label} indices`);
  } else {
    assertSameBits((two as Tensor).data, (one as Tensor).data, label);
  }
}

describe('threads: 2 on workers', () => {
  before(async () => {
    await init();
    assert.ok((await startWorkers(2)) >= 1, 'a worker started');
  });

  const backends = () => ['auto', ...backendNames().filter((name) => name !== 'reference')];

  it('WasmTensors: poolInto and the ops split in place over the shared wasm memory, same bits as one thread', () => {
    const host = input([4, 16, 96, 96], 'float32', 7);
    const x = toWasmTensor(host);
    assert.ok(x.data.buffer instanceof SharedArrayBuffer, 'WasmTensors live in shared memory in Node');
    const plans = [planAvgPool(x.shape, { kernel: 2 }), planMaxPool(x.shape, { kernel: 3, stride: 2, padding: 1 })];
    for (const plan of plans) {
      for (const withIndices of plan.reducer.op === 'max' ? [false, true] : [false]) {
        const label = `poolInto ${plan.reducer.op}${withIndices ? ' with indices' : ''}`;
        const one = allocWasmTensor(plan.outputShape);
        const two = allocWasmTensor(plan.outputShape);
        const indicesOne = poolInto(plan, x, one, { withIndices, threads: 1 });
        const observed = observeRuns(() => poolInto(plan, x, two, { withIndices, threads: 2 }));
        assert.deepEqual(observed.runs.map((run) => run.backend), ['wasm x2'], label);
        assertSameBits(two.data, one.data, label);
        if (withIndices) assertSameBits(observed.result!, indicesOne!, `${label}: indices`);
        assertSameBits(one.data, (plan.reducer.op === 'max' ? maxPool : avgPool)(host, { kernel: plan.reducer.op === 'max' ? 3 : 2, ...(plan.reducer.op === 'max' ? { stride: 2, padding: 1 } : {}), backend: 'reference' }).data, `${label}: the reference`);
        one.free();
        two.free();
      }
    }
    assertSplitMatches('globalAvgPool of a WasmTensor', (threads) => globalAvgPool(x, { threads, backend: 'wasm' }));
    assertSplitMatches('avgPool of a WasmTensor', (threads) => avgPool(x, { kernel: 2, threads, backend: 'wasm' }));
    x.free();
  });

  it('average k3 s1 pad 1, channels-first float32, plain and shared input', () => {
    const plain = input([2, 8, 128, 128], 'float32', 1);
    const shared = toSharedTensor(plain);
    const before = snapshot(plain.data);
    for (const backend of backends()) {
      for (const [kind, x] of [['plain', plain], ['shared', shared]] as const) {
        assertSplitMatches(`avgPool ${backend} ${kind}`, (threads) =>
          avgPool(x, { kernel: 3, stride: 1, padding: 1, backend, threads }),
        );
      }
    }
    assertSameBits(plain.data, before, 'input untouched');
  });

  it('max with indices on one channels-last float64 image: output rows split, indices of the whole plane', () => {
    const x = input([1, 192, 160, 16], 'float64', 2);
    for (const backend of backends()) {
      const options = { layout: 'channels-last', kernel: 3, stride: 2, padding: 1, ceilMode: true, backend } as const;
      assertSplitMatches(`maxPoolWithIndices ${backend}`, (threads) => maxPoolWithIndices(x, { ...options, threads }));
      assertSplitMatches(`maxPool ${backend}`, (threads) => maxPool(x, { ...options, threads }));
    }
  });

  it('max of signed zeros: the same zero as one thread, with or without indices', () => {
    const shape = [2, 8, 192, 192];
    const data = new Float32Array(shape.reduce((p, d) => p * d, 1)).map((_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : -1));
    // Shared: on an unshared input the wasm backend runs this read-once plan on the calling thread.
    const x = toSharedTensor({ shape, data });
    for (const backend of backends()) {
      assertSplitMatches(`maxPool zeros ${backend}`, (threads) => maxPool(x, { kernel: 2, backend, threads }));
      assertSplitMatches(`maxPoolWithIndices zeros ${backend}`, (threads) => maxPoolWithIndices(x, { kernel: 2, backend, threads }));
    }
  });

  it('Lp backward (reads x and dy) and global average', () => {
    const x = input([2, 8, 192, 192], 'float64', 3);
    const dy = input([2, 8, 96, 96], 'float64', 4);
    const big = toSharedTensor(input([4, 16, 96, 96], 'float32', 5));
    for (const backend of backends()) {
      assertSplitMatches(`lpPoolBackward ${backend}`, (threads) => lpPoolBackward(dy, x, { kernel: 2, p: 3, backend, threads }));
      assertSplitMatches(`globalAvgPool ${backend}`, (threads) => globalAvgPool(big, { backend, threads }));
    }
  });

  it('small work runs on the calling thread', () => {
    const x = input([1, 4, 8, 8], 'float32', 6);
    const { runs } = observeRuns(() => avgPool(x, { kernel: 2, threads: 2 }));
    assert.ok(!runs[0]!.backend.includes(' x'), runs[0]!.backend);
  });

  it('an unshared input of a plan that reads each value once runs on the calling thread with wasm, and splits with js', () => {
    const plain = input([8, 16, 64, 64], 'float32', 8);
    const shared = toSharedTensor(plain);
    const ran = (call: () => unknown) => observeRuns(call).runs.map((run) => run.backend);
    for (const backend of ['wasm', 'auto']) {
      for (const call of [
        (x: Tensor) => globalAvgPool(x, { backend, threads: 2 }),
        (x: Tensor) => avgPool(x, { kernel: 2, backend, threads: 2 }),
        (x: Tensor) => maxPool(x, { kernel: [2, 4], stride: [2, 4], backend, threads: 2 }),
      ]) {
        assert.deepEqual(ran(() => call(plain)), ['wasm'], `${backend}: plain input, alone`);
        assert.deepEqual(ran(() => call(shared)), ['wasm x2'], `${backend}: shared input, split`);
      }
      // Overlapping windows read each value several times: the copy is repaid.
      assert.deepEqual(ran(() => avgPool(plain, { kernel: 3, stride: 2, backend, threads: 2 })), ['wasm x2'], `${backend}: overlapping windows`);
    }
    assert.deepEqual(ran(() => avgPool(plain, { kernel: 2, backend: 'js', threads: 2 })), ['js x2'], 'js: plain input, split');
  });

  it('threads must be an integer from 1 to 256', () => {
    const x = input([1, 1, 4, 4], 'float32', 7);
    for (const threads of [0, 1.5, -1, 257, '2', null]) {
      assert.throws(
        () => avgPool(x, { kernel: 2, threads: threads as number }),
        (error: unknown) =>
          error instanceof PoolingError && error.code === 'INVALID_PARAMETER' && error.message.includes('threads must be an integer from 1 to 256'),
        `threads ${String(threads)}`,
      );
    }
  });

  it("a job that fails in a worker is thrown on the calling thread with the worker's message, and the worker serves on", () => {
    // A real sub-plan request (the second of two planes), handed to a backend no worker has.
    const request = splitPlan(planAvgPool([2, 1, 4, 4], { kernel: 2 }), 2, 'forward', 1)![1]!.request;
    const x = toSharedTensor(input([1, 1, 4, 4], 'float32', 3));
    const y = new Float32Array(new SharedArrayBuffer(16));
    const span = (buffer: SharedArrayBuffer, length: number) => ({ buffer, type: 'float32' as const, offset: 0, length });
    const job: Job = {
      direction: 'forward',
      backend: 'no-such-backend',
      request,
      indexOffset: 0,
      x: span(x.data.buffer as SharedArrayBuffer, 16),
      y: span(y.buffer as SharedArrayBuffer, 4),
    };
    let ranHere = false;
    assert.throws(
      () => dispatch([job], () => (ranHere = true)),
      (error: unknown) => error instanceof Error && /^a pooling worker failed: .*no-such-backend/.test(error.message),
    );
    assert.ok(ranHere, 'the calling thread ran its own part');
    assertSplitMatches('after a failure', (threads) => globalAvgPool(toSharedTensor(input([4, 16, 96, 96], 'float32', 11)), { threads }));
  });

  it('a process that used the workers exits without any teardown', async () => {
    const index = new URL('../../src/index.js', import.meta.url).href;
    const script = `
      const tp = await import(${JSON.stringify(index)});
      await tp.startWorkers(2);
      const x = { shape: [4, 16, 96, 96], data: new Float32Array(4 * 16 * 96 * 96).fill(1) };
      const { runs } = tp.observeRuns(() => tp.globalAvgPool(x, { threads: 2 }));
      console.log(runs[0].backend);`;
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000, cwd: fileURLToPath(new URL('.', import.meta.url)) }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      );
    });
    assert.match(output.trim(), / x2$/);
  });
});
