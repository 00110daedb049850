/**
 * Runs the WebGPU suite (gpu-suite.ts) in a child process on SwiftShader: Chromium's Vulkan loader
 * and SwiftShader ICD (Debian's chromium package, which CI installs), `node --single-threaded`
 * (Dawn's node bindings crash at random without it). Where there is no driver or no adapter the
 * test is skipped with the reason, never passed silently.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const CHROMIUM = '/usr/lib/chromium';
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;
const SUITE = fileURLToPath(new URL('./gpu-suite.js', import.meta.url));

interface ChildResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly output: string;
}

function runSuite(): Promise<ChildResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, LD_LIBRARY_PATH: CHROMIUM, VK_ICD_FILENAMES: ICD };
    // Under `node --test` this names the protocol a child test file speaks; the suite must print text.
    delete env.NODE_TEST_CONTEXT;
    execFile(process.execPath, ['--single-threaded', '--test-reporter=spec', SUITE], { env, timeout: 180_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const failed = error as (Error & { code?: number | string; signal?: string }) | null;
      resolve({
        code: failed ? (typeof failed.code === 'number' ? failed.code : null) : 0,
        signal: failed?.signal ?? null,
        output: `${stdout}${stderr}`,
      });
    });
  });
}

test('the WebGPU kernels pass their suite on SwiftShader (in a child process)', { timeout: 200_000 }, async (t) => {
  if (!existsSync(ICD)) {
    t.skip(`no SwiftShader Vulkan ICD at ${ICD} (Debian's chromium package installs it)`);
    return;
  }
  const { code, signal, output } = await runSuite();
  const skip = /^webgpu-suite: skip: (.*)$/m.exec(output);
  if (skip) {
    t.skip(skip[1]);
    return;
  }
  for (const line of output.split('\n').filter((l) => l.startsWith('webgpu-suite: ') || /^[ℹ#] (tests|pass|fail|skipped) /.test(l))) t.diagnostic(line);
  assert.equal(code, 0, `the WebGPU suite failed (exit ${code}, signal ${signal}):\n${output.slice(-6000)}`);
  assert.match(output, /^[ℹ#] fail 0$/m, 'the suite reported its tests');
});
