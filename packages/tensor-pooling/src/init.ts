/**
 * Asynchronous start-up of the fast backends. Nothing requires it: before `init()` resolves,
 * 'auto' runs the JS kernels. `init()` loads the WebAssembly kernels' code and binary (both only
 * then, so a program that never calls it carries neither) and 'auto' picks them from then on.
 */
import { backendNames, useBuiltinBackend } from './backends.js';
import { PoolingError, show } from './plan/errors.js';

export interface InitResult {
  /** Whether the WebAssembly SIMD kernels are ready. */
  readonly wasm: boolean;
  /** Why they are not, when they are not. */
  readonly wasmError?: string;
  readonly backends: readonly string[];
}

interface WasmOutcome {
  readonly ready: boolean;
  readonly error?: unknown;
}

let wasmStart: Promise<WasmOutcome> | undefined;

/** Loads the wasm runtime and backend once, and registers the backend where the kernels run. */
function startWasmBackend(): Promise<WasmOutcome> {
  wasmStart ??= (async () => {
    const [{ startWasm, wasmLoadError }, { wasmBackend }] = await Promise.all([
      import('./kernels/wasm/runtime.js'),
      import('./kernels/wasm/wasm-backend.js'),
    ]);
    const ready = (await startWasm()) !== undefined;
    if (ready) useBuiltinBackend(wasmBackend);
    return { ready, error: wasmLoadError() };
  })();
  return wasmStart;
}

const startupTasks: (() => Promise<unknown>)[] = [startWasmBackend];

/** Lets another backend (workers) add its own start-up to what `init()` awaits. */
export function addStartupTask(task: () => Promise<unknown>): void {
  if (typeof task !== 'function') {
    throw new PoolingError('INVALID_PARAMETER', 'addStartupTask', `task must be a function returning a promise; got ${show(task)}`);
  }
  startupTasks.push(task);
}

/** Compiles the WebAssembly kernels (and runs other backends' start-up). Safe to call repeatedly. */
export async function init(): Promise<InitResult> {
  await Promise.all(startupTasks.map((task) => task()));
  const { ready: wasm, error } = await startWasmBackend();
  return {
    wasm,
    ...(wasm || error === undefined ? {} : { wasmError: String(error) }),
    backends: backendNames(),
  };
}
