/**
 * The peers, side by side, each in its own layout and idiom (see peers/): onnxruntime-node
 * (static shapes, session options tuned per case and thread count), onnxruntime-web (wasm, 1 and 2
 * threads) and TF.js's cpu and wasm backends. Two contests: 'host' (a run includes getting the
 * result as a typed array, as our ops do) and 'resident' (the result stays in the peer's memory),
 * which is what our WasmTensors and `poolInto` compete with. onnxruntime-web has no resident run:
 * its input is copied into WebAssembly memory on every run, and a preallocated CPU output is not
 * written (see peers/onnxruntime-web-worker.ts).
 */
import { ORT_NODE_DEFAULTS, onnxRuntimeNode, type OrtNodeSettings } from './peers/onnxruntime-node.js';
import { onnxRuntimeWeb } from './peers/onnxruntime-web.js';
import type { Peer } from './peers/peer.js';
import { tfjs } from './peers/tfjs.js';

export type { Peer, PreparedPeer } from './peers/peer.js';

/** onnxruntime-node's session options by thread count; onnxruntime's defaults where absent. */
export type OrtNodeChoice = ReadonlyMap<number, OrtNodeSettings>;

// TF.js's cpu backend keeps a tensor's values in a JS array that dataSync returns as is: its host
// run is already its resident run (and it is never the fastest peer), so it runs once.
export function peers(ortNode: OrtNodeChoice = new Map()): Peer[] {
  const node = (threads: number) => ortNode.get(threads) ?? ORT_NODE_DEFAULTS;
  return [
    onnxRuntimeWeb(1),
    onnxRuntimeWeb(2),
    onnxRuntimeNode(1, 'host', node(1)),
    onnxRuntimeNode(2, 'host', node(2)),
    tfjs('cpu', 'host'),
    tfjs('wasm', 'host'),
    onnxRuntimeNode(1, 'resident', node(1)),
    onnxRuntimeNode(2, 'resident', node(2)),
    tfjs('wasm', 'resident'),
  ];
}
