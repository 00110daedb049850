/**
 * What the first `threads: 2` call does in a process that never called startWorkers (node --test
 * runs this file in a process of its own): it runs on the calling thread, with the bits one thread
 * gives, and starts the workers meanwhile; a later call splits without anyone calling
 * startWorkers. The README and threads.ts promise exactly this.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { avgPool, init, observeRuns, workersUnavailable, type Tensor } from '../../src/index.js';
import { randomValues } from '../helpers/random.js';
import { assertSameBits } from '../helpers/ulp.js';

/** Large enough to be split (see MIN_ELEMENTS_PER_PART). */
const SHAPE = [4, 16, 96, 96];

test('the first threaded call runs on the calling thread and starts the workers; later calls split', async () => {
  await init();
  const x: Tensor = { shape: SHAPE, data: randomValues(11, SHAPE.reduce((a, b) => a * b, 1), 'ties', 'float32') };
  const oneThread = avgPool(x, { kernel: 3, stride: 1, padding: 1 });
  const call = () => observeRuns(() => avgPool(x, { kernel: 3, stride: 1, padding: 1, threads: 2 }));

  // Nothing has started, and nothing rules workers out on Node: no reason to give.
  assert.equal(workersUnavailable(), undefined);
  const first = call();
  assert.deepEqual(
    first.runs.map((run) => run.backend),
    ['wasm'],
    'the first call ran on the calling thread alone',
  );
  assertSameBits(first.result.data, oneThread.data, 'first call');

  // No startWorkers: the first call started them. Wait (bounded) until a call splits.
  let backends: string[] = [];
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(25)) {
    const later = call();
    backends = later.runs.map((run) => run.backend);
    assertSameBits(later.result.data, oneThread.data, 'later call');
    if (backends.every((backend) => backend.endsWith(' x2'))) break;
  }
  assert.deepEqual(backends, ['wasm x2'], 'a later call split across the calling thread and a worker');
  assert.equal(workersUnavailable(), undefined);
});
