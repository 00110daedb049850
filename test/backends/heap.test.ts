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
