/**
 * Module formats from the packed library, installed in a fresh folder with TF.js beside it (the
 * optional peers of tensor-pooling/tfjs): require() from CommonJS on the Node that engines names,
 * and the types of both entry points under TypeScript's node16, nodenext and bundler resolution.
 */
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { binOf, consumersRoot, freshFolder, installTarballs, packageFolder, packWorkspace, repoRoot, run, runOk } from './packed.js';

let work: string;
let user: string;

before(async () => {
  work = await freshFolder('module-formats');
  const { library } = await packWorkspace(work);
  user = join(work, 'user');
  await mkdir(user);
  await installTarballs(user, [library.tarball], { offline: true });
  // The user's own TF.js install, as the peers tensor-pooling/tfjs expects.
  await symlink(join(packageFolder('@tensorflow/tfjs-core'), '..'), join(user, 'node_modules/@tensorflow'), 'dir');
}, { timeout: 120_000 });

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Whether `version` (x.y.z) is at least `minimum` (x.y). */
function atLeast(version: string, minimum: string): boolean {
  const [major, minor] = version.split('.').map(Number);
  const [needMajor, needMinor] = minimum.split('.').map(Number);
  return major! > needMajor! || (major === needMajor && minor! >= needMinor!);
}

describe('CommonJS', () => {
  it('engines names the Node versions that are tested, and this Node is one of them', async () => {
    for (const manifestPath of ['packages/tensor-pooling/package.json', 'packages/cli/package.json', 'package.json']) {
      const manifest = JSON.parse(await readFile(join(repoRoot, manifestPath), 'utf8')) as { engines?: { node?: string } };
      assert.equal(manifest.engines?.node, '>=20.20', manifestPath);
    }
    assert.ok(atLeast(process.versions.node, '20.20'), `Node ${process.versions.node}`);
  });

  it(`require('tensor-pooling') and require('tensor-pooling/tfjs') work from a .cjs file (Node ${process.versions.node})`, { timeout: 60_000 }, async () => {
    assert.ok(user, 'the install failed');
    const script = join(user, 'require.cjs');
    await copyFile(join(consumersRoot, 'fixtures/node/require.cjs'), script);
    const ran = await runOk(process.execPath, [script], { cwd: user });
    assert.deepEqual(JSON.parse(ran.stdout), { pooled: [3.5, 5.5, 11.5, 13.5], layer: 'AvgPool' });
    // Node 20.19+ loads ES modules through require() without an experimental warning.
    assert.equal(ran.stderr, '');
  });
});

describe('TypeScript types from the installed package', () => {
  const modes = [
    { module: 'node16', moduleResolution: 'node16' },
    { module: 'nodenext', moduleResolution: 'nodenext' },
    { module: 'preserve', moduleResolution: 'bundler' },
  ];
  let project: string;

  before(async () => {
    project = join(user, 'ts');
    await cp(join(consumersRoot, 'fixtures/typescript'), project, { recursive: true });
    await writeFile(join(project, 'package.json'), '{ "type": "module" }\n');
  });

  async function compile(file: string, mode: { module: string; moduleResolution: string }, skipLibCheck: boolean): Promise<void> {
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--types', '', '--module', mode.module];
    args.push('--moduleResolution', mode.moduleResolution, ...(skipLibCheck ? ['--skipLibCheck'] : []), file);
    const ran = await run(await binOf('typescript', 'tsc'), args, { cwd: project });
    assert.equal(ran.code, 0, `tsc ${args.join(' ')}:\n${ran.stdout}${ran.stderr}`);
  }

  for (const mode of modes) {
    it(`moduleResolution ${mode.moduleResolution}: 'tensor-pooling' resolves to its types, which compile without skipLibCheck`, { timeout: 60_000 }, async () => {
      await compile('core.ts', mode, false);
    });
    // TF.js's own declarations do not compile under strict checks (neither does any app's without skipLibCheck).
    it(`moduleResolution ${mode.moduleResolution}: 'tensor-pooling/tfjs' resolves to its types and TF.js's`, { timeout: 60_000 }, async () => {
      await compile('tfjs.ts', mode, true);
    });
    it(`moduleResolution ${mode.moduleResolution}: 'tensor-pooling/webgpu' resolves to its types, which compile without skipLibCheck`, { timeout: 60_000 }, async () => {
      await compile('webgpu.ts', mode, false);
    });
  }

  it('a CommonJS TypeScript file (.cts) imports the library under module nodenext', { timeout: 60_000 }, async () => {
    await compile('require.cts', { module: 'nodenext', moduleResolution: 'nodenext' }, false);
  });
});
