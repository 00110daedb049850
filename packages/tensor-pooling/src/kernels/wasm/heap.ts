/**
 * A first-fit allocator over one WebAssembly memory. The kernels never allocate: the host places
 * tensors, window tables and scratch here. Blocks are 16-byte aligned (SIMD loads); freed blocks
 * merge with their neighbours, and the top block returns to the bump pointer.
 *
 * A shared memory has one heap per thread (the main thread's holds the tensors, each worker's its
 * scratch), so a heap owns only the pages it claimed: `memory.grow` returns where the new pages
 * start, atomically, so two threads growing at once each get pages of their own.
 *
 * `memory.grow` detaches every view of an unshared memory's old buffer, so nothing here keeps a
 * view: callers take fresh views from `buffer` after any allocation.
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
  /** [top, end) is claimed and not yet handed out. */
  private top: number;
  private end: number;
  /** Nothing is handed out below this address (0 is the kernels' "no buffer"). */
  private readonly floor: number;
  private readonly free: FreeBlock[] = [];
  private readonly sizes = new Map<number, number>();
  private live = 0;
  private peak = 0;
  /** Blocks that hold a WasmTensor's data (address -> bytes): the only memory kernels may use in place. */
  private readonly tensors = new Map<number, number>();
  /** The tensor blocks' addresses, ascending, to find the block holding an address in a few steps. */
  private readonly tensorStarts: number[] = [];
  /**
   * Every buffer object this memory has been seen through: after `memory.grow` a shared memory
   * hands out a new object for the same memory, and a view made through an older one is still a
   * view of this memory.
   */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private lastBuffer: ArrayBufferLike | undefined;

  /**
   * `base` keeps address 0 (the kernels' "no buffer") and any static data out of reach. With
   * `ownsMemory` the heap owns the memory from `base` to its current end (the thread that made the
   * memory); without, it owns nothing until it claims pages (a worker joining a shared memory).
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
    ownsMemory = true,
  ) {
    this.top = align(base);
    this.floor = this.top;
    this.end = ownsMemory ? Math.max(this.top, memory.buffer.byteLength) : this.top;
  }

  get buffer(): ArrayBuffer {
    const buffer = this.memory.buffer as ArrayBuffer;
    if (buffer !== this.lastBuffer) {
      this.buffers.add(buffer);
      this.lastBuffer = buffer;
    }
    return buffer;
  }

  /** Whether `buffer` is (or was, before a grow) this memory's buffer. */
  holdsBuffer(buffer: ArrayBufferLike): boolean {
    return buffer === this.lastBuffer || this.buffers.has(buffer) || buffer === this.buffer;
  }

  /** Bytes in use by live blocks. */
  get liveBytes(): number {
    return this.live;
  }

  /** The most bytes live at once since the last resetPeak (or since the heap was made). */
  get peakLiveBytes(): number {
    return this.peak;
  }

  resetPeak(): void {
    this.peak = this.live;
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
      if (this.top + size > this.end) this.claim(size);
      ptr = this.top;
      this.top += size;
    }
    this.sizes.set(ptr, size);
    this.live += size;
    if (this.live > this.peak) this.peak = this.live;
    return ptr;
  }

  /** Claims fresh pages for at least `size` more bytes at the bump pointer. */
  private claim(size: number): void {
    const have = this.memory.buffer.byteLength;
    const needed = this.top === this.end ? size : size - (this.end - this.top);
    if (have + needed > MAX_WASM_BYTES) {
      throw new RangeError(`WebAssembly memory cannot hold ${have + needed} bytes (at most ${MAX_WASM_BYTES})`);
    }
    // At least a quarter of the current size, so that a run of growing allocations does not grow
    // (and detach views) every time.
    const bytes = Math.min(MAX_WASM_BYTES - have, Math.max(needed, have / 4));
    const pages = Math.ceil(bytes / PAGE);
    const start = this.memory.grow(pages) * PAGE;
    if (start === this.end) {
      this.end += pages * PAGE;
      return;
    }
    // Another thread grew the memory since this heap last did: what is left of the old region
    // becomes a free block, and the new pages a region of their own (which must hold `size`).
    if (this.end > this.top) this.insertFree(this.top, this.end - this.top);
    // A memory that started with no pages grows from address 0, below the floor.
    this.top = Math.max(start, this.floor);
    this.end = start + pages * PAGE;
    if (this.end - this.top < size) this.claim(size);
  }

  /** Marks a block as a WasmTensor's data until `release`. */
  holdTensor(ptr: number, bytes: number): void {
    this.tensors.set(ptr, bytes);
    this.tensorStarts.splice(this.firstStartAfter(ptr), 0, ptr);
  }

  /**
   * Ends a `holdTensor` without releasing the block: a worker lends the main thread's tensor
   * ranges for one job (see run-job.ts), so that its kernels pool them in place; the block stays
   * the main thread's.
   */
  forgetTensor(ptr: number): void {
    if (this.tensors.delete(ptr)) this.tensorStarts.splice(this.firstStartAfter(ptr) - 1, 1);
  }

  /** Index of the first tensor block starting after `address`. */
  private firstStartAfter(address: number): number {
    let lo = 0;
    let hi = this.tensorStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tensorStarts[mid]! <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Whether [offset, offset + bytes) lies inside one WasmTensor's block. A view of this memory
   * that does not (a caller's view over the whole buffer, say) may cover window tables or scratch,
   * so no kernel may write through it or read it in place.
   */
  holdsTensorRange(offset: number, bytes: number): boolean {
    const exact = this.tensors.get(offset);
    if (exact !== undefined) return bytes <= exact;
    // Blocks never overlap: only the last one starting at or before `offset` can hold it.
    const start = this.tensorStarts[this.firstStartAfter(offset) - 1];
    return start !== undefined && offset + bytes <= start + this.tensors.get(start)!;
  }

  release(ptr: number): void {
    this.forgetTensor(ptr);
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new Error(`release of an unknown block at ${ptr}`);
    this.sizes.delete(ptr);
    this.live -= size;
    this.insertFree(ptr, size);
  }

  /** Adds a free block, merging it with its neighbours and giving the top one back to the bump pointer. */
  private insertFree(ptr: number, size: number): void {
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
