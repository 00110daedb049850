/**
 * The size budget, measured by size-limit (esbuild, minified, gzip) with this package's
 * .size-limit.mjs: `import { avgPool, tensor }` alone puts at most 15 kB of JavaScript into what a
 * page loads at start; what init() and threads add is measured beside it, for the README.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binOf, consumersRoot, runOk } from './packed.js';

interface Measured {
  readonly name: string;
  readonly size: number;
  readonly passed?: boolean;
  readonly sizeLimit?: number;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

test('import { avgPool, tensor } loads at most 15 kB gzip of JS at start; init() and threads load the rest when asked', { timeout: 120_000 }, async (t) => {
  const ran = await runOk(await binOf('size-limit'), ['--json'], { cwd: consumersRoot });
  const measured = JSON.parse(ran.stdout) as Measured[];
  const size = (start: string) => {
    const found = measured.find((check) => check.name.startsWith(start));
    assert.ok(found, `size-limit measured ${start}`);
    return found.size;
  };
  const atStart = measured[0]!;
  assert.equal(atStart.sizeLimit, 15_000);
  assert.equal(atStart.passed, true, `${atStart.name}: ${kB(atStart.size)}`);
  assert.ok(atStart.size <= 15_000);

  const withInit = size('import { avgPool, tensor, init }');
  const withThreads = size('import { avgPool, tensor, init, startWorkers }');
  // Each step loads more: a rename that let the lazy code into the first bundles would show here.
  assert.ok(atStart.size < withInit && withInit < withThreads, `${atStart.size} < ${withInit} < ${withThreads}`);
  const kernels = size('tensor-pooling-kernels.wasm');
  const sharedKernels = size('tensor-pooling-kernels-shared.wasm');
  const worker = size('tensor-pooling-worker.js');
  t.diagnostic(`at start: ${kB(atStart.size)} of JS (limit 15 kB)`);
  t.diagnostic(`init() adds ${kB(withInit - atStart.size)} of JS and ${kB(kernels)} of wasm (another ${kB(sharedKernels)} on a cross-origin isolated page)`);
  t.diagnostic(`threads add ${kB(withThreads - withInit)} of JS and the worker, ${kB(worker)}`);
});
