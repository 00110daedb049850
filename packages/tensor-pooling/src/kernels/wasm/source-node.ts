/**
 * Where the WebAssembly kernels come from on Node (the `node` condition of `#wasm-source` in
 * package.json): the binaries beside this module, read from disk. Reading is synchronous where a
 * caller cannot wait (an explicit `backend: 'wasm'` before `init()`).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

export type WasmVariant = 'own' | 'shared';

function location(variant: WasmVariant): URL {
  return variant === 'own'
    ? new URL('./tensor-pooling-kernels.wasm', import.meta.url)
    : new URL('./tensor-pooling-kernels-shared.wasm', import.meta.url);
}

/** The kernels' bytes now, read synchronously. */
export function wasmBytesNow(variant: WasmVariant): Uint8Array<ArrayBuffer> | undefined {
  return new Uint8Array(readFileSync(location(variant)));
}

/** The kernels, compiled. */
export async function compileWasm(variant: WasmVariant): Promise<WebAssembly.Module> {
  return WebAssembly.compile(new Uint8Array(await readFile(location(variant))));
}
