/**
 * Pins the runtime table (src/runtimes.ts): each rule's example runs on each runtime the rule names
 * that runs here, and must be refused, or give something other than the spec (runOnnxNode), as the
 * rule says; inspectOnnxModel must report the rule for that example. WebGPU rules are not run here
 * and must say where they come from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runOnnxNode } from 'tensor-pooling';
import { inspectOnnxModel, RUNTIME_RULES } from '../src/index.js';
import { poolModel } from './models.js';
import { runModel, type TestedRuntime } from './runners.js';

const RUNS_HERE: readonly string[] = ['onnxruntime-cpu', 'onnxruntime-web-wasm'];

function sameResult(a: { shape: readonly number[]; data: ArrayLike<number> }, b: { shape: readonly number[]; data: ArrayLike<number> }): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  for (let i = 0; i < a.data.length; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

for (const rule of RUNTIME_RULES) {
  const tested = rule.runtimes.filter((r) => RUNS_HERE.includes(r));
  if (tested.length === 0) {
    test(`${rule.id}: not run here, and says where it comes from`, () => {
      assert.equal(rule.testedBy, undefined);
      assert.ok(rule.sources.length > 0);
      const pool = inspectOnnxModel(poolModel(rule.example.opType, rule.example.attributes, rule.example.inputShape, rule.example.opset)).poolingNodes[0]!;
      for (const runtime of rule.runtimes) {
        const verdict = pool.runtimes.find((r) => r.runtime === runtime)!;
        assert.ok(verdict.reasons.some((reason) => reason.includes(`[${rule.id};`) && reason.includes('not tested here')), `${runtime}: ${verdict.reasons.join(' | ')}`);
      }
    });
    continue;
  }
  test(`${rule.id}: ${tested.join(' and ')} ${rule.effect} on the example`, async () => {
    assert.equal(rule.testedBy, 'packages/onnx-models/test/runtimes.test.ts');
    const { opType, attributes, inputShape, opset } = rule.example;
    const bytes = poolModel(opType, attributes, inputShape, opset);
    const count = inputShape.reduce((p, d) => p * d, 1);
    const x = { shape: inputShape, data: Float32Array.from({ length: count }, (_, i) => i + 1) };
    const report = inspectOnnxModel(bytes).poolingNodes[0]!;
    for (const runtime of tested) {
      const verdict = report.runtimes.find((r) => r.runtime === runtime)!;
      assert.equal(verdict.verdict, rule.effect, `${runtime} verdict`);
      assert.ok(verdict.reasons.some((reason) => reason.includes(`[${rule.id};`)));
      const run = runModel(runtime as TestedRuntime, bytes, { X: x });
      if (rule.effect === 'refuses') {
        await assert.rejects(run, `${runtime} must refuse`);
        continue;
      }
      const y = (await run).Y!;
      const [expected] = runOnnxNode(opType, attributes, [x], opType === 'MaxPool' ? { outputs: ['Y'] } : undefined);
      assert.ok(!sameResult(y as { shape: number[]; data: Float32Array }, expected as { shape: number[]; data: Float32Array }), `${runtime} gave the spec's result ${JSON.stringify(Array.from(y.data as Float32Array))}`);
    }
  });
}

test('every rule names a runtime, a source and an example the inspection applies it to', () => {
  const ids = new Set<string>();
  for (const rule of RUNTIME_RULES) {
    assert.ok(!ids.has(rule.id), `duplicate rule ${rule.id}`);
    ids.add(rule.id);
    assert.ok(rule.runtimes.length > 0 && rule.sources.length > 0 && rule.reason.length > 0);
    const pool = inspectOnnxModel(poolModel(rule.example.opType, rule.example.attributes, rule.example.inputShape, rule.example.opset)).poolingNodes[0]!;
    for (const runtime of rule.runtimes) {
      assert.notEqual(pool.runtimes.find((r) => r.runtime === runtime)!.verdict, 'spec', `${rule.id} on ${runtime}`);
    }
  }
});
