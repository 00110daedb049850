/**
 * Random TF.js pooling calls for differential tests: tf.avgPool / maxPool (2-D), avgPool3d /
 * maxPool3d, and tf.pool with dilations; pads 'valid', 'same', a number or explicit pairs, with
 * and without dimRoundingMode, batched and unbatched (NHWC / NDHWC).
 */
import fc from 'fast-check';
import type { ValueKind } from './compare.js';

export type TfjsFamily = 'pool2d' | 'pool3d' | 'pool';
export type DimRoundingMode = 'floor' | 'round' | 'ceil';
export type TfjsPad = 'valid' | 'same' | number | [number, number][];

export interface TfjsCase {
  readonly family: TfjsFamily;
  readonly poolingType: 'avg' | 'max';
  readonly shape: readonly number[];
  readonly filter: number[];
  readonly strides: number[];
  readonly dilations: number[];
  readonly pad: TfjsPad;
  readonly dimRoundingMode: DimRoundingMode | undefined;
  readonly dataSeed: number;
  readonly values: ValueKind;
}

const axis = fc.record({
  filter: fc.integer({ min: 1, max: 4 }),
  stride: fc.integer({ min: 1, max: 3 }),
  dilation: fc.integer({ min: 1, max: 3 }),
  padBegin: fc.nat(2),
  padEnd: fc.nat(2),
  extra: fc.nat(4),
});

export const tfjsCase: fc.Arbitrary<TfjsCase> = fc
  .record({
    family: fc.constantFrom<TfjsFamily>('pool2d', 'pool2d', 'pool3d', 'pool'),
    poolingType: fc.constantFrom<'avg' | 'max'>('avg', 'max'),
    batched: fc.boolean(),
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    padKind: fc.constantFrom('valid', 'same', 'number', 'number', 'explicit'),
    dimRoundingMode: fc.constantFrom<DimRoundingMode | undefined>(undefined, undefined, 'floor', 'round', 'ceil'),
    dilate: fc.boolean(),
    axes: fc.array(axis, { minLength: 3, maxLength: 3 }),
    dataSeed: fc.nat(),
    values: fc.constantFrom<ValueKind>('ties', 'continuous'),
  })
  .map((draw): TfjsCase => {
    const rank = draw.family === 'pool3d' ? 3 : 2;
    const axes = draw.axes.slice(0, rank).map((a) => (rank === 3 ? { ...a, filter: Math.min(a.filter, 3), extra: Math.min(a.extra, 2) } : a));
    // tf.pool takes strides or dilations above 1, never both; the other families have no dilations.
    const dilate = draw.family === 'pool' && draw.dilate;
    const strides = axes.map((a) => (dilate ? 1 : a.stride));
    const dilations = axes.map((a) => (dilate ? a.dilation : 1));
    // Explicit pads exist for the 2-D ops only; a number pads every side alike.
    const padKind = draw.padKind === 'explicit' && rank === 3 ? 'number' : draw.padKind;
    const pad: TfjsPad =
      padKind === 'valid' || padKind === 'same'
        ? padKind
        : padKind === 'number'
          ? axes[0]!.padBegin
          : [[0, 0], ...axes.map((a) => [a.padBegin, a.padEnd] as [number, number]), [0, 0]];
    const sizes = axes.map((a, i) => {
      const effective = dilations[i]! * (a.filter - 1) + 1;
      return Math.max(1, effective) + a.extra;
    });
    const spatialAndChannels = [...sizes, draw.channels];
    return {
      family: draw.family,
      poolingType: draw.poolingType,
      shape: draw.batched ? [draw.batch, ...spatialAndChannels] : spatialAndChannels,
      filter: axes.map((a) => a.filter),
      strides,
      dilations,
      pad,
      // dimRoundingMode goes with numeric pads; with 'valid' / 'same' both sides must refuse it.
      dimRoundingMode: draw.dimRoundingMode,
      dataSeed: draw.dataSeed,
      values: draw.values,
    };
  });
