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

/**
 * The network section pulls in TF.js and three models: it loads when the reader nears it (or the
 * page is idle), never before the first paint.
 */
let network: Promise<void> | undefined;
function loadNetwork(): void {
  network ??= import('./network.js')
    .then(({ setUpNetwork }) => setUpNetwork())
    .catch((error: unknown) => {
      const status = byId('network-status');
      status.textContent = `The trained models could not be loaded: ${(error as Error).message}`;
      status.classList.add('error');
    });
}
const observer = new IntersectionObserver((entries) => {
  if (entries.some((entry) => entry.isIntersecting)) {
    observer.disconnect();
    loadNetwork();
  }
}, { rootMargin: '800px 0px' });
observer.observe(byId('network'));
