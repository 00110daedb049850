/**
 * The README's JavaScript examples are run as written: each ```js block is saved inside the
 * package (so `import ... from 'tensor-pooling'` resolves to the build through the package's own
 * exports) and run with node; what it prints must equal its `// prints:` lines, in order.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

const root = process.cwd();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('the README has runnable examples', () => {
  assert.ok(blocks.length >= 3, `expected at least 3 js examples, found ${blocks.length}`);
});

blocks.forEach((code, i) => {
  const firstLine = code.split('\n').find((l) => l.trim() && !l.startsWith('import')) ?? '';
  test(`README example ${i + 1} prints what it says (${firstLine.trim().slice(0, 60)})`, () => {
    const expected = [...code.matchAll(/^\/\/ prints: (.*)$/gm)].map((m) => m[1]!);
    assert.ok(expected.length > 0, 'every example states what it prints');
    const dir = join(root, 'build', 'readme');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, code);
    const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(printed, expected);
  });
});
