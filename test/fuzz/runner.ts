/**
 * The parent's side of the library fuzzer: generates calls with fast-check, runs each in the call
 * host (a child process, see call-host.ts) under a time limit and a memory limit, starts a new
 * host after a kill, a crash, a poisoned state or a door that changes global state, and keeps one
 * record per call.
 *
 * Memory: while a call runs the parent polls the host's resident set (/proc/<pid>/status) every
 * few milliseconds; growth past the limit over its value when the call was sent kills the host.
 * The host also reports how much its ArrayBuffers grew and stayed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { track } from './children.js';
import type { Door } from './calls.js';
import { bombCall, fuzzArbitrary, needsTf, type FuzzCall } from './mutate.js';
import type { CallRecord, Outcome, Schedule } from './outcome.js';
import { renderCall } from './recipe.js';

export interface Limits {
  /** Per call, before a door's timeScale. */
  readonly callMs: number;
  /** Resident-set growth allowed during one call. */
  readonly memoryBytes: number;
}

export const DEFAULT_LIMITS: Limits = { callMs: 2000, memoryBytes: 512 * 2 ** 20 };

const SAMPLE_MS = 10;
/** Building the arguments, snapshotting them and the canary checks come on top of the call's own limit. */
const OVERHEAD_MS = 500;
/** Starting the host (the library, its WebAssembly) and loading TF.js. */
const START_MS = 60_000;

type Message =
  | { type: 'ready' }
  | { type: 'prepared'; id: number; error?: string }
  | { type: 'started'; id: number }
  | { type: 'result'; id: number; outcome: Outcome }
  | { type: 'late'; id: number | undefined; detail: string };

function residentBytes(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

/** One call host; `run` resolves with the call's outcome whatever happens to the host. */
export class FuzzProcess {
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private tfLoaded = false;
  private stderrTail = '';
  private nextId = 1;
  /** Errors that escaped earlier calls (unhandled rejections), charged to the next record. */
  private late: string[] = [];
  restarts = 0;

  private start(): Promise<void> {
    const child = fork(new URL('./call-host.js', import.meta.url), [], {
      // Structured clone keeps what recipes hold and JSON loses: bigint, NaN, -0, undefined.
      serialization: 'advanced',
      // The library's own console output (TF.js's banner) is not the fuzzer's to print; the end of
      // stderr says why a host died (V8's fatal out-of-memory report).
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: ['--max-old-space-size=3072'],
    });
    track(child);
    this.stderrTail = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('message', (m: Message) => {
      if (m.type === 'late') this.late.push(m.detail);
    });
    this.child = child;
    this.tfLoaded = false;
    this.ready = this.await(child, (m) => m.type === 'ready', START_MS, 'starting the call host').then(() => undefined);
    return this.ready;
  }

  /** The next message `accept` takes, or a rejection when the host exits or `ms` pass. */
  private await(child: ChildProcess, accept: (m: Message) => boolean, ms: number, what: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      const onMessage = (m: Message) => {
        if (!accept(m)) return;
        done();
        resolve(m);
      };
      const onExit = (code: number | null, signal: string | null) => {
        done();
        reject(new Error(`the call host exited (${signal ?? code}) while ${what}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what} took over ${ms} ms`));
      }, ms);
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async restart(): Promise<void> {
    this.restarts++;
    await this.stop();
  }

  takeLate(): string[] {
    const late = this.late;
    this.late = [];
    return late;
  }

  private async prepared(door: Door, call: FuzzCall): Promise<Outcome | undefined> {
    try {
      if (!this.child) await this.start();
      else await this.ready;
      if (needsTf(door, call) && !this.tfLoaded) {
        const id = this.nextId++;
        this.child!.send({ type: 'prepare', id });
        const reply = (await this.await(this.child!, (m) => m.type === 'prepared' && m.id === id, START_MS, 'loading TF.js')) as { error?: string };
        if (reply.error) throw new Error(`loading TF.js failed: ${reply.error}`);
        this.tfLoaded = true;
      }
      return undefined;
    } catch (error) {
      await this.restart();
      return { cls: 'defect', kind: 'harness', detail: String(error) };
    }
  }

  async run(door: Door, call: FuzzCall, limits: Limits): Promise<{ outcome: Outcome; ms: number }> {
    const failed = await this.prepared(door, call);
    if (failed) return { outcome: failed, ms: 0 };
    const child = this.child!;
    const id = this.nextId++;
    const limitMs = limits.callMs * (door.timeScale ?? 1) + OVERHEAD_MS;
    return new Promise((resolve) => {
      const sent = performance.now();
      let started = sent;
      const baseline = residentBytes(child.pid!);
      let settled = false;
      const finish = (outcome: Outcome, kill: boolean) => {
        if (settled) return;
        settled = true;
        clearInterval(sampler);
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        const ms = performance.now() - started;
        if (kill) void this.restart().then(() => resolve({ outcome, ms }));
        else resolve({ outcome, ms });
      };
      const onMessage = (m: Message) => {
        if (m.type === 'started' && m.id === id) started = performance.now();
        else if (m.type === 'result' && m.id === id) {
          const growth = m.outcome.buffersGrowth ?? 0;
          if (m.outcome.cls !== 'defect' && growth > limits.memoryBytes) {
            finish({ cls: 'defect', kind: 'memory', detail: `ArrayBuffers grew by ${(growth / 2 ** 20).toFixed(0)} MiB and stayed` }, true);
          } else {
            const broken = m.outcome.cls === 'defect' && (m.outcome.kind === 'poisoned-state' || m.outcome.kind === 'harness');
            finish(m.outcome, broken || door.isolated === true);
          }
        }
      };
      const onExit = (code: number | null, signal: string | null) => {
        const fatal = /FATAL ERROR: (.*)/.exec(this.stderrTail)?.[1];
        const kind = fatal !== undefined && /out of memory|allocation failed/i.test(fatal) ? 'memory' : 'crash';
        finish({ cls: 'defect', kind, detail: `the call host died (${signal ?? `exit code ${code}`})${fatal ? `: ${fatal}` : ''}` }, true);
      };
      const timer = setTimeout(() => finish({ cls: 'defect', kind: 'hang', detail: `still running after ${limitMs - OVERHEAD_MS} ms` }, true), limitMs);
      const sampler = setInterval(() => {
        const growth = residentBytes(child.pid!) - baseline;
        if (growth > limits.memoryBytes) {
          finish({ cls: 'defect', kind: 'memory', detail: `resident memory grew by ${(growth / 2 ** 20).toFixed(0)} MiB (limit ${(limits.memoryBytes / 2 ** 20).toFixed(0)} MiB) after ${(performance.now() - started).toFixed(0)} ms` }, true);
        }
      }, SAMPLE_MS);
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.send({ id, door: door.name, call });
    });
  }
}

/** A 31-bit seed for one door under one run seed: the door's name mixed in, so doors differ. */
export function doorSeed(seed: number, door: string): number {
  let h = seed ^ 0x5bd1e995;
  for (let i = 0; i < door.length; i++) h = Math.imul(h ^ door.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

export function callsOf(door: Door, seed: number, count: number): FuzzCall[] {
  return fc.sample(fuzzArbitrary(door), { seed, numRuns: count });
}

/** The call at `path` of a door's arbitrary under `seed` (what a record's replay line names). */
export function callAt(door: Door, seed: number, path: number): FuzzCall {
  return callsOf(door, seed, path + 1)[path]!;
}

export interface LibraryPlan extends Schedule {
  readonly doors: readonly Door[];
  /** When every door's resource bombs run once: before the seeds, after them, or not at all. */
  readonly bombs: 'first' | 'after-seeds' | 'none';
  /** Each seed gives every door this many calls (times the door's weight). */
  readonly callsPerDoor: number;
  readonly limits: Limits;
}

export async function fuzzLibrary(plan: LibraryPlan): Promise<{ records: CallRecord[]; stoppedEarly: boolean; restarts: number }> {
  const worker = new FuzzProcess();
  const records: CallRecord[] = [];
  let stoppedEarly = false;
  const record = async (door: Door, call: FuzzCall, where: { seed: number; path: number; bomb?: number }) => {
    const { outcome, ms } = await worker.run(door, call, plan.limits);
    const late = worker.takeLate();
    const r: CallRecord = {
      door: door.name,
      outcome: late.length > 0 && outcome.cls !== 'defect' ? { cls: 'defect', kind: 'crash', detail: late.join('; ') } : outcome,
      rendered: renderCall(door.name, call.args),
      mode: call.mode,
      mutation: call.mutation,
      ...where,
      ms,
    };
    records.push(r);
    plan.onRecord?.(r);
  };
  /** Every door's bombs once, round-robin so that each door's first bomb comes early. */
  const runBombs = async (): Promise<boolean> => {
    const longest = Math.max(0, ...plan.doors.map((d) => d.bombs?.length ?? 0));
    for (let i = 0; i < longest; i++) {
      for (const door of plan.doors) {
        const bomb = door.bombs?.[i];
        if (!bomb) continue;
        if (performance.now() > plan.deadline) return false;
        await record(door, bombCall(bomb), { seed: 0, path: 0, bomb: i });
      }
    }
    return true;
  };
  const runSeed = async (seed: number): Promise<boolean> => {
    // Round-robin over doors, so that every door gets calls early even if time runs out.
    const queues = plan.doors.map((door) => {
      const s = doorSeed(seed, door.name);
      const count = Math.max(1, Math.round(plan.callsPerDoor * (door.weight ?? 1)));
      return { door, seed: s, calls: callsOf(door, s, count) };
    });
    const longest = Math.max(...queues.map((q) => q.calls.length));
    for (let i = 0; i < longest; i++) {
      for (const q of queues) {
        const call = q.calls[i];
        if (!call) continue;
        if (performance.now() > plan.deadline) return false;
        await record(q.door, call, { seed: q.seed, path: i });
      }
    }
    return true;
  };
  try {
    if (plan.bombs === 'first') stoppedEarly = !(await runBombs());
    for (const seed of stoppedEarly ? [] : plan.seeds) {
      if (!(await runSeed(seed))) {
        stoppedEarly = true;
        break;
      }
    }
    if (!stoppedEarly && plan.bombs === 'after-seeds') stoppedEarly = !(await runBombs());
    if (!stoppedEarly && plan.openEnded !== undefined) {
      for (let round = 0; performance.now() < plan.deadline; round++) {
        if (!(await runSeed(plan.openEnded + round))) break;
      }
    }
  } finally {
    await worker.stop();
  }
  return { records, stoppedEarly, restarts: worker.restarts };
}

/**
 * Runs one door's call at (seed, path), or its bomb number `bomb`, and with `shrink` lets
 * fast-check shrink a defect found at (seed, path).
 */
export async function replay(door: Door, seed: number, path: number, limits: Limits, shrink: boolean, bomb?: number): Promise<{ record: CallRecord; shrunk?: string }> {
  const worker = new FuzzProcess();
  try {
    const bombRecipe = bomb === undefined ? undefined : door.bombs?.[bomb];
    if (bomb !== undefined && !bombRecipe) throw new Error(`${door.name} has ${door.bombs?.length ?? 0} bombs; there is no bomb ${bomb}`);
    const call = bombRecipe ? bombCall(bombRecipe) : callAt(door, seed, path);
    const { outcome, ms } = await worker.run(door, call, limits);
    const record: CallRecord = { door: door.name, outcome, rendered: renderCall(door.name, call.args), mode: call.mode, mutation: call.mutation, seed, path, ...(bomb === undefined ? {} : { bomb }), ms };
    if (!shrink || outcome.cls !== 'defect' || bomb !== undefined) return { record };
    const kind = outcome.kind;
    let smallest = record.rendered;
    await fc.check(
      fc.asyncProperty(fuzzArbitrary(door), async (candidate) => {
        const result = await worker.run(door, candidate, limits);
        const same = result.outcome.cls === 'defect' && result.outcome.kind === kind;
        if (same) smallest = `${renderCall(door.name, candidate.args)}  [${candidate.mutation}] -> ${result.outcome.cls === 'defect' ? result.outcome.detail : ''}`;
        return !same;
      }),
      { seed, path: String(path), numRuns: path + 1, endOnFailure: false, interruptAfterTimeLimit: 120_000 },
    );
    return { record, shrunk: smallest };
  } finally {
    await worker.stop();
  }
}
