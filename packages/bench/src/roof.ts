/**
 * The machine's memory-bandwidth roof, measured in the same run as the contenders: a streaming
 * read (SIMD sum) and a copy (memory.copy), with 1 and 2 threads over one shared WebAssembly
 * memory far larger than the caches. A roof is an upper bound, so each figure is the best of a
 * few trials. Copy bandwidth counts the bytes read plus the bytes written.
 */
import { Worker } from 'node:worker_threads';
import { ROOF_SOURCE, type RoofTask } from './roof-kernels.js';

export interface Roof {
  readonly threads: number;
  /** GB/s (1e9 bytes per second). */
  readonly readGBs: number;
  readonly copyGBs: number;
}

const PAGE = 65536;

async function compileProbes(pages: number): Promise<Uint8Array> {
  const { default: asc } = await import('assemblyscript/asc');
  const result = await asc.compileString(ROOF_SOURCE, {
    optimizeLevel: 3,
    runtime: 'stub',
    noAssert: true,
    enable: ['simd', 'threads'],
    importMemory: true,
    sharedMemory: true,
    initialMemory: pages,
    maximumMemory: pages,
  });
  if (result.error || !result.binary) throw new Error(`compiling the bandwidth probes failed: ${String(result.error)} ${String(result.stderr)}`);
  return result.binary;
}

function startProbe(binary: Uint8Array, memory: WebAssembly.Memory): Promise<Worker> {
  const worker = new Worker(new URL('./roof-worker.js', import.meta.url), { workerData: { binary, memory } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', () => {
      worker.off('error', reject);
      resolve(worker);
    });
  });
}

function ask(worker: Worker, task: RoofTask): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (ms: number) => {
      worker.off('error', reject);
      resolve(ms);
    });
    worker.postMessage(task);
  });
}

/**
 * Measures the roof for each thread count, streaming `bytes` per repetition (read) or copying
 * `bytes` to a second region of the same size.
 */
export async function measureRoof(threadCounts: readonly number[], bytes: number, reps: number, trials: number): Promise<Roof[]> {
  const pages = Math.ceil((2 * bytes) / PAGE) + 1;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  // Touch every page once so that no trial pays for page faults.
  new Float32Array(memory.buffer).fill(1);
  const binary = await compileProbes(pages);
  const workers = await Promise.all(Array.from({ length: Math.max(...threadCounts) }, () => startProbe(binary, memory)));
  try {
    const roofs: Roof[] = [];
    for (const threads of threadCounts) {
      const share = Math.floor(bytes / threads / 64) * 64;
      const best = async (kind: RoofTask['kind']): Promise<number> => {
        let fastest = Infinity;
        for (let trial = 0; trial < trials; trial++) {
          const times = await Promise.all(
            workers.slice(0, threads).map((worker, i) =>
              ask(worker, { kind, offset: i * share, target: bytes + i * share, bytes: share, reps }),
            ),
          );
          fastest = Math.min(fastest, Math.max(...times));
        }
        return fastest;
      };
      const moved = share * threads * reps;
      const readMs = await best('read');
      const copyMs = await best('copy');
      roofs.push({ threads, readGBs: moved / readMs / 1e6, copyGBs: (2 * moved) / copyMs / 1e6 });
    }
    return roofs;
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
