/**
 * Tensors allocated inside WebAssembly memory, which the wasm backend pools without copying in or
 * out (copying costs several times the kernel itself on a small window). They live in the shared
 * runtime's memory where the platform has one, so that `threads: n` workers pool them in place too;
 * else in the host runtime's.
 *
 * `memory.grow` detaches every Float32Array/Float64Array view of an unshared memory (their length
 * becomes 0); views of a shared memory stay valid but do not reach the new pages. A WasmTensor
 * therefore hands out its `data` view through a getter that re-creates the
 * view whenever the memory has grown since: read `t.data` afresh after any call that may allocate
 * (allocating a tensor, running a plan), rather than keeping an old `data` around.
 * `reserveWasmMemory(bytes)` grows the memory once up front so that later allocations within that
 * budget never grow it.
 */
import { PoolingError, show } from '../../plan/errors.js';
import { checkBoolean, readOptions } from '../../plan/validate.js';
import { BYTES_PER_ELEMENT, checkAllocation, dtypeOf, elementCount, readShape, readTensor, type DType, type FloatArray, type Tensor } from '../../tensor.js';
import type { WasmHeap } from './heap.js';
import { loadedSharedWasm, loadedWasm, requireWasm, sharedWasm, type WasmRuntime } from './runtime.js';
import { wasmView } from './wasm-backend.js';

/** The runtime that holds WasmTensors, or a PoolingError saying why none can load here. */
export function runtimeFor(op: string): WasmRuntime {
  try {
    return sharedWasm() ?? requireWasm();
  } catch (error) {
    throw new PoolingError('UNSUPPORTED_OPTION', op, error instanceof Error ? error.message : String(error));
  }
}

/** Only this module constructs WasmTensors: a tensor's address must be a block its heap handed out. */
const MADE_HERE: unique symbol = Symbol('WasmTensor');

/**
 * A tensor whose elements live in WebAssembly memory, which the wasm backend and {@link poolInto}
 * pool without copying in or out. Made by {@link allocWasmTensor} or {@link toWasmTensor} only;
 * usable wherever a {@link Tensor} is. Read `data` afresh after any call that may allocate (growing
 * the memory replaces the view), and `free()` it when done: the memory is not garbage-collected.
 * @category WebAssembly memory
 */
export class WasmTensor<T extends FloatArray = FloatArray> implements Tensor<T> {
  /** The tensor's shape (frozen). */
  readonly shape: readonly number[];
  /** The elements' type. */
  readonly dtype: DType;
  /** Byte address in wasm memory. */
  readonly address: number;
  /** Number of elements: the product of `shape`. */
  readonly length: number;
  private view: T;
  private freed = false;

  /** @internal Use allocWasmTensor or toWasmTensor: only they know where a tensor may live. */
  constructor(
    token: typeof MADE_HERE,
    shape: readonly number[],
    dtype: DType,
    address: number,
    length: number,
    private readonly heap: WasmHeap,
  ) {
    if (token !== MADE_HERE) {
      throw new PoolingError('INVALID_PARAMETER', 'WasmTensor', 'make WasmTensors with allocWasmTensor or toWasmTensor');
    }
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.address = address;
    this.length = length;
    this.view = this.createView();
  }

  private createView(): T {
    return wasmView(this.heap, this.dtype, this.address, this.length) as T;
  }

  /**
   * A live view of the tensor's memory, re-created after the memory has grown.
   * @throws {@link PoolingError} `INVALID_PARAMETER` once the tensor is freed.
   */
  get data(): T {
    if (this.freed) {
      throw new PoolingError('INVALID_PARAMETER', 'WasmTensor', `this tensor (shape ${show(this.shape)}) was freed`);
    }
    if (this.view.buffer !== this.heap.buffer) this.view = this.createView();
    return this.view;
  }

  /** Returns the memory to the allocator; the tensor cannot be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.heap.release(this.address);
  }
}

/**
 * A zero-filled tensor in wasm memory, to fill and pool without copies: by the wasm backend, which
 * 'auto' picks (or `backend: 'wasm'` asks for) once {@link init} has loaded it, or by
 * {@link poolInto}. In Node it may be made before `init()` (the kernels' memory then loads
 * synchronously); in a browser, await `init()` first.
 *
 * @param shape - The tensor's shape.
 * @param dtype - 'float32' (default) or 'float64'.
 * @returns The tensor; `free()` it when done.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `shape` is not an array of non-negative integers;
 * - `INVALID_RANK`: `shape` has more than {@link MAX_RANK} axes;
 * - `UNSUPPORTED_DTYPE`: `dtype` is neither 'float32' nor 'float64';
 * - `SIZE_TOO_LARGE`: the tensor would be over {@link setMaxBytes}'s limit or {@link MAX_ELEMENTS},
 *   or does not fit in WebAssembly memory;
 * - `UNSUPPORTED_OPTION`: the wasm kernels cannot load here (no WebAssembly SIMD, or a browser
 *   before `init()`).
 * @example
 * ```js
 * import { allocWasmTensor, globalAvgPool, init } from 'tensor-pooling';
 *
 * await init();
 * const x = allocWasmTensor([1, 2, 2, 2]);
 * x.data.set([1, 2, 3, 4, 10, 20, 30, 40]);
 * console.log(Array.from(globalAvgPool(x, { backend: 'wasm' }).data));
 * // prints: [ 2.5, 25 ]
 * x.free();
 * ```
 * @category WebAssembly memory
 */
export function allocWasmTensor<D extends DType = 'float32'>(
  shape: readonly number[],
  dtype: D = 'float32' as D,
): WasmTensor<D extends 'float64' ? Float64Array : Float32Array> {
  const op = 'allocWasmTensor';
  return allocIn(op, readShape(op, 'shape', shape), dtype);
}

function allocIn<D extends DType>(op: string, shape: readonly number[], dtype: D): WasmTensor<D extends 'float64' ? Float64Array : Float32Array> {
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new PoolingError('UNSUPPORTED_DTYPE', op, `dtype must be 'float32' or 'float64'; got ${show(dtype)}`);
  }
  const length = elementCount(op, 'the tensor', shape);
  checkAllocation(op, 'the tensor', length, BYTES_PER_ELEMENT[dtype]);
  const bytes = length * BYTES_PER_ELEMENT[dtype];
  const heap = runtimeFor(op).heap;
  let address: number;
  try {
    address = heap.alloc(bytes);
  } catch (error) {
    throw new PoolingError('SIZE_TOO_LARGE', op, `${bytes} bytes do not fit in WebAssembly memory (${String(error)})`);
  }
  heap.holdTensor(address, bytes);
  wasmView(heap, dtype, address, length).fill(0);
  return new WasmTensor(MADE_HERE, shape, dtype, address, length, heap);
}

/**
 * A copy of `x` in wasm memory (one copy now, none per pooling call later). Loads the kernels as
 * {@link allocWasmTensor} does.
 *
 * @param x - The tensor to copy.
 * @returns The copy; `free()` it when done.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `x` is not a `{ shape, data }` tensor;
 * - `UNSUPPORTED_DTYPE`: `x.data` is not a Float32Array or Float64Array;
 * - `DATA_LENGTH_MISMATCH`: `x.data` does not hold the product of `x.shape` elements;
 * - `SIZE_TOO_LARGE`: the copy would be over {@link setMaxBytes}'s limit or does not fit in
 *   WebAssembly memory;
 * - `UNSUPPORTED_OPTION`: the wasm kernels cannot load here.
 * @category WebAssembly memory
 */
export function toWasmTensor<T extends FloatArray>(x: Tensor<T>): WasmTensor<T> {
  const op = 'toWasmTensor';
  const source = readTensor<T>(op, 'x', x);
  const t = allocIn(op, source.shape, dtypeOf(source.data)) as unknown as WasmTensor<T>;
  t.data.set(source.data);
  return t;
}

/**
 * Grows wasm memory now so that `bytes` more can be allocated without growing it later (growing
 * replaces every view of the memory, so a `data` view kept from before would be stale).
 *
 * @param bytes - How many bytes to make room for: a non-negative integer.
 * @throws {@link PoolingError}
 * - `INVALID_PARAMETER`: `bytes` is not a non-negative integer;
 * - `SIZE_TOO_LARGE`: `bytes` is over {@link setMaxBytes}'s limit or does not fit in WebAssembly memory;
 * - `UNSUPPORTED_OPTION`: the wasm kernels cannot load here.
 * @category WebAssembly memory
 */
export function reserveWasmMemory(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new PoolingError('INVALID_PARAMETER', 'reserveWasmMemory', `bytes must be a non-negative integer; got ${show(bytes)}`);
  }
  checkAllocation('reserveWasmMemory', 'the reservation', bytes, 1);
  const heap = runtimeFor('reserveWasmMemory').heap;
  try {
    heap.release(heap.alloc(bytes));
  } catch (error) {
    throw new PoolingError('SIZE_TOO_LARGE', 'reserveWasmMemory', `${bytes} bytes do not fit in WebAssembly memory (${String(error)})`);
  }
}

/**
 * What the WebAssembly kernels hold in their memories (both: the host arrays' and the WasmTensors').
 * @category WebAssembly memory
 */
export interface WasmMemoryUse {
  /** The memories' sizes: what the process has reserved for the kernels. */
  readonly bytes: number;
  /** Bytes in live blocks: WasmTensors, kept window tables, and a running call's scratch. */
  readonly liveBytes: number;
  /** The most bytes live at once since the last `resetPeak` (a call's scratch shows here after it). */
  readonly peakLiveBytes: number;
}

/**
 * The WebAssembly memories' use, or undefined before the kernels are loaded: to see what a call
 * needs beyond its tensors, reset the peak, run it, and read the peak (what `npm run bench` does).
 *
 * @param options - `resetPeak: true` restarts the peak from the bytes live now (the result
 *   shows the restarted peak).
 * @returns The bytes reserved, live and at peak, or undefined before the kernels load.
 * @throws {@link PoolingError} `INVALID_PARAMETER` when an option is unknown or `resetPeak` is not a boolean.
 * @category WebAssembly memory
 */
export function wasmMemoryUse(options?: { readonly resetPeak?: boolean }): WasmMemoryUse | undefined {
  const read = readOptions('wasmMemoryUse', options, ['resetPeak']);
  const reset = read.resetPeak === undefined ? false : checkBoolean('wasmMemoryUse', 'resetPeak', read.resetPeak);
  const heaps = [loadedWasm(), loadedSharedWasm()].flatMap((rt) => (rt ? [rt.heap] : []));
  if (heaps.length === 0) return undefined;
  if (reset) for (const heap of heaps) heap.resetPeak();
  return {
    bytes: heaps.reduce((sum, heap) => sum + heap.buffer.byteLength, 0),
    liveBytes: heaps.reduce((sum, heap) => sum + heap.liveBytes, 0),
    peakLiveBytes: heaps.reduce((sum, heap) => sum + heap.peakLiveBytes, 0),
  };
}
