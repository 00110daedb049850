/**
 * Asynchronous start-up of the fast backends. Nothing requires it: before `init()` resolves,
 * 'auto' runs the JS kernels (and an explicit `backend: 'wasm'` compiles synchronously where the
 * platform allows). After it, 'auto' picks the fastest available backend.
 */
import { backendNames } from './backends.js';
import { PoolingError, show } from './plan/errors.js';
import { startWasm, wasmLoadError } from './kernels/wasm/runtime.js';

export interface InitResult {
  /** Whether the WebAssembly SIMD kernels are ready. */
  readonly wasm: boolean;
  /** Why they are not, when they are not. */
  readonly wasmError?: string;
  readonly backends: readonly string[];
}

const startupTasks: (() => Promise<unknown>)[] = [startWasm];

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
  const wasm = (await startWasm()) !== undefined;
  const error = wasmLoadError();
  return {
    wasm,
    ...(wasm || error === undefined ? {} : { wasmError: String(error) }),
    backends: backendNames(),
  };
}
