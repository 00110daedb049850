/**
 * Asynchronous start-up of the fast backends. Nothing requires it: before `init()` resolves,
 * 'auto' runs the JS kernels. `init()` loads the WebAssembly kernels' code and binary (both only
 * then, so a program that never calls it carries neither) and 'auto' picks them from then on.
 */
import { backendNames, useBuiltinBackend } from './backends.js';
import { PoolingError, show } from './plan/errors.js';

/**
 * What {@link init} resolves to.
 * @category Backends and threads
 */
export interface InitResult {
  /** Whether the WebAssembly SIMD kernels are ready. */
  readonly wasm: boolean;
  /** Why they are not, when they are not. */
  readonly wasmError?: string;
  /** The backends from then on, in the order 'auto' asks them ({@link backendNames}). */
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

/**
 * Adds a start-up of another backend to what {@link init} awaits (a backend registered with
 * {@link registerBackend} that compiles something, say). Every later `init()` call runs it.
 * @param task - A function returning a promise; `init()` rejects if it rejects.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when `task` is not a function.
 * @category Backends and threads
 */
export function addStartupTask(task: () => Promise<unknown>): void {
  if (typeof task !== 'function') {
    throw new PoolingError('INVALID_PARAMETER', 'addStartupTask', `task must be a function returning a promise; got ${show(task)}`);
  }
  startupTasks.push(task);
}

/**
 * Loads and compiles the WebAssembly SIMD kernels (and runs the start-up tasks of
 * {@link addStartupTask}); from then on 'auto' runs them where they support the plan, and
 * `backend: 'wasm'` may be asked for (before, it is `UNSUPPORTED_OPTION`). Nothing requires it:
 * until it resolves, 'auto' runs the JS kernels, which give the same results. A program that never
 * calls it never loads the kernels' code or binary. Safe to call repeatedly; the kernels load once.
 *
 * @returns Whether the wasm kernels are ready (`wasm`, and `wasmError` saying why not: a platform
 *   without WebAssembly SIMD, say; that is not an error), and the backends from then on.
 * @example
 * ```js
 * import { avgPool, init, tensor } from 'tensor-pooling';
 *
 * const { wasm, backends } = await init();
 * console.log(wasm, backends);
 * // prints: true [ 'wasm', 'js', 'reference' ]
 * const y = avgPool(tensor([1, 1, 2, 2], Float32Array.of(1, 2, 3, 4)), { kernel: 2, backend: 'wasm' });
 * console.log(Array.from(y.data));
 * // prints: [ 2.5 ]
 * ```
 * @category Backends and threads
 */
export async function init(): Promise<InitResult> {
  await Promise.all(startupTasks.map((task) => task()));
  const { ready: wasm, error } = await startWasmBackend();
  return {
    wasm,
    ...(wasm || error === undefined ? {} : { wasmError: String(error) }),
    backends: backendNames(),
  };
}
