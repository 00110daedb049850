/**
 * Loads the WebAssembly kernels: asynchronously through `startWasm()` (what `init()` awaits), or
 * synchronously on first explicit use where the platform allows it (Node, workers). The module is
 * embedded as base64, so loading reads no file and needs no Node-only API.
 */
import { KERNELS_WASM_BASE64 } from './gen/kernels-wasm.js';
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
  sum_f32(x: Ptr, length: number): number;
  global_avg_cf_f32(x: Ptr, y: Ptr, planes: number, size: number, divisor: number): void;
  avg_pairs_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, mode: number, value: number, empty: number): void;
  avg_running_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, mode: number, value: number, empty: number, unitStrideW: number, scratch: Ptr): void;
  max_separable_cf_f32(x: Ptr, y: Ptr, idx: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_values_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_large_cf_f32(x: Ptr, y: Ptr, planes: number, geo: Ptr, flags: number, strideW: number, scratch: Ptr): void;
  max_separable_cf_f64(x: Ptr, y: Ptr, idx: Ptr, planes: number, geo: Ptr, flags: number, scratch: Ptr): void;
  avg_backward_cl_f32(dy: Ptr, dx: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, scratch: Ptr): void;
  avg_backward_cl_f64(dy: Ptr, dx: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, scratch: Ptr): void;
  max_forward_cl_f32(x: Ptr, y: Ptr, idx: Ptr, n: number, c: number, geo: Ptr, flags: number, scratch: Ptr): void;
  max_forward_cl_f64(x: Ptr, y: Ptr, idx: Ptr, n: number, c: number, geo: Ptr, flags: number, scratch: Ptr): void;
  avg_forward_cl_f32(x: Ptr, y: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, empty: number, scratch: Ptr): void;
  avg_forward_cl_f64(x: Ptr, y: Ptr, n: number, c: number, geo: Ptr, mode: number, value: number, empty: number, scratch: Ptr): void;
}

export interface WasmRuntime {
  readonly kernels: KernelExports;
  readonly heap: WasmHeap;
}

/** Below this address nothing is allocated: 0 is the kernels' "no buffer". */
const HEAP_BASE = 1024;

let runtime: WasmRuntime | undefined;
let loading: Promise<WasmRuntime | undefined> | undefined;
let loadError: unknown;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(KERNELS_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** The host functions the kernels import: pow, so that Lp results are the reference's bits. */
const imports = { env: { pow: Math.pow } };

function adopt(instance: WebAssembly.Instance): WasmRuntime {
  const kernels = instance.exports as unknown as KernelExports;
  runtime = { kernels, heap: new WasmHeap(kernels.memory, HEAP_BASE) };
  return runtime;
}

/** Whether this platform has WebAssembly with SIMD (the module validates). */
export function wasmSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(moduleBytes());
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
      const { instance } = await WebAssembly.instantiate(moduleBytes(), imports);
      return runtime ?? adopt(instance);
    } catch (error) {
      loadError = error;
      return undefined;
    }
  })();
  return loading;
}

/**
 * The runtime, loading it synchronously if needed. Browsers refuse synchronous compiles of this
 * size on the main thread: the error then says to await `init()` first.
 */
export function requireWasm(): WasmRuntime {
  if (runtime) return runtime;
  if (!wasmSupported()) throw new Error('WebAssembly SIMD is not available on this platform');
  try {
    return adopt(new WebAssembly.Instance(new WebAssembly.Module(moduleBytes()), imports));
  } catch (error) {
    loadError = error;
    throw new Error(`the WebAssembly kernels cannot load synchronously here (${String(error)}); await init() first`);
  }
}

/** Why the last load failed, if it did (diagnostics). */
export function wasmLoadError(): unknown {
  return loadError;
}
