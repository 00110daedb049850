/** The wasm-memory allocator: alignment, reuse of freed blocks, merging, growth. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WasmHeap } from '../../src/kernels/wasm/heap.js';

test('blocks are 16-byte aligned, disjoint, reused after release and merged with their neighbours', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new WasmHeap(memory, 1024);
  const a = heap.alloc(10);
  const b = heap.alloc(100);
  const c = heap.alloc(16);
  for (const p of [a, b, c]) assert.equal(p % 16, 0);
  assert.ok(a + 16 <= b && b + 112 <= c, `${a} ${b} ${c}`);
  heap.release(b);
  assert.equal(heap.alloc(48), b, 'first fit takes the freed block');
  heap.release(a);
  heap.release(b);
  // a and b merged into one free block of 128 bytes before c.
  assert.equal(heap.alloc(128), a);
  assert.equal(heap.liveBytes, 128 + 16);
  assert.throws(() => heap.release(a + 16), /unknown block/);
});

test('the memory grows when a block does not fit, and the top returns to the bump pointer', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new WasmHeap(memory, 1024);
  const before = memory.buffer;
  const big = heap.alloc(200_000);
  assert.notEqual(memory.buffer, before, 'grown');
  assert.equal(before.byteLength, 0, 'views of the old buffer are detached');
  assert.ok(memory.buffer.byteLength >= big + 200_000);
  heap.release(big);
  assert.equal(heap.alloc(16), big, 'released top block: the next allocation starts there again');
});

test('two heaps over one shared memory (two threads) claim pages of their own and never overlap', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4096, shared: true });
  const owner = new WasmHeap(memory, 1024);
  const joiner = new WasmHeap(memory, 1024, false);
  const blocks: { heap: string; ptr: number; size: number }[] = [];
  let state = 7;
  for (let i = 0; i < 400; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const size = 16 + (state % 70_000);
    const [name, heap] = i % 3 === 0 ? (['joiner', joiner] as const) : (['owner', owner] as const);
    blocks.push({ heap: name, ptr: heap.alloc(size), size });
    if (i % 5 === 4) {
      // Free one block now and then, so that reuse and merging happen between claims.
      const victim = blocks.splice(state % blocks.length, 1)[0]!;
      (victim.heap === 'owner' ? owner : joiner).release(victim.ptr);
    }
  }
  const sorted = [...blocks].sort((a, b) => a.ptr - b.ptr);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    assert.ok(a.ptr + a.size <= b.ptr, `${a.heap} block at ${a.ptr} (+${a.size}) overlaps ${b.heap} block at ${b.ptr}`);
  }
  assert.ok(sorted[0]!.ptr >= 1024 && sorted.at(-1)!.ptr + sorted.at(-1)!.size <= memory.buffer.byteLength);
  assert.ok(blocks.some((b) => b.heap === 'joiner' && b.ptr < 65536) === false, 'the joiner owns none of the first pages');
});

test('a memory that starts with no pages never hands out an address below the base (0 is the kernels\' "no buffer")', () => {
  const heap = new WasmHeap(new WebAssembly.Memory({ initial: 0, maximum: 4 }), 1024);
  const first = heap.alloc(16);
  assert.ok(first >= 1024, `first block at ${first}`);
  heap.release(first);
  assert.ok(heap.alloc(32) >= 1024);
});
