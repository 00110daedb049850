/**
 * Where the WebAssembly kernels come from in the browser's pooling worker (tensor-pooling-worker.js,
 * see scripts/build-worker.mjs, which puts this module in place of `#wasm-source`): from the page,
 * which hands the worker the kernels it compiled. The worker never fetches them, so its bundle
 * names no file a bundler would have to find.
 */
export type WasmVariant = 'own' | 'shared';

export function wasmBytesNow(_variant: WasmVariant): Uint8Array<ArrayBuffer> | undefined {
  return undefined;
}

export function compileWasm(_variant: WasmVariant): Promise<WebAssembly.Module> {
  return Promise.reject(new Error('a pooling worker runs the kernels its page compiled; the page sent none'));
}
