/**
 * A first-fit allocator over one WebAssembly memory. The kernels never allocate: the host places
 * tensors, window tables and scratch here. Blocks are 16-byte aligned (SIMD loads); freed blocks
 * merge with their neighbours, and the top block returns to the bump pointer.
 *
 * `memory.grow` detaches every view of the old buffer, so nothing here keeps a view: callers take
 * fresh views from `buffer` after any allocation.
 */
const PAGE = 65536;
const ALIGN = 16;
/** The wasm32 address space: 65536 pages of 64 KiB. */
export const MAX_WASM_BYTES = 65536 * PAGE;

interface FreeBlock {
  ptr: number;
  size: number;
}

export class WasmHeap {
  private top: number;
  private readonly free: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();

  /** `base` keeps address 0 (the kernels' "no buffer") and any static data out of reach. */
  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = align(base);
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }

  /** Bytes in use by live blocks. */
  get liveBytes(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Address of a new block of at least `bytes` bytes; grows the memory when needed. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    const fit = this.free.findIndex((b) => b.size >= size);
    let ptr: number;
    if (fit >= 0) {
      const block = this.free[fit]!;
      ptr = block.ptr;
      if (block.size === size) this.free.splice(fit, 1);
      else {
        block.ptr += size;
        block.size -= size;
      }
    } else {
      ptr = this.top;
      this.reserve(ptr + size);
      this.top = ptr + size;
    }
    this.sizes.set(ptr, size);
    return ptr;
  }

  /** Makes sure `end` bytes are addressable without a later grow (which detaches views). */
  reserve(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > MAX_WASM_BYTES) throw new RangeError(`WebAssembly memory cannot hold ${end} bytes (at most ${MAX_WASM_BYTES})`);
    // Grow by at least a quarter of the current size so that a run of growing allocations does
    // not grow (and detach views) every time.
    const wanted = Math.min(MAX_WASM_BYTES, Math.max(end, have + have / 4));
    this.memory.grow(Math.ceil((wanted - have) / PAGE));
  }

  release(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`release of an unknown block at ${ptr}`);
    this.sizes.delete(ptr);
    let index = this.free.findIndex((b) => b.ptr > ptr);
    if (index < 0) index = this.free.length;
    this.free.splice(index, 0, { ptr, size });
    const next = this.free[index + 1];
    const block = this.free[index]!;
    if (next && block.ptr + block.size === next.ptr) {
      block.size += next.size;
      this.free.splice(index + 1, 1);
    }
    const prev = this.free[index - 1];
    if (prev && prev.ptr + prev.size === block.ptr) {
      prev.size += block.size;
      this.free.splice(index, 1);
    }
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
