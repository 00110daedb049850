/**
 * Timing and memory measurement. Times are medians of repeated runs after a warm-up, contenders
 * interleaved; a contender slow enough to blow the budget is run fewer times (at least
 * `minRuns`). Memory is the process's resident-set high-water mark during one run, over what was
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

/** Awaits only what is asynchronous, so synchronous contenders pay no microtask per run. */
async function once(run: Run): Promise<number> {
  const started = performance.now();
  const result = run();
  if (isPromise(result)) await result;
  return performance.now() - started;
}

/** Something to time: `before` (untimed) puts global state in place, e.g. TF.js's active backend. */
export interface Timed {
  readonly run: Run;
  readonly before?: () => unknown;
}

async function settle(value: unknown): Promise<void> {
  if (isPromise(value)) await value;
}

async function warmUp(item: Timed, options: TimingOptions): Promise<void> {
  await settle(item.before?.());
  let warmed = 0;
  for (let i = 0; i < options.warmup || warmed < options.warmupMs; i++) {
    const ms = await once(item.run);
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
      const ms = await once(item.run);
      samples[i]!.push(ms);
      spent[i]! += ms;
    }
  }
  return samples.map((runs) => ({ medianMs: median(runs), minMs: Math.min(...runs), runs: runs.length }));
}

/** One contender alone (the slow oracle, which would stretch every round). */
export async function time(run: Run, options: TimingOptions): Promise<Timing> {
  return (await timeInterleaved([{ run }], options))[0]!;
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
