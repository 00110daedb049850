/**
 * Pooling workers on Node's worker_threads (the `node` condition of `#worker-host`).
 */
import { availableParallelism, cpus } from 'node:os';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { WorkerReady } from './protocol.js';
import type { StartedWorker, WorkerHost } from './worker-hosts.js';

function nodeHost(): WorkerHost {
  return {
    platform: 'node',
    cores: typeof availableParallelism === 'function' ? availableParallelism() : cpus().length,
    canSleep: true,
    spawn(control, wasmMemory, wasmModules, onExit) {
      const { port1, port2 } = new MessageChannel();
      // Workers inherit the process's flags, but --input-type (from `node --input-type=module -e`)
      // would stop a worker that is a file from loading; an explicit list is checked more strictly
      // (--expose-gc is refused), so it is given only then, empty.
      const flags = globalThis.process?.execArgv ?? [];
      const worker = new Worker(new URL('../../workers/node-worker.js', import.meta.url), {
        ...(flags.some((flag) => flag.startsWith('--input-type')) ? { execArgv: [] } : {}),
        workerData: { control, port: port2, wasmMemory, wasmModules },
        transferList: [port2],
      });
      // Unref'd: a process exits without any teardown.
      worker.unref();
      port1.unref();
      return new Promise<StartedWorker>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        worker.once('error', onError);
        worker.once('message', (message: WorkerReady) => {
          worker.off('error', onError);
          worker.once('exit', onExit);
          worker.on('error', () => {});
          resolve({ handle: { post: (job) => port1.postMessage(job) }, backends: message.backends });
        });
      });
    },
  };
}

/** This platform's workers. */
export function loadWorkerHost(): WorkerHost {
  return nodeHost();
}
