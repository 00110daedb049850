/**
 * The call host: a child process of the fuzzer that runs one call at a time, so that the parent
 * can stop a call that hangs or grows memory with SIGKILL (which stops native loops too: a worker
 * thread's terminate() cannot, and a V8 fatal out-of-memory in a worker thread takes the whole
 * process down). For each call it builds the arguments, snapshots them, calls, classifies the
 * outcome, checks that the arguments are unchanged and that the canary calls still give the bits
 * they gave at start-up (a hostile call must not poison the plan cache or any other shared
 * state), and frees what the call allocated.
 */
import { readFileSync } from 'node:fs';
import { clearPlanCache } from '../../packages/tensor-pooling/build/src/ops/plan-cache.js';
import { windowsOf } from '../../packages/tensor-pooling/build/src/plan/plan.js';
import type { Door } from './calls.js';
import { doorNamed } from './doors.js';
import { checkExpect, checkSane, type ExpectContext } from './expect.js';
import { materialize, type Context } from './materialize.js';
import { needsTf, type FuzzCall } from './mutate.js';
import { renderCall, type Recipe } from './recipe.js';
import { difference, fingerprint, snapshot, type Snap } from './snapshot.js';
import type { Outcome } from './outcome.js';

process.setSourceMapsEnabled(true);

const lib = await import('tensor-pooling');
await lib.init();

/** The documented codes: the union in src/plan/errors.ts, read from the source so it stays in step. */
const ERRORS_SOURCE = new URL('../../packages/tensor-pooling/src/plan/errors.ts', import.meta.url);
const CODES = new Set([...readFileSync(ERRORS_SOURCE, 'utf8').matchAll(/\|\s*'([A-Z_]+)'/g)].map((m) => m[1]!));
if (CODES.size === 0) throw new Error(`no error codes found in ${ERRORS_SOURCE.pathname}`);

const MAX_MESSAGE = 2000;

/** setMaxBytes's documented default, 2 GiB. */
const DEFAULT_MAX_BYTES = 2 ** 31;
if (lib.getMaxBytes() !== DEFAULT_MAX_BYTES) throw new Error(`getMaxBytes() starts at ${lib.getMaxBytes()}, not the documented ${DEFAULT_MAX_BYTES}`);

/**
 * The setMaxBytes limit hostile calls run under (resource bombs keep the default, which they
 * test). A hostile value may ask for any output the default allows (an adaptive output size of
 * 1e7, a kernel of 1e7 to unpool: hundreds of MiB, seconds of work), which is the caller's right
 * and not what the time and memory limits are for; under this limit such a call is refused with
 * SIZE_TOO_LARGE at once, and one that allocates past it anyway still trips the memory limit.
 */
const HOSTILE_MAX_BYTES = 2 ** 25;

let tf: typeof import('@tensorflow/tfjs-core') | undefined;
let tfEntry: Record<string, unknown> | undefined;

async function loadTf(): Promise<void> {
  if (tfEntry) return;
  const peers = await import('@tensor-pooling/test-kit/tfjs');
  await peers.tfReady();
  tf = peers.tf;
  tfEntry = (await import('tensor-pooling/tfjs')) as unknown as Record<string, unknown>;
}

function resolve(door: Door): unknown {
  let target: unknown = door.module === 'tfjs' ? tfEntry : lib;
  for (const step of door.path) target = (target as Record<string, unknown> | undefined)?.[step];
  return target;
}

// ---------------------------------------------------------------------------------------------
// Canaries: ordinary calls whose bits must never change.

const canaryInput = lib.tensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => ((i * 7) % 11) - 3));
const canaryCalls: [string, () => unknown][] = [
  ['avgPool k2', () => lib.avgPool(canaryInput, { kernel: 2 })],
  ['avgPool k3', () => lib.avgPool(canaryInput, { kernel: 3 })],
  ['avgPool k2 s1', () => lib.avgPool(canaryInput, { kernel: 2, stride: 1 })],
  ['avgPool k3 p1', () => lib.avgPool(canaryInput, { kernel: 3, padding: 1, countIncludePad: true })],
  ['avgPool k2 js', () => lib.avgPool(canaryInput, { kernel: 2, backend: 'js' })],
  ['avgPool k2 reference', () => lib.avgPool(canaryInput, { kernel: 2, backend: 'reference' })],
  ['avgPool {}', () => lib.avgPool(canaryInput, {} as never)],
  ['maxPool k2', () => lib.maxPool(canaryInput, { kernel: 2 })],
  ['maxPool k3', () => lib.maxPool(canaryInput, { kernel: 3 })],
  ['maxPoolWithIndices k3 s1', () => lib.maxPoolWithIndices(canaryInput, { kernel: 3, stride: 1 })],
  ['lpPool k2', () => lib.lpPool(canaryInput, { kernel: 2 })],
  ['globalAvgPool', () => lib.globalAvgPool(canaryInput)],
  ['adaptiveAvgPool 3', () => lib.adaptiveAvgPool(canaryInput, { outputSize: 3 })],
  ['poolOutputShape k2', () => lib.poolOutputShape([1, 1, 4, 4], { kernel: 2 })],
  // The window tables are the library's own (windowsOf): a caller reaching them would change these.
  ['planAvgPool k2 windows', () => windowsOf(lib.planAvgPool([1, 1, 4, 4], { kernel: 2 }))],
  ['torch.avgPool2d k2', () => lib.torch.avgPool2d(canaryInput, { kernel_size: 2 })],
  ['AveragePool k2', () => lib.runOnnxNode('AveragePool', { kernel_shape: [2, 2] }, [canaryInput])],
  ['keras averagePooling2d', () => lib.keras.averagePooling2d(canaryInput, { data_format: 'channels_first' })],
];

function canaryState(): string[] {
  return canaryCalls.map(([, run]) => {
    try {
      return fingerprint(run());
    } catch (error) {
      return `threw ${(error as { code?: string }).code ?? String(error)}`;
    }
  });
}

const canaryBaseline = canaryState();

function poisonedCanary(): string {
  const now = canaryState();
  const at = now.findIndex((f, i) => f !== canaryBaseline[i]);
  return at < 0 ? '' : `canary ${canaryCalls[at]![0]} gives ${now[at]!.slice(0, 120)} instead of ${canaryBaseline[at]!.slice(0, 120)}`;
}

// ---------------------------------------------------------------------------------------------

const expectContext: ExpectContext = {
  isWasmTensor: (value) => value instanceof lib.WasmTensor,
  isTfTensor: (value) => tf !== undefined && value instanceof tf.Tensor,
};

const snapHooks = {
  custom(value: object): Snap | undefined {
    if (value instanceof lib.WasmTensor) {
      try {
        return { t: 'prim', v: fingerprint(value.data) };
      } catch {
        return { t: 'prim', v: 'freed' };
      }
    }
    if (tf && value instanceof tf.Tensor) {
      try {
        return { t: 'prim', v: `${value.shape} ${fingerprint(value.dataSync())}` };
      } catch {
        return { t: 'prim', v: 'disposed' };
      }
    }
    return undefined;
  },
};

/** A TF.js tensor compares by what it holds, not by its ids. */
function tfContents(value: object): unknown {
  return tf && value instanceof tf.Tensor ? { shape: value.shape, dtype: value.dtype, data: value.dataSync() } : undefined;
}

/** Runs the door; layer doors build the layer and apply it, addStartupTask is followed by init(). */
async function invoke(door: Door, fn: unknown, args: unknown[]): Promise<unknown> {
  const f = fn as (...a: unknown[]) => unknown;
  const C = fn as new (...a: unknown[]) => unknown;
  let value: unknown;
  switch (door.form ?? 'call') {
    case 'call':
      value = f(...args);
      break;
    case 'construct':
      value = new C(...args);
      break;
    case 'layerFactory':
      value = (f(args[0]) as { apply(x: unknown): unknown }).apply(args[1]);
      break;
    case 'layerClass':
      value = (new C(args[0]) as { apply(x: unknown): unknown }).apply(args[1]);
      break;
    case 'taskThenInit':
      f(...args);
      value = lib.init();
      break;
  }
  return value instanceof Promise ? await value : value;
}

function describeThrow(error: unknown): string {
  if (!(error instanceof Error)) return `threw a non-Error: ${String(error).slice(0, 200)}`;
  const frame = (error.stack ?? '').split('\n').find((line) => /\/src\/|\/cli\//.test(line) && !line.includes('/test/'));
  const where = frame ? ` (${frame.trim().replace(/^at /, 'at ').replace(/\(?[^ ]*\/(src|cli)\//, '$1/').replace(/\)$/, '')})` : '';
  return `${error.name}: ${error.message.slice(0, 300)}${where}`;
}

function isPoolingError(error: unknown): error is Error & { code: unknown; op: unknown } {
  return error instanceof lib.PoolingError;
}

function classifyThrow(door: Door, call: FuzzCall, error: unknown): Outcome {
  if (!isPoolingError(error)) return { cls: 'defect', kind: 'uncoded-throw', detail: describeThrow(error) };
  const code = String(error.code);
  if (!CODES.has(code)) return { cls: 'defect', kind: 'unknown-code', detail: `code ${JSON.stringify(error.code)}: ${String(error.message).slice(0, 200)}` };
  const message = error.message;
  if (typeof message !== 'string') return { cls: 'defect', kind: 'bad-message', detail: `${code} with a message of type ${typeof message}` };
  if (message.length > MAX_MESSAGE) return { cls: 'defect', kind: 'bad-message', detail: `${code} message of ${message.length} characters: ${message.slice(0, 160)}…` };
  const ops = [...door.ops, 'WasmTensor'];
  const op = String(error.op);
  if (door.ops.length > 0 && (!ops.includes(op) || !message.startsWith(`${op}: `))) {
    return { cls: 'defect', kind: 'bad-message', detail: `${code} names op ${JSON.stringify(op)}, not ${door.ops.map((o) => JSON.stringify(o)).join(' or ')}: ${message.slice(0, 200)}` };
  }
  if (call.mode !== 'hostile') {
    if (call.expect.k !== 'error') return { cls: 'defect', kind: 'wrong-result', detail: `a valid call was rejected: ${code} ${message.slice(0, 300)}` };
    if (!call.expect.codes.includes(code)) return { cls: 'defect', kind: 'wrong-result', detail: `${code} where ${call.expect.codes.join(' or ')} was due: ${message.slice(0, 300)}` };
  }
  return { cls: 'coded', code };
}

/**
 * A hostile call that returned: its result must be sane; where the rewrite broke a documented
 * rule it should have thrown; a resource bomb that returns must still give the right shape.
 */
function classifyHostileReturn(call: FuzzCall, value: unknown): Outcome {
  const insane = checkSane(value);
  if (insane) return { cls: 'defect', kind: 'bad-result', detail: insane };
  if (call.mustReject) return { cls: 'defect', kind: 'accepted-invalid', detail: `returned instead of throwing a PoolingError (${call.mutation})` };
  const wrong = call.mutation === 'resource bomb' && call.expect.k !== 'error' ? checkExpect(value, call.expect, expectContext) : '';
  return wrong ? { cls: 'defect', kind: 'wrong-result', detail: wrong } : { cls: 'ok' };
}

/** Frees what a result holds; a result a hostile call built broken may refuse, which is its call's business. */
function release(value: unknown, depth = 0): void {
  if (depth > 3 || typeof value !== 'object' || value === null) return;
  try {
    if (value instanceof lib.WasmTensor) value.free();
    else if (tf && value instanceof tf.Tensor) value.dispose();
    else if (Array.isArray(value)) value.forEach((v) => release(v, depth + 1));
  } catch {
    // A WasmTensor constructed over a hostile heap cannot be freed.
  }
}

export interface CallRequest {
  readonly id: number;
  readonly door: string;
  readonly call: FuzzCall;
}

async function runOnce(door: Door, args: readonly unknown[]): Promise<{ threw: boolean; value: unknown }> {
  try {
    return { threw: false, value: await invoke(door, resolve(door), [...args]) };
  } catch (error) {
    return { threw: true, value: error };
  }
}

/** What a call gives (its result's bits, or its error code), with fresh arguments each time. */
async function fingerprintOf(door: Door, args: readonly Recipe[]): Promise<string> {
  const ctx: Context = { lib, tf, cleanups: [] };
  try {
    const run = await runOnce(door, args.map((a) => materialize(a, ctx)));
    if (run.threw) return `threw ${(run.value as { code?: string }).code ?? String(run.value)}`;
    const print = fingerprint(run.value, tfContents);
    release(run.value);
    return print;
  } finally {
    for (const cleanup of ctx.cleanups) cleanup();
  }
}

async function handle(request: CallRequest): Promise<Outcome> {
  const door = doorNamed(request.door);
  if (!door) return { cls: 'defect', kind: 'harness', detail: `unknown door ${request.door}` };
  const { call } = request;
  if (needsTf(door, call) && !tf) return { cls: 'defect', kind: 'harness', detail: 'TF.js was not loaded before a call that needs it' };
  // A hostile (or inherited-options) rewrite of a valid call reads the options the way the
  // library's cache key does: the unmutated call must give the same bits after it as before it.
  const probes = call.mode !== 'valid' && door.pure !== false ? (call.probes ?? []) : [];
  const probesBefore: string[] = [];
  for (const probe of probes) {
    clearPlanCache();
    probesBefore.push(await fingerprintOf(door, probe));
  }
  // The canary and the probe warmed the plan cache; the call must plan afresh, or it could never
  // poison what they read.
  clearPlanCache();
  const ctx: Context = { lib, tf, cleanups: [] };
  let args: unknown[];
  try {
    // Built in order, each visible to the next (an aliasView reads an earlier argument).
    args = [];
    for (const a of call.args) args.push(materialize(a, { ...ctx, built: args }));
  } catch (error) {
    return { cls: 'defect', kind: 'harness', detail: `building the arguments failed: ${describeThrow(error)}` };
  }
  const before = args.map((a) => snapshot(a, snapHooks));
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const limit = call.mode === 'hostile' && call.mutation !== 'resource bomb' ? HOSTILE_MAX_BYTES : DEFAULT_MAX_BYTES;
  lib.setMaxBytes(limit);
  send({ type: 'started', id: request.id });
  const result = await runOnce(door, args);
  const buffersGrowth = process.memoryUsage().arrayBuffers - buffersBefore;
  // setMaxBytes is the caller's to change; every later call starts from the default again.
  const maxBytesAfter = lib.getMaxBytes();
  if (maxBytesAfter !== DEFAULT_MAX_BYTES) lib.setMaxBytes(DEFAULT_MAX_BYTES);

  let outcome: Outcome;
  if (result.threw) {
    outcome = classifyThrow(door, call, result.value);
  } else if (call.mode === 'hostile') {
    outcome = classifyHostileReturn(call, result.value);
  } else {
    const problem = checkExpect(result.value, call.expect, expectContext);
    outcome = problem ? { cls: 'defect', kind: 'wrong-result', detail: problem } : { cls: 'ok' };
  }

  // Benign rewrites: the same call in its plain spelling must give the same bits.
  if (call.mode === 'benign' && call.original && outcome.cls !== 'defect') {
    const plainCtx: Context = { lib, tf, cleanups: [] };
    const plain = await runOnce(door, call.original.map((a) => materialize(a, plainCtx)));
    const got = result.threw ? `threw ${(result.value as { code?: string }).code ?? String(result.value)}` : fingerprint(result.value, tfContents);
    const want = plain.threw ? `threw ${(plain.value as { code?: string }).code ?? String(plain.value)}` : fingerprint(plain.value, tfContents);
    if (got !== want) outcome = { cls: 'defect', kind: 'wrong-result', detail: `${call.mutation} changed the result: ${got.slice(0, 160)} instead of ${want.slice(0, 160)}` };
    if (!plain.threw) release(plain.value);
    plainCtx.cleanups.forEach((c) => c());
  }

  if (outcome.cls !== 'defect') {
    for (let i = 0; i < args.length; i++) {
      if (door.mutates?.includes(i)) continue;
      const changed = difference(before[i]!, snapshot(args[i], snapHooks), `arg${i}`);
      if (changed) {
        outcome = { cls: 'defect', kind: 'mutated-input', detail: changed };
        break;
      }
    }
  }
  if (!result.threw) release(result.value);
  for (const cleanup of ctx.cleanups) {
    try {
      cleanup();
    } catch {
      // A hostile call may have freed or disposed it already.
    }
  }
  for (let i = 0; i < probes.length; i++) {
    const after = await fingerprintOf(door, probes[i]!);
    if (after !== probesBefore[i]) {
      const which = i === 0 ? 'the unmutated call' : `${renderCall(door.name, probes[i]!)}`;
      const detail = `after it, ${which} gives ${after.slice(0, 140)} instead of ${probesBefore[i]!.slice(0, 140)}`;
      outcome = { cls: 'defect', kind: 'poisoned-state', detail: outcome.cls === 'defect' ? `${detail}; also ${outcome.kind}: ${outcome.detail}` : detail };
      break;
    }
  }
  const changedLimit = maxBytesAfter !== limit && door.name !== 'setMaxBytes';
  if (changedLimit && !(outcome.cls === 'defect' && outcome.kind === 'poisoned-state')) {
    outcome = { cls: 'defect', kind: 'poisoned-state', detail: `getMaxBytes() is ${maxBytesAfter} after it, not ${limit}` };
  }
  const poisoned = poisonedCanary();
  if (poisoned && !(outcome.cls === 'defect' && outcome.kind === 'poisoned-state')) {
    outcome = { cls: 'defect', kind: 'poisoned-state', detail: outcome.cls === 'defect' ? `${poisoned}; also ${outcome.kind}: ${outcome.detail}` : poisoned };
  }
  return { ...outcome, buffersGrowth } as Outcome;
}

function send(message: object): void {
  process.send!(message);
}

let current: number | undefined;

process.on('unhandledRejection', (reason) => {
  send({ type: 'late', id: current, detail: `unhandled rejection: ${describeThrow(reason)}` });
});

// The parent going away ends the host: nothing of the fuzzer may outlive it.
process.on('disconnect', () => process.exit(0));

process.on('message', (request: CallRequest | { type: 'prepare'; id: number }) => {
  if ('type' in request) {
    void loadTf().then(
      () => send({ type: 'prepared', id: request.id }),
      (error: unknown) => send({ type: 'prepared', id: request.id, error: describeThrow(error) }),
    );
    return;
  }
  current = request.id;
  void handle(request).then(
    (outcome) => send({ type: 'result', id: request.id, outcome }),
    (error: unknown) => send({ type: 'result', id: request.id, outcome: { cls: 'defect', kind: 'harness', detail: describeThrow(error) } }),
  );
});

send({ type: 'ready' });
