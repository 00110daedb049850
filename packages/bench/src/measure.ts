/**
 * Timing and memory measurement. Times are distributions of repeated runs after a warm-up (the
 * median, the 10th percentile and the fastest), contenders interleaved; a contender slow enough to
 * blow the budget is run fewer times (at least `minRuns`). Memory is the process's resident-set high-water mark during one run, over what was
 * resident before it: it sees native (onnxruntime), WebAssembly and worker memory alike.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface TimingOptions {
  /** Warm-up runs at least, and more until `warmupMs` went into them (JIT tiers settle). */
  readonly warmup: number;
  readonly warmupMs: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Stop adding runs once this much time went into the measured runs. */
  readonly budgetMs: number;
}

export interface Timing {
  readonly medianMs: number;
  /**
   * The 10th percentile: where a run's time is bimodal (a fresh output's pages faulted in on some
   * runs and not on others) the median can land in either mode; p10 says what a run costs when
   * nothing else gets in the way. With fewer than 10 runs it is the fastest.
   */
  readonly p10Ms: number;
  readonly minMs: number;
  readonly runs: number;
}

export type Run = () => unknown;

/** `run` called `times` times in a row (awaiting each call that is asynchronous) as one run. */
export function repeated(run: Run, times: number): Run {
  if (times <= 1) return run;
  return () => {
    for (let i = 0; i < times; i++) {
      const result = run();
      if (isPromise(result)) {
        return (async () => {
          await result;
          for (let j = i + 1; j < times; j++) await run();
        })();
      }
    }
    return undefined;
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value a tenth of the runs are at or below (nearest rank). */
export function percentile10(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(sorted.length / 10) - 1)]!;
}

export function summarise(runs: readonly number[]): Timing {
  return { medianMs: median(runs), p10Ms: percentile10(runs), minMs: Math.min(...runs), runs: runs.length };
}

/**
 * Something to time: `before` (untimed) puts global state in place, e.g. TF.js's active backend.
 * A `selfTimed` run resolves to the milliseconds it measured where the work ran (a peer in a
 * worker thread: the message there and back is not the peer's cost).
 */
export interface Timed {
  readonly run: Run;
  readonly before?: () => unknown;
  readonly selfTimed?: boolean;
}

/** Awaits only what is asynchronous, so synchronous contenders pay no microtask per run. */
async function once(item: Timed): Promise<number> {
  const started = performance.now();
  let result = item.run();
  if (isPromise(result)) result = await result;
  const elapsed = performance.now() - started;
  return item.selfTimed ? (result as number) : elapsed;
}

async function settle(value: unknown): Promise<void> {
  if (isPromise(value)) await value;
}

async function warmUp(item: Timed, options: TimingOptions): Promise<void> {
  await settle(item.before?.());
  let warmed = 0;
  for (let i = 0; i < options.warmup || warmed < options.warmupMs; i++) {
    const ms = await once(item);
    warmed += ms;
    // One warm-up run that alone eats the budget says enough about the first run.
    if (ms > options.budgetMs) break;
  }
}

/**
 * Times several contenders in rounds, one run of each per round, so that a load that comes and
 * goes on a shared machine falls on all of them alike and their ratios hold. A contender takes
 * part in rounds until it has `minRuns` runs and then while its runs took under the budget.
 */
export async function timeInterleaved(items: readonly Timed[], options: TimingOptions): Promise<Timing[]> {
  for (const item of items) await warmUp(item, options);
  const samples = items.map(() => [] as number[]);
  const spent = items.map(() => 0);
  const active = (i: number) =>
    samples[i]!.length < options.maxRuns && (samples[i]!.length < options.minRuns || spent[i]! < options.budgetMs);
  while (items.some((_, i) => active(i))) {
    for (const [i, item] of items.entries()) {
      if (!active(i)) continue;
      await settle(item.before?.());
      const ms = await once(item);
      samples[i]!.push(ms);
      spent[i]! += ms;
    }
  }
  return samples.map(summarise);
}

const gc = (globalThis as { gc?: () => void }).gc;

function statusKiB(field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether peak memory can be measured here (Linux /proc, and node started with --expose-gc). */
export function canMeasureMemory(): boolean {
  if (!gc || statusKiB('VmHWM') === undefined) return false;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Bytes the process touched beyond what it held before, at the peak of one run: garbage is
 * collected first, then the kernel's high-water mark is reset to the current resident set.
 */
export async function peakExtraBytes(run: Run): Promise<number | undefined> {
  if (!canMeasureMemory()) return undefined;
  gc!();
  writeFileSync('/proc/self/clear_refs', '5');
  const before = statusKiB('VmRSS')!;
  let result: unknown = run();
  if (isPromise(result)) result = await result;
  const peak = statusKiB('VmHWM')!;
  // Keep the result alive until the peak is read: it is part of what the run needs.
  void result;
  return Math.max(0, peak - before) * 1024;
}
