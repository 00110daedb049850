/**
 * The benchmark harness end to end on tiny shapes (`--quick`): every contender, table and target
 * of issue 16 is produced. No timing is asserted: speed lives in the benchmark itself.
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

const HOST_PEERS = ['onnxruntime-web 1t', 'onnxruntime-web 2t', 'onnxruntime-node 1t', 'onnxruntime-node 2t', 'tfjs-cpu', 'tfjs-wasm'];
const RESIDENT_PEERS = ['onnxruntime-node 1t, output preallocated', 'onnxruntime-node 2t, output preallocated', 'tfjs-wasm, result left in the backend'];
const OURS_PASSED = ['ours poolInto 1t', 'ours poolInto 2t'];
const OURS_RESIDENT = ['ours wasm zero-copy 1t', 'ours wasm zero-copy 2t'];

describe('npm run bench -- --quick', () => {
  it('measures every contender, tunes onnxruntime-node, times its slow path and every door, and writes the report', async () => {
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
      assert.equal(results.host.wasmSimd, true);
      assert.ok(Array.isArray(results.host.simd), 'SIMD flags read from /proc/cpuinfo');
      assert.deepEqual(results.onnxruntimeWeb.map((w) => [w.requestedThreads, w.threads]), [[1, 1], [2, 2]], 'onnxruntime-web runs 2 threads in Node');
      assert.deepEqual(results.roof.map((r) => r.threads), [1, 2]);
      for (const roof of results.roof) assert.ok(roof.readGBs > 0 && roof.copyGBs > 0);
      for (const c of results.cases) {
        const labels = c.contenders.filter((k) => k.medianMs !== undefined && k.p10Ms !== undefined).map((k) => k.label);
        for (const backend of [...results.backends, 'auto']) {
          for (const threads of [1, 2]) assert.ok(labels.includes(`ours ${backend} ${threads}t`), `${c.id}: ours ${backend} ${threads}t in ${labels}`);
        }
        for (const label of [...HOST_PEERS, ...RESIDENT_PEERS, ...OURS_PASSED, ...OURS_RESIDENT]) assert.ok(labels.includes(label), `${c.id}: ${label} in ${labels}`);
        for (const k of c.contenders) {
          const resident = RESIDENT_PEERS.includes(k.label) || OURS_RESIDENT.includes(k.label);
          assert.equal(k.contest, resident ? 'resident' : 'host', k.label);
          if (!resident) assert.equal(k.output, OURS_PASSED.includes(k.label) ? 'passed' : 'fresh', k.label);
        }
        for (const threads of [1, 2]) {
          const tuning = c.onnxruntimeNodeTuning.find((t) => t.threads === threads)!;
          assert.deepEqual(tuning.levels.map((t) => t.change), ['all', 'extended', 'basic', 'disabled']);
          assert.equal(tuning.options.length, threads > 1 ? 4 : 3);
          assert.ok(tuning.levels.some((t) => t.medianMs !== undefined) && tuning.options.some((t) => t.medianMs !== undefined));
          assert.equal(c.contenders.find((k) => k.label === `onnxruntime-node ${threads}t`)!.settings, tuning.chosen);
          for (const shapes of ['static', 'symbolic']) {
            assert.ok(c.slowPath.some((k) => k.label === `onnxruntime-node ${threads}t, ${shapes} shapes` && k.medianMs !== undefined), `${c.id} ${threads}t ${shapes}`);
          }
        }
        assert.deepEqual(c.doors.map((d) => d.door), ['runOnnxNode', 'torch', 'keras', 'tfjs']);
        for (const d of c.doors) {
          if (c.op === 'global-avg' && d.door === 'tfjs') assert.match(d.missing!, /no pooling op for a global average/);
          else assert.ok(d.doorTiming && d.ownTiming && d.call && d.ownCall, `${c.id} ${d.door}: ${d.missing}`);
        }
        assert.ok(c.outBytes > 0 && c.inBytes > c.outBytes);
        // Memory comes from the child process that maps every large block afresh; times from this one.
        for (const k of c.contenders.filter((k) => k.medianMs !== undefined)) {
          assert.equal(typeof k.peakExtraBytes, 'number', `${c.id} ${k.label}: peak memory measured`);
          if (k.kind === 'ours') assert.equal(typeof k.wasmScratchBytes, 'number', `${c.id} ${k.label}: wasm scratch measured`);
        }
      }
      const probe = results.accuracy;
      for (const label of ['ours auto 1t', 'onnxruntime-web 1t', 'onnxruntime-node 1t', 'onnxruntime-node 1t, output preallocated', 'tfjs-wasm, result left in the backend']) {
        assert.ok(probe.rows.some((row) => row.label === label), label);
      }
      for (const row of probe.rows) assert.ok(Math.abs(row.value - probe.exactMean) < 1, `${row.label} computes a mean near 1000`);
      const markdown = readFileSync(join(out, 'benchmarks.md'), 'utf8');
      for (const heading of [
        '## Targets of issue 16',
        '## Resident tensors',
        '## Host arrays',
        '## onnxruntime-node at its best',
        "## onnxruntime-node's slow path",
        '## Every public door',
        '## Threads: two threads over one',
        '## Memory-bandwidth roof',
        '## Accuracy',
      ]) assert.ok(markdown.includes(heading), heading);
      assert.match(markdown, /^SIMD: .*WebAssembly SIMD runs/m);
      assert.match(markdown, /\| B: average k2 s2 \| 1x8x32x32 \|/);
      const svg = readFileSync(join(out, 'bench-chart.svg'), 'utf8');
      assert.match(svg, /^<svg [^>]*>[\s\S]*<rect[\s\S]*<\/svg>\n$/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
