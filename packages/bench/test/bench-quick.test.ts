/**
 * The benchmark harness end to end on tiny shapes (`--quick`): every contender runs, the results,
 * the table and the chart are written. No timing is asserted: speed lives in the benchmark itself.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from '../src/results.js';

const main = fileURLToPath(new URL('../src/main.js', import.meta.url));

describe('npm run bench -- --quick', () => {
  it('measures every contender on a few cases and writes the report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-quick-'));
    try {
      await new Promise<void>((resolve, reject) => {
        execFile(process.execPath, ['--expose-gc', main, '--quick', '--cases', 'B,G,I', '--out', out], { timeout: 120_000 }, (error, _stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
        );
      });
      const results = JSON.parse(readFileSync(join(out, 'bench-results.json'), 'utf8')) as BenchResults;
      assert.deepEqual(results.cases.map((c) => c.id), ['B', 'G', 'I']);
      assert.equal(results.quick, true);
      assert.equal(results.memoryMeasured, true);
      assert.deepEqual(results.roof.map((r) => r.threads), [1, 2]);
      for (const roof of results.roof) assert.ok(roof.readGBs > 0 && roof.copyGBs > 0);
      for (const c of results.cases) {
        const labels = c.contenders.filter((k) => k.medianMs !== undefined).map((k) => k.label);
        for (const backend of [...results.backends, 'auto']) {
          for (const threads of [1, 2]) assert.ok(labels.includes(`ours ${backend} ${threads}t`), `${c.id}: ours ${backend} ${threads}t in ${labels}`);
        }
        const hostPeers = ['onnxruntime 1t', 'onnxruntime 2t', 'tfjs-cpu', 'tfjs-wasm'];
        const residentPeers = ['onnxruntime 1t, output preallocated', 'onnxruntime 2t, output preallocated', 'tfjs-wasm, result left in the backend'];
        for (const peer of [...hostPeers, ...residentPeers, 'ours wasm zero-copy 1t', 'ours wasm zero-copy 2t']) assert.ok(labels.includes(peer), `${c.id}: ${peer} in ${labels}`);
        for (const k of c.contenders) {
          const resident = residentPeers.includes(k.label) || k.label.startsWith('ours wasm zero-copy');
          assert.equal(k.contest, resident ? 'resident' : 'host', k.label);
        }
        assert.ok(c.outBytes > 0 && c.inBytes > c.outBytes);
        // Memory comes from the child process that maps every large block afresh; times from this one.
        for (const k of c.contenders.filter((k) => k.medianMs !== undefined)) {
          assert.equal(typeof k.peakExtraBytes, 'number', `${c.id} ${k.label}: peak memory measured`);
          if (k.kind === 'ours') assert.equal(typeof k.wasmScratchBytes, 'number', `${c.id} ${k.label}: wasm scratch measured`);
        }
      }
      const probe = results.accuracy;
      for (const label of ['ours auto 1t', 'onnxruntime 1t', 'onnxruntime 1t, output preallocated', 'tfjs-wasm, result left in the backend']) {
        assert.ok(probe.rows.some((row) => row.label === label), label);
      }
      for (const row of probe.rows) assert.ok(Math.abs(row.value - probe.exactMean) < 1, `${row.label} computes a mean near 1000`);
      const markdown = readFileSync(join(out, 'benchmarks.md'), 'utf8');
      for (const heading of ['## Summary: host arrays', '## Summary: resident tensors', '## Targets of issue 3', '## Memory-bandwidth roof', '## Accuracy']) assert.ok(markdown.includes(heading), heading);
      assert.match(markdown, /\| B: average k2 s2 \| 1x8x32x32 \|/);
      const svg = readFileSync(join(out, 'bench-chart.svg'), 'utf8');
      assert.match(svg, /^<svg [^>]*>[\s\S]*<rect[\s\S]*<\/svg>\n$/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
