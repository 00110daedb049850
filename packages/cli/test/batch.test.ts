/**
 * `tensor-pooling batch` as a child process: failures summarised with exit 1 while the other
 * files are written, a read-only output folder, Ctrl-C in the middle followed by a resume, and a
 * --format that would name outputs outside the output folder.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import sharp from 'sharp';
import { cli, cliProcess, pattern, workFolder, writeImage } from './run-cli.js';

const dir = workFolder();

async function imageFolder(name: string, count: number, size: number): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (let n = 0; n < count; n++) {
    await writeImage(join(folder, `image-${String(n).padStart(2, '0')}.png`), size, size, 3, pattern(size, size, 3, 255, n));
  }
  return folder;
}

test('one corrupt file: exit 1, the others written, the failure named in the summary', async () => {
  const folder = await imageFolder('mixed', 3, 16);
  writeFileSync(join(folder, 'broken.png'), 'not a png at all');
  const out = join(dir, 'mixed-out');
  const result = cli(['batch', folder, '-o', out, '-k', '2', '--threads', '2']);
  assert.equal(result.status, 1, result.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['image-00.png', 'image-01.png', 'image-02.png']);
  assert.match(result.stderr, /3 written, 0 skipped \(already done\), 1 failed/);
  assert.match(result.stderr, /failures:\n {2}.*broken\.png: not an image/);
  // A glob and a format change; files already done are skipped.
  const glob = cli(['batch', join(folder, 'image-0[01].png'), '-o', out, '--format', 'npy', '-k', '2']);
  assert.equal(glob.status, 0, glob.stderr);
  assert.ok(existsSync(join(out, 'image-00.npy')) && existsSync(join(out, 'image-01.npy')) && !existsSync(join(out, 'image-02.npy')));
  const again = cli(['batch', join(folder, 'image-0[01].png'), '-o', out, '--format', 'npy', '-k', '2']);
  assert.match(again.stderr, /0 written, 2 skipped \(already done\), 0 failed/);
});

test('bad usage and a read-only output folder exit 2 before any work', async () => {
  const folder = await imageFolder('few', 1, 8);
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  const denied = cli(['batch', folder, '-o', locked, '-k', '2'], { unprivileged: true });
  assert.equal(denied.status, 2, denied.stderr);
  assert.match(denied.stderr, /locked: the output folder is not writable/);
  assert.deepEqual(readdirSync(locked), []);
  const noKernel = cli(['batch', folder, '-o', join(dir, 'never'), '--op', 'max']);
  assert.equal(noKernel.status, 2);
  assert.match(noKernel.stderr, /--op max needs --kernel/);
  // Output folder = input folder with the same extension: every output would be its input.
  const onto = cli(['batch', folder, '-o', folder, '-k', '2']);
  assert.equal(onto.status, 1);
  assert.match(onto.stderr, /image-00\.png: its output would overwrite it/);
  assert.deepEqual(readdirSync(folder), ['image-00.png']);
  const nothing = cli(['batch', join(dir, 'no-such-folder'), '-o', join(dir, 'never'), '-k', '2']);
  assert.equal(nothing.status, 2);
  assert.match(nothing.stderr, /no-such-folder: no such file or folder/);
});

test('Ctrl-C during a batch leaves no partial file; the next run resumes where it stopped', async () => {
  const count = 40;
  const folder = await imageFolder('many', count, 400);
  const out = join(dir, 'many-out');
  mkdirSync(out);
  const child = cliProcess(['batch', folder, '-o', out, '-k', '2', '--threads', '1'], dir);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Interrupt as soon as the first output appears: the batch is then in the middle of its work.
  const deadline = Date.now() + 30_000;
  while (readdirSync(out).filter((name) => name.endsWith('.png')).length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stderr, /interrupted: \d+ of 40 files written, none partially/);
  const names = readdirSync(out);
  assert.deepEqual(names.filter((name) => !/^image-\d\d\.png$/.test(name)), [], 'no temporary files');
  assert.ok(names.length > 0 && names.length < count, `${names.length} of ${count} written before the interrupt`);
  for (const name of names) {
    const { info } = await sharp(join(out, name)).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [200, 200], `${name} is complete`);
  }
  const resumed = cli(['batch', folder, '-o', out, '-k', '2', '--threads', '2']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`${count - names.length} written, ${names.length} skipped \\(already done\\), 0 failed`));
  assert.equal(readdirSync(out).length, count);
});

test('batch --format must be an extension: "/../../x.png" is refused before anything is created', async () => {
  const folder = join(dir, 'climb');
  mkdirSync(folder);
  await writeImage(join(folder, 'image.png'), 4, 4, 1, pattern(4, 4, 1));
  const out = join(folder, 'deep', 'out');
  const result = cli(['batch', folder, '-o', out, '-k', '2', '--format', '/../../x.png']);
  assert.equal(result.status, 2, result.stderr);
  assert.match(result.stderr, /--format must be one of png, jpg, .*, npy, json \(an extension, with or without its dot\); got "\/\.\.\/\.\.\/x\.png"/);
  assert.equal(existsSync(join(folder, 'deep')), false, 'the output folder is not even created');
  assert.deepEqual(readdirSync(folder), ['image.png']);
  assert.equal(cli(['batch', folder, '-o', out, '-k', '2', '--format', '.NPY']).status, 0);
  assert.deepEqual(readdirSync(out), ['image.NPY']);
});
