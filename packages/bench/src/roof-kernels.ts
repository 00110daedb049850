/**
 * The bandwidth probes, in AssemblyScript, compiled when the benchmark starts (asc is a dev
 * dependency): a streaming read with four SIMD accumulators, and a bulk-memory copy. They run over
 * one shared WebAssembly memory so that two threads can stream different halves of it.
 */
export const ROOF_SOURCE = `
export function readSum(ptr: usize, bytes: usize): f32 {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  const end = ptr + bytes;
  for (; ptr < end; ptr += 64) {
    a0 = f32x4.add(a0, v128.load(ptr));
    a1 = f32x4.add(a1, v128.load(ptr, 16));
    a2 = f32x4.add(a2, v128.load(ptr, 32));
    a3 = f32x4.add(a3, v128.load(ptr, 48));
  }
  const s = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
export function copy(dst: usize, src: usize, bytes: usize): void {
  memory.copy(dst, src, bytes);
}
`;

export interface RoofExports {
  readSum(ptr: number, bytes: number): number;
  copy(dst: number, src: number, bytes: number): void;
}

/** What a roof worker is asked: stream `bytes` from `offset` (read) or to `target` (copy), `reps` times. */
export interface RoofTask {
  readonly kind: 'read' | 'copy';
  readonly offset: number;
  readonly target: number;
  readonly bytes: number;
  readonly reps: number;
}

/** Runs a task on an instance and returns the milliseconds it took. */
export function runRoofTask(kernels: RoofExports, task: RoofTask): number {
  const started = performance.now();
  let sink = 0;
  for (let r = 0; r < task.reps; r++) {
    if (task.kind === 'read') sink += kernels.readSum(task.offset, task.bytes);
    else kernels.copy(task.target, task.offset, task.bytes);
  }
  const ms = performance.now() - started;
  if (Number.isNaN(sink)) throw new Error('the read probe summed to NaN');
  return ms;
}
