/**
 * The parts of a split plan, run one after another on this thread, give the same bits as the whole
 * plan on every backend, the reference included (it reads only the sub-plans' axis definitions, so
 * it checks the moved paddings against the definition). No workers here: the threads suite checks
 * the dispatch.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backendNames, init, planAvgPool, planLpPool, planMaxPool, selectBackend, type PoolPlan, type Tensor } from '../../src/index.js';
import { planAdaptive, planGlobal, splitShape, windowsOf } from '../../src/plan/plan.js';
import { splitPlan, ranges, type Direction } from '../../src/kernels/workers/split.js';
import { runBackwardPart, runForwardPart } from '../../src/kernels/workers/run-part.js';
import { allocateLike, randomValues } from '../helpers/random.js';
import { avgOptions, inputOf, lpOptions, propertySeed, windowCase, windowOptions, describeCase, type WindowCase } from '../helpers/cases.js';
import { assertSameBits } from '../helpers/ulp.js';
import { dtypeOf, type FloatArray } from '../../src/tensor.js';

function forwardByParts(backendName: string, plan: PoolPlan, x: Tensor, threads: number): { y: FloatArray; indices?: Int32Array } | undefined {
  const parts = splitPlan(plan, threads, 'forward', 1);
  if (!parts) return undefined;
  const backend = selectBackend(plan, backendName);
  const y = allocateLike(dtypeOf(x.data), plan.batch * plan.channels * plan.outputSpatialSize);
  const indices = plan.reducer.op === 'max' ? new Int32Array(y.length) : undefined;
  for (const part of parts) {
    const out = (data: FloatArray | Int32Array) => data.subarray(part.output.offset, part.output.offset + part.output.length);
    runForwardPart(
      backend,
      part.plan,
      {
        x: x.data.subarray(part.input.offset, part.input.offset + part.input.length),
        y: out(y) as FloatArray,
        ...(indices ? { indices: out(indices) as Int32Array } : {}),
      },
      part.indexOffset,
    );
  }
  return indices ? { y, indices } : { y };
}

function backwardByParts(backendName: string, plan: PoolPlan, dy: Tensor, x: Tensor): FloatArray | undefined {
  const parts = splitPlan(plan, 3, 'backward', 1);
  if (!parts) return undefined;
  const backend = selectBackend(plan, backendName);
  const dx = allocateLike(dtypeOf(dy.data), plan.batch * plan.channels * plan.inputSpatialSize);
  for (const part of parts) {
    const input = <T extends FloatArray>(data: T) => data.subarray(part.input.offset, part.input.offset + part.input.length) as T;
    runBackwardPart(backend, part.plan, {
      dy: dy.data.subarray(part.output.offset, part.output.offset + part.output.length),
      dx: input(dx),
      ...(plan.reducer.op === 'avg' ? {} : { x: input(x.data) }),
    });
  }
  return dx;
}

function usableBackends(plan: PoolPlan): string[] {
  return backendNames().filter((name) => {
    try {
      selectBackend(plan, name);
      return true;
    } catch {
      return false;
    }
  });
}

function assertPartsMatchWhole(plan: PoolPlan, x: Tensor, context: string): void {
  for (const name of usableBackends(plan)) {
    const backend = selectBackend(plan, name);
    const whole = backend.forward(plan, x);
    for (const threads of [2, 3]) {
      const parts = forwardByParts(name, plan, x, threads);
      if (!parts) continue;
      assertSameBits(parts.y, whole.y, `${name} forward, ${threads} parts, ${context}`);
      if (parts.indices) assertSameBits(parts.indices, whole.indices!, `${name} indices, ${threads} parts, ${context}`);
    }
    const dy = { shape: plan.outputShape, data: randomValues(7, whole.y.length, 'uniform', dtypeOf(x.data)) };
    const dx = backwardByParts(name, plan, dy, x);
    if (dx) assertSameBits(dx, backend.backward(plan, dy, x), `${name} backward, ${context}`);
  }
}

const kinds = ['avg', 'max', 'lp'] as const;

describe('split plans: parts equal the whole', () => {
  before(async () => {
    await init();
  });

  it('ranges cover every unit once, in order, near-equal', () => {
    for (const [units, parts] of [[1, 2], [3, 2], [7, 3], [64, 2], [5, 8]] as const) {
      const cut = ranges(units, parts);
      assert.equal(cut.length, Math.min(units, parts));
      assert.equal(cut[0]![0], 0);
      assert.equal(cut.at(-1)![1], units);
      cut.slice(1).forEach(([start], i) => assert.equal(start, cut[i]![1]));
      const sizes = cut.map(([a, b]) => b - a);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${units} in ${parts}: ${sizes}`);
    }
  });

  it('sliding windows of every kind, layout and geometry (padding, ceil mode, dilation)', () => {
    fc.assert(
      fc.property(windowCase([9, 5, 3]), fc.constantFrom(...kinds), (c: WindowCase, kind) => {
        const x = inputOf(c);
        const plan =
          kind === 'avg' ? planAvgPool(x.shape, avgOptions(c)) : kind === 'max' ? planMaxPool(x.shape, windowOptions(c)) : planLpPool(x.shape, lpOptions(c));
        assertPartsMatchWhole(plan, x, `${kind} ${describeCase(c, windowOptions(c))}`);
      }),
      { numRuns: 150, seed: propertySeed(0x5e1f) },
    );
  });

  it('a single channels-last image splits its output rows, and the sub-plans keep every divisor', () => {
    const shape = [1, 9, 6, 2];
    const x = { shape, data: randomValues(3, 108, 'ties', 'float64') };
    const plan = planAvgPool(shape, { layout: 'channels-last', kernel: [5, 2], stride: [2, 1], padding: [[1, 2], [1, 0]], ceilMode: true, countIncludePad: true });
    const parts = splitPlan(plan, 3, 'forward', 1)!;
    assert.equal(parts.length, 3);
    const windows = windowsOf(plan)[0]!;
    let o = 0;
    for (const part of parts) {
      const sub = windowsOf(part.plan)[0]!;
      for (let i = 0; i < sub.count.length; i++, o++) {
        assert.equal(sub.count[i], windows.count[o], `count of output row ${o}`);
        assert.equal(sub.padded[i], windows.padded[o], `padded count of output row ${o}`);
        assert.equal(sub.first[i]! + part.input.offset / (6 * 2), windows.first[o], `first row of output ${o}`);
      }
    }
    assert.equal(o, plan.axes[0]!.out);
    assertPartsMatchWhole(plan, x, 'row split');
    assert.equal(splitPlan(plan, 3, 'backward', 1), undefined, 'backward never splits rows');
  });

  it('a single channels-first plane splits its output rows too', () => {
    const x = { shape: [1, 1, 11, 7], data: randomValues(4, 77, 'uniform', 'float32') };
    const plan = planMaxPool(x.shape, { kernel: 3, stride: 2, padding: 1, dilation: [2, 1], ceilMode: true });
    assert.equal(splitPlan(plan, 2, 'forward', 1)?.length, 2);
    assertPartsMatchWhole(plan, x, 'channels-first row split');
  });

  it('global and adaptive plans, keepdims or not', () => {
    for (const layout of ['channels-first', 'channels-last'] as const) {
      for (const batch of [1, 3]) {
        const shape = layout === 'channels-first' ? [batch, 4, 5, 7] : [batch, 5, 7, 4];
        const x = { shape, data: randomValues(batch, shape.reduce((p, d) => p * d, 1), 'uniform', 'float32') };
        const split = splitShape('test', shape, layout, 2);
        for (const keepDims of [true, false]) {
          const plan = planGlobal('globalAvgPool', shape, layout, split, { op: 'avg', divisor: 'valid', emptyWindow: 'zero' }, keepDims);
          assertPartsMatchWhole(plan, x, `global ${layout} batch ${batch} keepDims ${keepDims}`);
        }
        const adaptive = planAdaptive('adaptiveMaxPool', shape, layout, split, [3, null], { op: 'max', nan: 'propagate' });
        assertPartsMatchWhole(adaptive, x, `adaptive ${layout} batch ${batch}`);
      }
    }
  });

  it('work below the threshold stays whole', () => {
    const plan = planAvgPool([2, 64, 8, 8], { kernel: 2 });
    for (const direction of ['forward', 'backward'] as Direction[]) assert.equal(splitPlan(plan, 2, direction), undefined);
  });
});
