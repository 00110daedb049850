/**
 * What the host's processor offers the contenders: its SIMD instruction sets (onnxruntime-node's
 * native kernels pick theirs at run time, so its numbers depend on them) and whether WebAssembly
 * SIMD runs here (the wasm backends of ours, onnxruntime-web and TF.js need it).
 */
import { readFileSync } from 'node:fs';

export interface HostFeatures {
  /** The SIMD flags /proc/cpuinfo lists, in the order of SIMD_FLAGS; undefined where it cannot be read. */
  readonly simd: readonly string[] | undefined;
  readonly wasmSimd: boolean;
}

/** x86 from SSE to AVX-512 and AMX, and Arm's NEON and SVE, as the kernel spells them. */
const SIMD_FLAGS = [
  'sse2', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'fma', 'avx2', 'avx_vnni',
  'avx512f', 'avx512dq', 'avx512cd', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'avx512_fp16',
  'amx_tile', 'amx_bf16', 'amx_int8',
  'asimd', 'asimddp', 'sve', 'sve2',
];

function cpuSimdFlags(): string[] | undefined {
  let cpuinfo: string;
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
  // x86 calls the list "flags", Arm "Features"; every core lists the same.
  const line = /^(?:flags|Features)\s*:(.*)$/m.exec(cpuinfo);
  if (!line) return undefined;
  const present = new Set(line[1]!.trim().split(/\s+/));
  return SIMD_FLAGS.filter((flag) => present.has(flag));
}

/**
 * A module whose one function builds the vector (1, 2, 3, 4) with `v128.const` and returns lane 2
 * with `i32x4.extract_lane`: it runs only where WebAssembly SIMD does, and must return 3.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> i32
  0x03, 0x02, 0x01, 0x00, // function section
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f"
  0x0a, 0x19, 0x01, 0x17, 0x00, // code section, one body of 23 bytes, no locals
  0xfd, 0x0c, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, // v128.const i32x4 1 2 3 4
  0xfd, 0x1b, 0x02, // i32x4.extract_lane 2
  0x0b,
]);

function wasmSimdRuns(): boolean {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(SIMD_PROBE));
    return (instance.exports as { f(): number }).f() === 3;
  } catch {
    return false;
  }
}

export function hostFeatures(): HostFeatures {
  return { simd: cpuSimdFlags(), wasmSimd: wasmSimdRuns() };
}
