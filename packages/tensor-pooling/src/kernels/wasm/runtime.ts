/**
 * Loads the WebAssembly kernels: asynchronously through `startWasm()` (what `init()` awaits), or
 * synchronously on first explicit use where the platform can read the binary synchronously (Node).
 * The binaries are files beside the code (see `#wasm-source` in package.json): Node reads them,
 * browsers fetch them when `init()` asks.
 *
 * Two instances of the same kernels: the host runtime, with a memory of its own, stages host
 * arrays (copies into an unshared memory are plain memcpys); the shared runtime, over a shared
 * memory where the platform has one, holds WasmTensors, which workers pool in place (each worker
 * instantiates the kernels over the same memory, with a heap of its own for scratch).
 */
import { compileWasm, wasmBytesNow } from '#wasm-source';
import { WasmHeap } from './heap.js';

type Ptr = number;

/** The generic kernels' selector, as assembly/kernels.ts numbers them. */
export const enum GenericKernel {
  AvgForward = 0,
  MaxForward = 1,
  LpForward = 2,
  AvgBackward = 3,
  MaxBackward = 4,
  LpBackward = 5,
}

/** The kernels' exports (see assembly/kernels.ts for their contracts). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  /** One generic kernel (GenericKernel) over every plane; see assembly/kernels.ts for a..d. */
  generic_f32(kind: GenericKernel, a: Ptr, b: Ptr, c: Ptr, d: Ptr, n: number, ch: number, last: number, geo: Ptr, mode: number, value: number, extra: number): void;
  generic_f64(kind: GenericKernel, a: Ptr, b: Ptr, c: Ptr, d: Ptr, n: number, ch: number, last: number, geo: Ptr, mode: number, value: number, extra: number): void;
  demote_f64_to_f32(src: Ptr, dst: Ptr, length: number): void;
  /** Values per chunk of a global average's plane: planes split at multiples of it give the same bits. */
  global_chunk_values(): number;
  /**
   * Float64 sums of chunks [first, end) of a plane of `size` float32 values whose values from chunk
   * `first` on lie at `x`, chunk k into slot `slots + 8 * (k - first)`.
   */
  sum_chunks_f32(x: Ptr, size: number, first: number, end: number, slots: Ptr): void;
  global_avg_cf_f32(x: Ptr, y: Ptr, planes: number, size: number, divisor: number): void;
  avg_pairs_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, mode: number, value: number, empty: number): void;
  avg_quads_cf_f32(x: Ptr, y: Ptr, rows: number, outWidth: number, divisor: number): void;
  avg_octets_cf_f32(x: Ptr, y: Ptr, slabs: number, outHeight: number, outWidth: number, divisor: number, band: number, scratch: Ptr): void;
  avg_running_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, mode: number, value: number, empty: number, unitStrideW: number, scratch: Ptr): void;
  avg_rows_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, mode: number, value: number, empty: number, scratch: Ptr): void;
  max_separable_cf_f32(x: Ptr, y: Ptr, idx: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_values_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_large_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_rows_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_separable_cf_f64(x: Ptr, y: Ptr, idx: Ptr, planes: number, geo: Ptr, flags: number, scratch: Ptr): void;
  avg_backward_cl_f32(dy: Ptr, dx: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, scratch: Ptr): void;
  avg_backward_cl_f64(dy: Ptr, dx: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, scratch: Ptr): void;
  max_forward_cl_f32(x: Ptr, y: Ptr, idx: Ptr, n: number, c: number, geo: Ptr, flags: number, scratch: Ptr): void;
  max_forward_cl_f64(x: Ptr, y: Ptr, idx: Ptr, n: number, c: number, geo: Ptr, flags: number, scratch: Ptr): void;
  avg_forward_cl_f32(x: Ptr, y: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, empty: number, scratch: Ptr): void;
  avg_forward_cl_f64(x: Ptr, y: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, empty: number, scratch: Ptr): void;
  transpose_f32(src: Ptr, dst: Ptr, rows: number, cols: number, srcStride: number, dstStride: number): void;
  max_indices_cf_f32(x: Ptr, y: Ptr, idx: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
}

export interface WasmRuntime {
  readonly kernels: KernelExports;
  readonly heap: WasmHeap;
  readonly memory: WebAssembly.Memory;
}

/** Below this address nothing is allocated: 0 is the kernels' "no buffer". */
const HEAP_BASE = 1024;
/** The wasm32 limit: a shared memory must declare its maximum. */
const MAX_PAGES = 65536;

let runtime: WasmRuntime | undefined;
let loading: Promise<WasmRuntime | undefined> | undefined;
let loadError: unknown;

/** undefined: not tried yet; null: no shared memory here. */
let shared: WasmRuntime | null | undefined;
/** In a worker: the main thread's shared memory, to join instead of making one. */
let joined: WebAssembly.Memory | undefined;

/**
 * The kernels' binary now, where it can be read synchronously (Node), else an error saying to
 * await init() (a browser page cannot read a file synchronously).
 */
function moduleBytesNow(variant: WasmVariant): Uint8Array<ArrayBuffer> {
  const bytes = wasmBytesNow(variant);
  if (!bytes) throw new Error('the WebAssembly kernels load asynchronously here: await init() first');
  return bytes;
}

/**
 * The smallest module that uses a SIMD instruction (v128.const, drop): whether this platform runs
 * wasm SIMD, known without loading the kernels.
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 23, 1, 21, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 26, 11,
]);

/** The host functions the kernels import: pow, so that Lp results are the reference's bits. */
const imports = { env: { pow: Math.pow } };

export type WasmVariant = 'own' | 'shared';

/**
 * The compiled kernels of each variant: compiled once (or handed to a worker by its main thread,
 * which then never fetches or reads them) and posted to workers, which instantiate them over the
 * shared memory.
 */
const modules: { own?: Promise<WebAssembly.Module>; shared?: Promise<WebAssembly.Module> } = {};
const ready: { own?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

function compiled(variant: WasmVariant): Promise<WebAssembly.Module> {
  modules[variant] ??= compileWasm(variant).then((module) => (ready[variant] = module));
  return modules[variant]!;
}

/** A compiled module now: handed over, compiled earlier, or compiled from bytes read synchronously (Node). */
function compiledNow(variant: WasmVariant): WebAssembly.Module {
  const module = ready[variant] ?? new WebAssembly.Module(moduleBytesNow(variant));
  ready[variant] = module;
  return module;
}

/** The compiled kernels, for a worker to instantiate (they are structured-cloneable). */
export async function compiledModules(): Promise<{ own: WebAssembly.Module; shared?: WebAssembly.Module }> {
  const own = await compiled('own');
  return { own, ...(shared ? { shared: await compiled('shared') } : {}) };
}

/** A worker: the kernels its main thread compiled, so it neither fetches nor reads them. */
export function useCompiledModules(given: { own: WebAssembly.Module; shared?: WebAssembly.Module }): void {
  ready.own = given.own;
  modules.own = Promise.resolve(given.own);
  if (given.shared) {
    ready.shared = given.shared;
    modules.shared = Promise.resolve(given.shared);
  }
}

function adopt(instance: WebAssembly.Instance): WasmRuntime {
  const kernels = instance.exports as unknown as KernelExports;
  runtime = { kernels, heap: new WasmHeap(kernels.memory, HEAP_BASE), memory: kernels.memory };
  return runtime;
}

/** Whether this platform has WebAssembly with SIMD. */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** The runtime once loaded, else undefined: 'auto' selection never waits for it. */
export function loadedWasm(): WasmRuntime | undefined {
  return runtime;
}

/** Compiles and instantiates asynchronously; resolves to undefined where wasm SIMD is missing. */
export function startWasm(): Promise<WasmRuntime | undefined> {
  if (runtime) return Promise.resolve(runtime);
  loading ??= (async () => {
    try {
      if (!wasmSupported()) return undefined;
      const instance = await WebAssembly.instantiate(await compiled('own'), imports);
      shared ??= await startShared();
      return runtime ?? adopt(instance);
    } catch (error) {
      loadError = error;
      return undefined;
    }
  })();
  return loading;
}

/**
 * The runtime, loading it synchronously if needed, where the binary can be read synchronously
 * (Node); elsewhere (a browser) the error says to await `init()` first.
 */
export function requireWasm(): WasmRuntime {
  if (runtime) return runtime;
  if (!wasmSupported()) throw new Error('WebAssembly SIMD is not available on this platform');
  try {
    return adopt(new WebAssembly.Instance(compiledNow('own'), imports));
  } catch (error) {
    loadError = error;
    throw new Error(`the WebAssembly kernels cannot load synchronously here (${String(error)}); await init() first`);
  }
}

function sharedImports(memory: WebAssembly.Memory): WebAssembly.Imports {
  return { env: { ...imports.env, memory } };
}

/** The memory of the shared runtime: the main thread's (when joined) or a new one; null where none can be made. */
function sharedMemory(): WebAssembly.Memory | null {
  // Browsers hand out shared memory only to cross-origin isolated pages.
  if (typeof SharedArrayBuffer === 'undefined' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return null;
  try {
    return joined ?? new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  } catch {
    return null;
  }
}

/** A joining worker owns none of the memory: the main thread's tensors are there. */
function adoptShared(instance: WebAssembly.Instance, memory: WebAssembly.Memory): WasmRuntime {
  return { kernels: instance.exports as unknown as KernelExports, heap: new WasmHeap(memory, HEAP_BASE, joined === undefined), memory };
}

/** Loads the shared runtime asynchronously (browsers compile this size only so); null where impossible. */
async function startShared(): Promise<WasmRuntime | null> {
  const memory = sharedMemory();
  if (!memory) return null;
  try {
    return adoptShared(await WebAssembly.instantiate(await compiled('shared'), sharedImports(memory)), memory);
  } catch (error) {
    loadError = error;
    return null;
  }
}

/**
 * The shared runtime if it is loaded, without loading it: an array can live in the shared memory
 * only once that memory exists, so residency checks on every call need not compile anything.
 */
export function loadedSharedWasm(): WasmRuntime | undefined {
  return shared ?? undefined;
}

/**
 * The shared runtime (loading it synchronously if needed), or undefined where the platform has no
 * shared WebAssembly memory or cannot compile synchronously before `init()`.
 */
export function sharedWasm(): WasmRuntime | undefined {
  if (shared !== undefined) return shared ?? undefined;
  const memory = wasmSupported() ? sharedMemory() : null;
  if (!memory) {
    shared = null;
    return undefined;
  }
  try {
    shared = adoptShared(new WebAssembly.Instance(compiledNow('shared'), sharedImports(memory)), memory);
    return shared;
  } catch (error) {
    // Not null: a browser main thread that refused a synchronous compile loads it in init().
    loadError = error;
    return undefined;
  }
}

/** A worker joins the main thread's shared memory before loading its kernels. */
export function joinSharedWasmMemory(memory: WebAssembly.Memory): void {
  if (shared) throw new Error('the shared WebAssembly runtime is already loaded');
  joined = memory;
}

/** Why the last load failed, if it did (diagnostics). */
export function wasmLoadError(): unknown {
  return loadError;
}
