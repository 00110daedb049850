import { backendNames } from 'tensor-pooling';
import { byId } from './format.js';
import { showChannelMeans, setUpHeads } from './global.js';
import { setUpImages } from './images.js';
import { setUpStepByStep } from './step.js';

const seen = new Set<string>();

/** The footer names every backend that ran something on this page, and the ones available. */
function noteBackend(backend: string | undefined): void {
  if (backend) seen.add(backend);
  byId('backend-footer').textContent = `${[...seen].join(', ') || '—'} (available: ${backendNames().join(', ')})`;
}

setUpStepByStep(noteBackend);
setUpImages((picture) => showChannelMeans(picture, noteBackend), noteBackend);
setUpHeads();
