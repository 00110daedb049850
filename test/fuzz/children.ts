/**
 * Every process the fuzzer starts (call hosts, CLI runs) is tracked here and killed when the
 * fuzzer exits or is stopped by a signal: a hostile call that hangs must never outlive the run.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function killChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

process.once('exit', killChildren);
// Stopped by a signal, the fuzzer takes its children with it, then stops as the signal asks.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}
