/** Which TF.js backend trains the study, set up the same way on every run. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerConv2dFilterGradient } from './conv-filter-gradient.js';

export type StudyBackend = 'wasm' | 'cpu';

/**
 * Selects the backend. The wasm backend runs single-threaded: a thread pool's work split could
 * change with the machine's load, and the numbers must not.
 */
export async function useBackend(name: StudyBackend): Promise<string> {
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Production mode silences TF.js's warnings, among them the cpu backend's banner about tfjs-node.
  tf.env().set('PROD', true);
  registerConv2dFilterGradient(name);
  if (!(await tf.setBackend(name)) || tf.getBackend() !== name) throw new Error(`TF.js backend ${name} is unavailable`);
  const simd = name === 'wasm' && tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' with SIMD' : '';
  return `TF.js ${tf.version_core} ${name} backend${simd}, single-threaded`;
}
