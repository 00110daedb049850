/**
 * What `tensor-pooling` says when something is wrong: file names with control characters escaped,
 * every refused flag value named with its flag and what was expected, and a failing stdout in one
 * line. Never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { BINARY, cli, cliProcess, pattern, workFolder, writeImage } from './run-cli.js';

const dir = workFolder();

/** Control characters other than the newline that ends each line of output. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('control characters in file names are escaped: in the message of pool and in commander\'s', () => {
  const evil = join(dir, 'evil\u001b[2J\nforged\u009b.png');
  writeFileSync(evil, 'not a picture');
  const pool = cli(['pool', evil, '-o', join(dir, 'evil.npy'), '-k', '2']);
  assert.equal(pool.status, 2);
  assert.equal(pool.stderr, `tensor-pooling: ${join(dir, 'evil\\x1b[2J\\x0aforged\\x9b.png')}: not an image (no supported image format recognised)\n`);
  const commander = cli(['pool', evil, '--\u001b]0;title\u0007']);
  assert.equal(commander.status, 2);
  assert.match(commander.stderr, /unknown option '--\\x1b\]0;title\\x07'/);
  for (const stderr of [pool.stderr, commander.stderr]) assert.doesNotMatch(stderr, CONTROL, 'no control character but the newlines that end lines');
});

test('control characters in file names are escaped in the failure summary of batch', () => {
  const folder = join(dir, 'evil-folder');
  mkdirSync(folder);
  writeFileSync(join(folder, 'x\u0007\r.png'), 'not a picture');
  const batch = cli(['batch', folder, '-o', join(dir, 'evil-out'), '-k', '2', '--threads', '1']);
  assert.equal(batch.status, 1);
  assert.ok(batch.stderr.includes(`  ${join(folder, 'x\\x07\\x0d.png')}: not an image`), batch.stderr);
  assert.doesNotMatch(batch.stderr, CONTROL);
});

function refusedFlag(args: readonly string[], message: string): void {
  const result = cli(args);
  assert.equal(result.status, 2, args.join(' '));
  assert.ok(result.stderr.includes(message), `${args.join(' ')}: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

test('a count flag is refused as a count: --threads 1.5 in pool and batch, --spatial-dims x', () => {
  const input = join(dir, 'counts.npy');
  refusedFlag(['pool', input, '-o', join(dir, 'counts.json'), '-k', '2', '--threads', '1.5'], '--threads must be one positive whole number (1, 2, 3, ...); got "1.5"');
  refusedFlag(['batch', dir, '-o', join(dir, 'counts'), '-k', '2', '--threads', '1.5'], '--threads must be one positive whole number (1, 2, 3, ...); got "1.5"');
  refusedFlag(['pool', input, '-o', join(dir, 'counts.json'), '-k', '2', '--spatial-dims', 'x'], '--spatial-dims must be one positive whole number (1, 2, 3, ...); got "x"');
});

test('a value the library refuses is shown with the flag it came from, in the native ops and in a dialect', async () => {
  const input = join(dir, 'flags.png');
  await writeImage(input, 4, 4, 1, pattern(4, 4, 1));
  const output = join(dir, 'flags.npy');
  refusedFlag(['pool', input, '-o', output, '-k', '0'], `${input}: --kernel 0: avgPool: kernel must be a positive integer; got 0 [INVALID_PARAMETER]`);
  refusedFlag(['pool', input, '-o', output, '--op', 'lp', '-k', '2', '--p', '0', '--dialect', 'torch'], `${input}: --p 0: lp_pool2d: norm_type must be a positive finite number; got 0`);
});

test('stdout that fails is one line, not a stack trace: a full disk exits 2, a reader that went away exits 0', async () => {
  const full = openSync('/dev/full', 'w');
  const onFullDisk = spawnSync(process.execPath, [BINARY, 'explain', '--input', '5', '--kernel', '2'], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
  closeSync(full);
  assert.equal(onFullDisk.status, 2);
  assert.equal(onFullDisk.stderr, 'tensor-pooling: cannot write to the standard output (no space left on the device)\n');
  const child = cliProcess(['explain', '--input', '5', '--kernel', '2'], dir);
  // The read end closes before the child writes: its write fails with EPIPE.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  assert.equal(stderr, '');
  assert.equal(status, 0);
});
