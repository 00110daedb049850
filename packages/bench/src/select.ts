/** What the targets and the report read from a run's results: contenders by role, ratios, rates. */
import {
  opLabel,
  poolIntoLabel,
  residentLabel,
  type BenchResults,
  type CaseResult,
  type Contest,
  type ContenderResult,
  type PeerLibrary,
} from './results.js';

export function timed(c: CaseResult, label: string): ContenderResult | undefined {
  const found = c.contenders.find((k) => k.label === label);
  return found?.medianMs === undefined ? undefined : found;
}

function fastest(list: readonly ContenderResult[]): ContenderResult | undefined {
  return list.filter((k) => k.medianMs !== undefined).sort((a, b) => a.medianMs! - b.medianMs!)[0];
}

/** The fastest peer of a contest using at most `threads` threads, of one library if named. */
export function bestPeer(c: CaseResult, threads: number, contest: Contest, library?: PeerLibrary): ContenderResult | undefined {
  return fastest(c.contenders.filter((k) => k.kind === 'peer' && k.contest === contest && k.threads <= threads && (!library || k.library === library)));
}

/** Host arrays are judged against onnxruntime-web, at its best with at most `threads` threads. */
export const hostPeer = (c: CaseResult, threads: number) => bestPeer(c, threads, 'host', 'onnxruntime-web');
/** The resident contest is judged against the fastest resident peer. */
export const residentPeer = (c: CaseResult, threads: number) => bestPeer(c, threads, 'resident');

/** Ours on host arrays, fresh output: the public op (by default with the backend choice 'auto'). */
export const oursOp = (c: CaseResult, threads: number, backend = 'auto') => timed(c, opLabel(backend, threads));
/** Ours on host arrays, output passed: `poolInto` into the caller's typed array. */
export const oursPoolInto = (c: CaseResult, threads: number) => timed(c, poolIntoLabel(threads));
/** Ours with tensors resident in wasm memory (`poolInto` on WasmTensors). */
export const oursResident = (c: CaseResult, threads: number) => timed(c, residentLabel(threads));

/** How many times faster `ours` is than `other` (medians). */
export function speedUp(other: ContenderResult | undefined, ours: ContenderResult | undefined): number | undefined {
  return other && ours ? other.medianMs! / ours.medianMs! : undefined;
}

/** Input plus output bytes per second of the median run, in GB/s. */
export function gbs(c: CaseResult, k: ContenderResult | undefined): number | undefined {
  return k ? (c.inBytes + c.outBytes) / k.medianMs! / 1e6 : undefined;
}

export function roofRead(results: BenchResults, threads: number): number {
  return results.roof.find((r) => r.threads === threads)?.readGBs ?? NaN;
}

/** Our rate over the read roof of the same thread count. */
export function ofRoof(results: BenchResults, c: CaseResult, k: ContenderResult | undefined, threads: number): number | undefined {
  const rate = gbs(c, k);
  return rate === undefined ? undefined : rate / roofRead(results, threads);
}

/** 2 threads slower than 1 by more than this is not noise (issue 16). */
export const THREADS_NOISE = 1.05;

/** Every thread-count choice a user can make, as pairs of our contenders (1 thread, 2 threads). */
export function threadChoices(results: BenchResults): { readonly name: string; readonly labels: readonly [string, string] }[] {
  return [
    ...['auto', ...results.backends].map((backend) => ({ name: `${backend}, host arrays`, labels: [opLabel(backend, 1), opLabel(backend, 2)] as const })),
    { name: 'poolInto, host arrays', labels: [poolIntoLabel(1), poolIntoLabel(2)] as const },
    { name: 'poolInto, resident', labels: [residentLabel(1), residentLabel(2)] as const },
  ];
}

/** One thread's median over two threads' (above 1: the second thread helps). */
export function threadsSpeedUp(c: CaseResult, labels: readonly [string, string]): number | undefined {
  return speedUp(timed(c, labels[0]), timed(c, labels[1]));
}
