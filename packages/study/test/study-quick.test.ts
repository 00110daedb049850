/**
 * `npm run study -- --quick` end to end: both heads train, the report and its pictures are
 * written, head B is smaller and takes other input sizes that head A refuses, and learning
 * happened. Accuracy bounds sit far below what the fixed seed gives, so they cannot flake.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import type { StudyResults } from '../src/experiment.js';

const MAIN = fileURLToPath(new URL('../src/main.js', import.meta.url));
const CHANCE = 0.1;

test('npm run study -- --quick trains both heads and writes the report', async () => {
  const out = mkdtempSync(join(tmpdir(), 'study-quick-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN, '--quick', '--out', out], { timeout: 120_000 });
    assert.match(stdout, /report: /);
    const results = JSON.parse(readFileSync(join(out, 'study', 'results.json'), 'utf8')) as StudyResults;
    const { A, B } = results.heads;

    for (const head of [A, B]) {
      assert.equal(head.epochs.length, results.config.epochs, `head ${head.head} trained every epoch`);
      const final = head.epochs.at(-1)!;
      assert.ok(final.loss < head.initialLoss * 0.9, `head ${head.head}: loss ${head.initialLoss} -> ${final.loss}`);
      assert.ok(final.testAccuracy > 2 * CHANCE, `head ${head.head}: test accuracy ${final.testAccuracy}`);
    }
    assert.ok(A.epochs.at(-1)!.testAccuracy > 5 * CHANCE, `head A: test accuracy ${A.epochs.at(-1)!.testAccuracy}`);

    assert.ok(B.parameters.head < A.parameters.head && B.parameters.total < A.parameters.total);
    assert.equal(A.parameters.trunk, B.parameters.trunk);

    for (const size of [20, 36, 56]) {
      const b = B.canvases.find((c) => c.size === size);
      assert.ok(b && typeof b.accuracy === 'number' && b.accuracy >= 0 && b.accuracy <= 1, `head B runs at ${size}x${size}`);
      const a = A.canvases.find((c) => c.size === size);
      assert.equal(a?.accuracy, undefined, `head A refuses ${size}x${size}`);
      assert.match(a!.error!, new RegExp(`expected .*shape \\[null,28,28,1\\] but got .*shape \\[\\d+,${size},${size},1\\]`));
    }
    assert.match(results.headAAnySizeError, /Flatten.*not fully defined/);

    const moved = results.cams.filter((c) => c.canvas === 56);
    assert.ok(moved.length > 0 && moved.every((c) => c.mapSize[0] === 14 && c.map.length === 196));

    const row224 = results.resnet.find((r) => r.inputSize === 224)!;
    assert.equal(row224.flattenHeadParameters, 100_353_000);
    assert.equal(row224.globalAverageHeadParameters, 2_049_000);

    const markdown = readFileSync(join(out, 'study.md'), 'utf8');
    assert.match(markdown, /quick run/);
    const linked = [...markdown.matchAll(/\]\(study\/([\w-]+\.svg)\)/g)].map((m) => m[1]!);
    assert.ok(linked.length >= 5);
    for (const picture of linked) {
      assert.ok(existsSync(join(out, 'study', picture)), picture);
      assert.match(readFileSync(join(out, 'study', picture), 'utf8'), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    }
    assert.ok(A.canvases.some((c) => c.error !== undefined && markdown.includes(c.error)), "the report quotes head A's error");
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
