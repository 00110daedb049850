/**
 * Where the WebAssembly kernels come from in browsers and other platforms (the default condition of
 * `#wasm-source` in package.json): fetched from beside this module. Each URL is a literal
 * `new URL('./tensor-pooling-kernels….wasm', import.meta.url)`, the pattern bundlers (Vite, webpack, Rollup) follow
 * to copy the file next to the bundle, so the binaries are never base64 in anyone's JavaScript and
 * load only when `init()` asks for them.
 */
export type WasmVariant = 'own' | 'shared';

function location(variant: WasmVariant): URL {
  return variant === 'own'
    ? new URL('./tensor-pooling-kernels.wasm', import.meta.url)
    : new URL('./tensor-pooling-kernels-shared.wasm', import.meta.url);
}

/** A page cannot read a file synchronously: the kernels load with `init()`. */
export function wasmBytesNow(_variant: WasmVariant): Uint8Array<ArrayBuffer> | undefined {
  return undefined;
}

/** The kernels, fetched and compiled (streaming where the server sends application/wasm). */
export async function compileWasm(variant: WasmVariant): Promise<WebAssembly.Module> {
  const response = await fetch(location(variant));
  if (!response.ok) throw new Error(`the WebAssembly kernels did not load from ${response.url} (HTTP ${response.status})`);
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}
