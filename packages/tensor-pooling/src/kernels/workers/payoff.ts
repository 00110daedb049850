/**
 * Whether splitting a plan pays, judged from that plan's own recent splits (kept with its split in
 * threaded.ts, so per plan, thread count and kind of input). A split pays when the call took under
 * PAYS of what one thread would have taken, estimated as the parts' count times the calling
 * thread's own part (each part is an equal share of the work). Where no core is idle it does not:
 * the woken worker takes the calling thread's core and the parts run one after the other
 * (docs/backends.md, "When threads do not pay"). Nothing here changes a result, only which thread
 * computes it.
 */

/** A split that takes at least this share of one thread's estimated time saved nothing. */
const PAYS = 0.95;
/** Losing splits in a row before the plan rests on the calling thread. */
export const LOSSES_BEFORE_REST = 8;
/** Calls of the first rest; each further losing try doubles it, up to MAX_REST. */
export const FIRST_REST = 16;
const MAX_REST = 1024;

export class Payoff {
  private losses = 0;
  private rest = 0;
  private nextRest = FIRST_REST;

  /** Whether this call may split: false while the plan rests (each call counts one off the rest). */
  maySplit(): boolean {
    if (this.rest === 0) return true;
    this.rest--;
    return false;
  }

  /**
   * Records a split of `parts` parts that took `totalMs`, `ownMs` of it on the calling thread's own
   * part. After a rest, one losing split starts the next, twice as long; a paying one ends the losses.
   */
  record(ownMs: number, totalMs: number, parts: number): void {
    if (totalMs < PAYS * parts * ownMs) {
      this.losses = 0;
      this.nextRest = FIRST_REST;
      return;
    }
    if (++this.losses < LOSSES_BEFORE_REST) return;
    this.rest = this.nextRest;
    this.nextRest = Math.min(2 * this.nextRest, MAX_REST);
    this.losses = LOSSES_BEFORE_REST - 1;
  }
}
