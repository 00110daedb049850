/**
 * What the web explainer's end-to-end tests stand on: the page built by Vite, served and opened
 * in Debian's Chromium with the helpers every package's browser tests share (test-kit's browser.ts).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

export { CHROMIUM, CROSS_ORIGIN_ISOLATION, launch, serve } from '@tensor-pooling/test-kit/browser';

/** packages/explainer, from its tests' build folder. */
export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

export async function buildPage(): Promise<string> {
  await build({ configFile: join(packageRoot, 'vite.config.ts'), logLevel: 'error' });
  return join(packageRoot, 'dist');
}
