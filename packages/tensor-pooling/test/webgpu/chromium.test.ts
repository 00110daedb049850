/**
 * `tensor-pooling/webgpu` in a page of Debian's Chromium (headless, `--enable-unsafe-webgpu`, whose
 * adapter here is SwiftShader): the built library served as ES modules (an import map resolves the
 * package's `#` imports to their browser files, as a bundler would), a subset of the WebGPU suite
 * run in the page and compared there with the CPU library (page.ts). Where Chromium or its adapter
 * is missing the test is skipped with the reason.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { CHROMIUM, launch, serve } from '@tensor-pooling/test-kit/browser';
import type { PageCheck, PageReport } from './page.js';

const build = fileURLToPath(new URL('../../', import.meta.url));

const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>tensor-pooling/webgpu</title>
<script type="importmap">
{ "imports": { "#wasm-source": "/src/kernels/wasm/source-web.js", "#worker-host": "/src/kernels/workers/host-web.js" } }
</script>
<script type="module" src="/test/webgpu/page.js"></script>
`;

test('tensor-pooling/webgpu in a Chromium page: average (ceil, padding), max with indices, cancelling global average and a gradient give the CPU library\'s results', { timeout: 60_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM} (Debian's chromium package)`);
    return;
  }
  // The page's folder: build/src and build/test as the page's /src and /test, beside its HTML.
  const folder = await mkdtemp(join(tmpdir(), 'pooling-webgpu-page-'));
  let server: Server | undefined;
  let close: (() => Promise<void>) | undefined;
  try {
    await writeFile(join(folder, 'index.html'), PAGE);
    await symlink(join(build, 'src'), join(folder, 'src'));
    await symlink(join(build, 'test'), join(folder, 'test'));
    const served = await serve(folder);
    server = served.server;
    const browser = await launch({ webgpu: true });
    close = browser.close;
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(served.url);
    await page.waitForFunction(() => window.webGpuReport !== undefined, undefined, { timeout: 45_000 });
    const report = (await page.evaluate(() => window.webGpuReport)) as PageReport | { error: string };
    assert.deepEqual(errors, [], 'the page threw');
    if ('error' in report) assert.fail(`the page failed: ${report.error}`);
    if ('skip' in report) {
      t.skip(report.skip);
      return;
    }
    t.diagnostic(`adapter ${report.adapter}; ${report.checks.length} checks in ${report.milliseconds} ms`);
    assert.equal(report.checks.length, 7);
    for (const check of report.checks as PageCheck[]) {
      t.diagnostic(`${check.name}: ${check.sameBits} of ${check.elements} the CPU's bits, worst ${check.worstUlps} ulps`);
      assert.ok(check.elements > 0, `${check.name}: nothing compared`);
      assert.ok(check.worstUlps <= check.allowedUlps, `${check.name}: ${check.worstUlps} ulps from the CPU (at most ${check.allowedUlps})`);
    }
  } finally {
    await close?.();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await rm(folder, { recursive: true, force: true });
  }
});
