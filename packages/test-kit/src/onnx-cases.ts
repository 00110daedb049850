/**
 * Random ONNX pooling configurations for differential tests: 1-3 spatial axes, asymmetric pads,
 * auto_pad, ceil_mode, count_include_pad, dilations, p and storage_order, each a valid node for
 * both onnxruntime and the ONNX dialect (every output axis at least 1).
 */
import fc from 'fast-check';
import type { ValueKind } from './compare.js';

/** Pooling attributes are ints, int lists and strings only (no float or tensor attributes). */
export type PoolAttributes = Record<string, number | string | readonly number[]>;

export type WindowOpType = 'AveragePool' | 'MaxPool' | 'LpPool';
export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface WindowCase {
  readonly opType: WindowOpType;
  readonly attributes: PoolAttributes;
  readonly shape: readonly number[];
  readonly dataSeed: number;
  readonly values: ValueKind;
}

interface AxisDraw {
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padBegin: number;
  readonly padEnd: number;
  readonly extra: number;
}

/**
 * ONNX Runtime requires each pad to be smaller than the kernel (pool_attributes.h); `maxPadOf`
 * narrows that further where a dialect enforces a tighter rule.
 */
const axisDraw = (maxKernel: number) =>
  fc.record({
    kernel: fc.integer({ min: 1, max: maxKernel }),
    stride: fc.integer({ min: 1, max: 3 }),
    dilation: fc.integer({ min: 1, max: 2 }),
    padBegin: fc.nat(3),
    padEnd: fc.nat(3),
    extra: fc.nat(5),
  });

export interface WindowCaseOptions {
  readonly opTypes: readonly WindowOpType[];
  /** Largest pad allowed for a kernel and dilation (inclusive). */
  readonly maxPad: (kernel: number, dilation: number) => number;
  /**
   * Draw the corners where onnxruntime departs from the ONNX spec (default: no): SAME_UPPER /
   * SAME_LOWER with dilations > 1 or strides above the kernel, and VALID with ceil_mode.
   */
  readonly peerCorners?: boolean;
}

export function windowCase(options: WindowCaseOptions): fc.Arbitrary<WindowCase> {
  return fc
    .record({
      opType: fc.constantFrom(...options.opTypes),
      rank: fc.integer({ min: 1, max: 3 }),
      autoPad: fc.constantFrom<AutoPad>('NOTSET', 'NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'),
      ceilMode: fc.boolean(),
      countIncludePad: fc.boolean(),
      p: fc.integer({ min: 1, max: 4 }),
      storageOrder: fc.integer({ min: 0, max: 1 }),
      batch: fc.integer({ min: 1, max: 2 }),
      channels: fc.integer({ min: 1, max: 3 }),
      dataSeed: fc.nat(),
      values: fc.constantFrom<ValueKind>('ties', 'continuous'),
      axes: fc.array(axisDraw(4), { minLength: 3, maxLength: 3 }),
    })
    .map((draw) => {
      const explicit = draw.autoPad === 'NOTSET';
      const same = draw.autoPad.startsWith('SAME');
      const corners = options.peerCorners === true;
      // Two SAME corners where onnxruntime departs from the spec or from TF's rule are pinned apart
      // (docs/peer-differences.md): dilations > 1, and a stride above the effective kernel.
      const axes = draw.axes.slice(0, draw.rank).map((drawn) => {
        const a = shrinkFor3d(drawn, draw.rank);
        if (!same || corners) return a;
        return { ...a, dilation: 1, stride: Math.min(a.stride, a.kernel) };
      });
      const pads = axes.map((a) => {
        const limit = options.maxPad(a.kernel, a.dilation);
        return explicit ? [Math.min(a.padBegin, limit), Math.min(a.padEnd, limit)] : [0, 0];
      });
      const sizes = axes.map((a, i) => {
        const effective = a.dilation * (a.kernel - 1) + 1;
        const padded = pads[i]![0]! + pads[i]![1]!;
        // Explicit and VALID padding need the window to fit; SAME fits any size.
        const least = same ? 1 : Math.max(1, effective - padded);
        return least + a.extra;
      });
      const attributes: PoolAttributes = {
        kernel_shape: axes.map((a) => a.kernel),
        strides: axes.map((a) => a.stride),
        dilations: axes.map((a) => a.dilation),
        ceil_mode: draw.ceilMode && (draw.autoPad !== 'VALID' || corners) ? 1 : 0,
      };
      if (explicit) attributes['pads'] = [...pads.map((p) => p[0]!), ...pads.map((p) => p[1]!)];
      else attributes['auto_pad'] = draw.autoPad;
      if (draw.opType === 'AveragePool') attributes['count_include_pad'] = draw.countIncludePad ? 1 : 0;
      if (draw.opType === 'LpPool') attributes['p'] = draw.p;
      if (draw.opType === 'MaxPool') attributes['storage_order'] = draw.storageOrder;
      return {
        opType: draw.opType,
        attributes,
        shape: [draw.batch, draw.channels, ...sizes],
        dataSeed: draw.dataSeed,
        values: draw.values,
      };
    });
}

/** Keeps 3-D cases small so the suite stays fast: kernel and extra size at most 3. */
function shrinkFor3d(axis: AxisDraw, rank: number): AxisDraw {
  return rank < 3 ? axis : { ...axis, kernel: Math.min(axis.kernel, 3), extra: Math.min(axis.extra, 3) };
}

export interface GlobalCase {
  readonly opType: 'GlobalAveragePool' | 'GlobalMaxPool' | 'GlobalLpPool';
  readonly attributes: PoolAttributes;
  readonly shape: readonly number[];
  readonly dataSeed: number;
  readonly values: ValueKind;
}

export const globalCase: fc.Arbitrary<GlobalCase> = fc
  .record({
    opType: fc.constantFrom('GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool') as fc.Arbitrary<GlobalCase['opType']>,
    spatial: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }),
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    p: fc.integer({ min: 1, max: 4 }),
    dataSeed: fc.nat(),
    values: fc.constantFrom<ValueKind>('ties', 'continuous'),
  })
  .map((draw): GlobalCase => ({
    opType: draw.opType,
    attributes: draw.opType === 'GlobalLpPool' ? { p: draw.p } : {},
    shape: [draw.batch, draw.channels, ...draw.spatial],
    dataSeed: draw.dataSeed,
    values: draw.values,
  }));
