/**
 * Issue 16's targets judged on made-up results: which contenders each target compares, and where
 * its line falls. (The quick run only proves the report is written; these pin what it says.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchResults, CaseResult, ContenderResult, DoorResult } from '../src/results.js';
import { targets } from '../src/targets.js';

function ours(label: string, contest: 'host' | 'resident', medianMs: number): ContenderResult {
  return { label, kind: 'ours', contest, threads: label.endsWith('2t') ? 2 : 1, medianMs, p10Ms: medianMs, minMs: medianMs, runs: 10 };
}

function peer(label: string, library: ContenderResult['library'], contest: 'host' | 'resident', threads: number, medianMs: number): ContenderResult {
  return { label, kind: 'peer', library, contest, threads, medianMs, p10Ms: medianMs, minMs: medianMs, runs: 10 };
}

/** Ours at `oursMs` on every path and thread count unless `overrides` says otherwise; peers at `peerMs`. */
function caseOf(id: string, oursMs: number, peerMs: number, overrides: Record<string, number> = {}, doors: DoorResult[] = []): CaseResult {
  const mine = (label: string, contest: 'host' | 'resident') => ours(label, contest, overrides[label] ?? oursMs);
  const theirs = (label: string, library: ContenderResult['library'], contest: 'host' | 'resident', threads: number) =>
    peer(label, library, contest, threads, overrides[label] ?? peerMs);
  return {
    id,
    title: id,
    op: 'avg',
    shape: [1, 1, 1000, 1000],
    outputShape: [1, 1, 1, 1],
    inBytes: 4e6,
    outBytes: 0,
    contenders: [
      ...['auto', 'wasm', 'js'].flatMap((b) => [mine(`ours ${b} 1t`, 'host'), mine(`ours ${b} 2t`, 'host')]),
      mine('ours poolInto 1t', 'host'),
      mine('ours poolInto 2t', 'host'),
      mine('ours wasm zero-copy 1t', 'resident'),
      mine('ours wasm zero-copy 2t', 'resident'),
      theirs('onnxruntime-web 1t', 'onnxruntime-web', 'host', 1),
      theirs('onnxruntime-web 2t', 'onnxruntime-web', 'host', 2),
      theirs('onnxruntime-node 1t', 'onnxruntime-node', 'host', 1),
      theirs('onnxruntime-node 1t, output preallocated', 'onnxruntime-node', 'resident', 1),
      theirs('tfjs-wasm, result left in the backend', 'tfjs-wasm', 'resident', 1),
    ],
    onnxruntimeNodeTuning: [],
    slowPath: [],
    doors,
  };
}

function results(cases: CaseResult[], readGBs = [10, 20]): BenchResults {
  const timing = { warmup: 1, warmupMs: 0, minRuns: 1, maxRuns: 1, budgetMs: 0 };
  return {
    command: 'test',
    quick: false,
    date: '2026-01-01T00:00:00.000Z',
    machine: { cpu: 'test', cores: 2, memoryGiB: 1, node: 'v20', os: 'test', loadAverage: [0, 0, 0] },
    host: { simd: ['sse2', 'avx2'], wasmSimd: true },
    timing,
    doorTiming: timing,
    memoryMeasured: false,
    backends: ['wasm', 'js'],
    onnxruntimeWeb: [],
    runOnnxNodeTakesOutputs: true,
    roof: readGBs.map((r, i) => ({ threads: i + 1, readGBs: r, copyGBs: r })),
    roofMeasurements: [],
    cases,
    accuracy: { count: 1, exactMean: 1, rows: [{ label: 'ours auto 1t', value: 1, absoluteError: 0, relativeError: 0, float32Ulps: 0.5 }] },
    seconds: 1,
  };
}

function target(all: ReturnType<typeof targets>, start: string) {
  const found = all.find((t) => t.text.startsWith(start));
  assert.ok(found, start);
  return found;
}

describe('issue 16 targets', () => {
  it('judge the resident contest against the fastest resident peer on B-I, and name the case that misses', () => {
    const met = targets(results([caseOf('B', 1, 1.6), caseOf('E', 1, 1.6)]));
    assert.equal(target(met, 'resident tensors, 1 thread').met, true);
    const missed = targets(results([caseOf('B', 1, 1.6), caseOf('E', 1, 1.6, { 'tfjs-wasm, result left in the backend': 1.4 })]));
    const t = target(missed, 'resident tensors, 1 thread');
    assert.equal(t.met, false);
    assert.match(t.detail, /E \*\*1\.40x\*\*/);
    assert.equal(target(missed, 'resident tensors, 1 thread').detail.startsWith('B 1.60x'), true);
  });

  it('judge host arrays against onnxruntime-web only: a faster onnxruntime-node is information', () => {
    const all = targets(results([caseOf('B', 1, 2, { 'onnxruntime-node 1t': 0.1 })]));
    assert.equal(target(all, 'host arrays, fresh output (the op), 1 thread').met, true);
    assert.equal(target(all, 'host arrays, output passed (poolInto), 2 threads').met, true);
    const slowerPassed = targets(results([caseOf('B', 1, 2, { 'ours poolInto 2t': 1.5 })]));
    assert.equal(target(slowerPassed, 'host arrays, output passed (poolInto), 2 threads').met, false);
    assert.equal(target(slowerPassed, 'host arrays, fresh output (the op), 2 threads').met, true);
  });

  it('judge A and G against the read roof of the same run', () => {
    // 4 MB in 0.2 ms is 20 GB/s: 100% of a 20 GB/s roof, 200% of 10.
    const g = caseOf('G', 0.2, 1, { 'ours wasm zero-copy 1t': 0.47, 'ours wasm zero-copy 2t': 0.25 });
    const all = targets(results([g], [10, 20]));
    assert.equal(target(all, 'resident tensors: A and G at 85%').met, true, '4e6 B / 0.47 ms = 8.5 GB/s');
    assert.equal(target(all, 'resident tensors: G at 75%').met, true, '16 GB/s of 20');
    const slow = targets(results([caseOf('G', 0.2, 1, { 'ours wasm zero-copy 1t': 0.48, 'ours wasm zero-copy 2t': 0.27 })], [10, 20]));
    assert.equal(target(slow, 'resident tensors: A and G at 85%').met, false);
    assert.equal(target(slow, 'resident tensors: G at 75%').met, false);
  });

  it('flag two threads only beyond 5% slower, per backend choice', () => {
    const all = targets(results([caseOf('C', 1, 2, { 'ours wasm 2t': 1.04, 'ours js 2t': 1.06 })]));
    const t = target(all, '`threads: 2` never slower');
    assert.equal(t.met, false);
    assert.match(t.detail, /C js, host arrays/);
    assert.doesNotMatch(t.detail, /wasm/);
  });

  it('hold every door to 10% of its own op, leaving out dialects without the op', () => {
    const timing = (medianMs: number) => ({ medianMs, p10Ms: medianMs, minMs: medianMs, runs: 10 });
    const door = (name: DoorResult['door'], ratio: number): DoorResult => ({ door: name, call: name, ownCall: 'own', doorTiming: timing(ratio), ownTiming: timing(1) });
    const within = targets(results([caseOf('A', 1, 2, {}, [door('runOnnxNode', 1.09), door('torch', 0.9), { door: 'tfjs', missing: 'none' }])]));
    assert.equal(target(within, 'every public door').met, true);
    const over = targets(results([caseOf('I', 1, 2, {}, [door('runOnnxNode', 1.12), door('keras', 1)])]));
    assert.equal(target(over, 'every public door').met, false);
    assert.match(target(over, 'every public door').detail, /I runOnnxNode 1\.12x/);
  });

  it('compare E with onnxruntime-node on one thread', () => {
    assert.equal(target(targets(results([caseOf('E', 1, 25)])), 'E at least 20x').met, true);
    assert.equal(target(targets(results([caseOf('E', 1, 19)])), 'E at least 20x').met, false);
    assert.equal(target(targets(results([caseOf('B', 1, 19)])), 'E at least 20x').met, undefined);
  });
});
