/** A bandwidth-probe thread: instantiates the probes over the shared memory and runs tasks. */
import { parentPort, workerData } from 'node:worker_threads';
import { runRoofTask, type RoofExports, type RoofTask } from './roof-kernels.js';

const { binary, memory } = workerData as { binary: Uint8Array; memory: WebAssembly.Memory };
const module = await WebAssembly.compile(new Uint8Array(binary));
const instance = await WebAssembly.instantiate(module, { env: { memory, abort: () => undefined } });
const kernels = instance.exports as unknown as RoofExports;

parentPort!.on('message', (task: RoofTask) => parentPort!.postMessage(runRoofTask(kernels, task)));
parentPort!.postMessage('ready');
