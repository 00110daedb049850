/**
 * When `threads: n` stops splitting a plan (payoff.ts): after LOSSES_BEFORE_REST losing splits in
 * a row it rests on the calling thread, tries again after each rest, and the rests double while
 * the tries lose; splits that pay never rest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_REST, LOSSES_BEFORE_REST, Payoff } from '../../src/kernels/workers/payoff.js';

/** Two parts, the calling thread's own part 1 ms: one thread would take about 2 ms. */
const paying = (payoff: Payoff) => payoff.record(1, 1.2, 2);
/** The parts ran one after the other (no idle core): as long as one thread. */
const losing = (payoff: Payoff) => payoff.record(1, 2.1, 2);

/** How many of the next `calls` calls may split, each split recorded with `outcome`. */
function splits(payoff: Payoff, calls: number, outcome: (payoff: Payoff) => void): number {
  let count = 0;
  for (let i = 0; i < calls; i++) {
    if (!payoff.maySplit()) continue;
    count++;
    outcome(payoff);
  }
  return count;
}

test('splits that pay, or lose now and then, never rest', () => {
  const payoff = new Payoff();
  assert.equal(splits(payoff, 1000, paying), 1000);
  let i = 0;
  assert.equal(splits(payoff, 1000, (p) => (i++ % LOSSES_BEFORE_REST === 0 ? paying(p) : losing(p))), 1000);
});

test('losing splits in a row: a rest, one try after it, and rests that double while the tries lose', () => {
  const payoff = new Payoff();
  assert.equal(splits(payoff, LOSSES_BEFORE_REST, losing), LOSSES_BEFORE_REST);
  assert.equal(splits(payoff, FIRST_REST, losing), 0, 'the first rest');
  assert.equal(splits(payoff, 1, losing), 1, 'a try after it');
  assert.equal(splits(payoff, 2 * FIRST_REST, losing), 0, 'a rest twice as long');
  assert.equal(splits(payoff, 1, losing), 1);
  assert.equal(splits(payoff, 4 * FIRST_REST, losing), 0);
  // 1000 more calls lose only a few splits: the rests grow to 1024 calls.
  assert.ok(splits(payoff, 1000, losing) <= 4);
});

test('a try that pays ends the rests', () => {
  const payoff = new Payoff();
  splits(payoff, LOSSES_BEFORE_REST, losing);
  assert.equal(splits(payoff, FIRST_REST, paying), 0);
  assert.equal(splits(payoff, 1, paying), 1, 'the try pays');
  assert.equal(splits(payoff, 100, paying), 100, 'no rest after it');
  assert.equal(splits(payoff, LOSSES_BEFORE_REST, losing), LOSSES_BEFORE_REST, 'losses counted afresh');
  assert.equal(splits(payoff, FIRST_REST, losing), 0, 'and the first rest is FIRST_REST again');
});
