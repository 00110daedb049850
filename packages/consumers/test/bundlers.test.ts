/**
 * A user's app built from the packed library with Vite, esbuild and webpack 5, each with its
 * defaults: zero warnings, and in Debian's Chromium the page loads the WebAssembly kernels with
 * init(), splits a threads: 2 call with a Web Worker where the page is cross-origin isolated, and
 * says why it runs on one thread where it is not.
 */
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext } from 'playwright-core';
import { CROSS_ORIGIN_ISOLATION, launch, serve } from '@tensor-pooling/test-kit/browser';
import { binOf, consumersRoot, freshFolder, installTarballs, packageFolder, packWorkspace, repoRoot, run, type Ran } from './packed.js';

/** What fixtures/app/src/main.js leaves in globalThis.report. */
interface PageReport {
  readonly error?: string;
  readonly crossOriginIsolated: boolean;
  readonly beforeInit: number[];
  readonly unavailableAtStart: string | null;
  readonly wasm: boolean;
  readonly wasmError: string | null;
  readonly workers: number;
  readonly unavailable: string | null;
  readonly splitBackends: string[];
  readonly singleBackends: string[];
  readonly sameBits: boolean;
  readonly plain: number[];
}

interface Bundler {
  readonly name: string;
  /** Builds the app in `folder` into `folder/dist`, printing warnings and errors only. */
  build(folder: string): Promise<Ran>;
  /** The page that loads what the bundler made, where the bundler does not write one. */
  readonly page?: string;
  /** What a clean build prints at that level all the same. */
  readonly quietLines?: readonly RegExp[];
}

const page = (script: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>app</title><link rel="icon" href="data:," /></head>` +
  `<body>${script}</body></html>\n`;

const BUNDLERS: readonly Bundler[] = [
  {
    name: 'vite',
    build: async (folder) => run(await binOf('vite'), ['build', '--logLevel', 'warn'], { cwd: folder }),
  },
  {
    name: 'esbuild',
    // The app's own build script (fixtures/app/esbuild.mjs, the README's recipe) with esbuild installed beside the library.
    build: (folder) => run(process.execPath, ['esbuild.mjs'], { cwd: folder }),
    page: page('<script type="module" src="./main.js"></script>'),
  },
  {
    name: 'webpack',
    build: async (folder) => run(await binOf('webpack-cli'), ['--config', 'webpack.config.mjs', '--stats', 'errors-warnings'], { cwd: folder }),
    // webpack's automatic public path reads document.currentScript, which a classic script has.
    page: page('<script defer src="./main.js"></script>'),
    quietLines: [/^webpack compiled successfully$/],
  },
];

const EXPECTED_SMALL = [3.5, 5.5, 11.5, 13.5];

let work: string;
let app: string;
let context: BrowserContext;
let closeBrowser: (() => Promise<void>) | undefined;
const servers: Server[] = [];

before(async () => {
  work = await freshFolder('bundlers');
  const { library } = await packWorkspace(work);
  app = join(work, 'app');
  await cp(join(consumersRoot, 'fixtures/app'), app, { recursive: true });
  await installTarballs(app, [library.tarball], { offline: true });
  // The app's esbuild, as its own devDependency would be.
  await symlink(packageFolder('esbuild'), join(app, 'node_modules/esbuild'), 'dir');
  ({ context, close: closeBrowser } = await launch());
}, { timeout: 300_000 });

after(async () => {
  await closeBrowser?.();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (work) await rm(work, { recursive: true, force: true });
});

async function openApp(folder: string, headers: Record<string, string>): Promise<PageReport & { problems: string[] }> {
  const served = await serve(folder, headers);
  servers.push(served.server);
  const tab = await context.newPage();
  const problems: string[] = [];
  tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  tab.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  tab.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} for ${response.url()}`);
  });
  try {
    await tab.goto(served.url);
    await tab.waitForFunction(() => 'report' in globalThis, undefined, { timeout: 60_000 });
    const report = await tab.evaluate(() => (globalThis as unknown as { report: PageReport }).report);
    return { ...report, problems };
  } finally {
    await tab.close();
  }
}

for (const bundler of BUNDLERS) {
  describe(`an app built with ${bundler.name}`, () => {
    let served: string | undefined;

    it('builds with zero warnings', { timeout: 180_000 }, async () => {
      const built = await bundler.build(app);
      assert.equal(built.code, 0, `${bundler.name} failed:\n${built.stdout}\n${built.stderr}`);
      // At warning level a clean build prints nothing: any line left is a warning.
      const lines = `${built.stdout}\n${built.stderr}`
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !(bundler.quietLines ?? []).some((quiet) => quiet.test(line)));
      assert.deepEqual(lines, [], `${bundler.name} printed warnings`);
      const folder = join(work, `${bundler.name}-dist`);
      await rename(join(app, 'dist'), folder);
      const wasm = (await readdir(folder, { recursive: true })).filter((file) => file.endsWith('.wasm'));
      assert.equal(wasm.length, 2, `both kernel binaries beside the bundle, not base64 in it: ${wasm.join(', ')}`);
      if (bundler.page !== undefined) await writeFile(join(folder, 'index.html'), bundler.page, { flag: 'wx' });
      served = folder;
    });

    it('on a cross-origin isolated page: init() loads the kernels and threads: 2 splits with a Web Worker', async () => {
      assert.ok(served, 'the build failed');
      const report = await openApp(served, CROSS_ORIGIN_ISOLATION);
      assert.equal(report.error, undefined);
      assert.deepEqual(report.problems, []);
      assert.equal(report.crossOriginIsolated, true);
      assert.deepEqual(report.beforeInit, EXPECTED_SMALL);
      assert.equal(report.unavailableAtStart, null);
      assert.equal(report.wasm, true, `init(): ${report.wasmError}`);
      assert.equal(report.workers, 1, `one worker ready (unavailable: ${report.unavailable})`);
      assert.deepEqual(report.splitBackends, ['wasm x2']);
      assert.deepEqual(report.singleBackends, ['wasm']);
      assert.equal(report.sameBits, true);
      assert.deepEqual(report.plain, EXPECTED_SMALL);
    });

    it('on a plain page: the kernels load, workersUnavailable() says why before anything starts, and threads: 2 runs on one thread', async () => {
      assert.ok(served, 'the build failed');
      const report = await openApp(served, {});
      assert.equal(report.error, undefined);
      assert.deepEqual(report.problems, []);
      assert.equal(report.crossOriginIsolated, false);
      assert.match(report.unavailableAtStart ?? '', /cross-origin isolated/);
      assert.equal(report.wasm, true, `init(): ${report.wasmError}`);
      assert.equal(report.workers, 0);
      assert.match(report.unavailable ?? '', /cross-origin isolated/);
      assert.deepEqual(report.splitBackends, ['wasm']);
      assert.equal(report.sameBits, true);
      assert.deepEqual(report.plain, EXPECTED_SMALL);
    });
  });
}

it("the README's esbuild recipe is the build script this test runs", async () => {
  const readme = await readFile(join(repoRoot, 'README.md'), 'utf8');
  const script = await readFile(join(consumersRoot, 'fixtures/app/esbuild.mjs'), 'utf8');
  assert.ok(readme.includes(script), 'README.md shows fixtures/app/esbuild.mjs as it is');
});
