/**
 * docs/onnx.md's worked example is run as written: each ```js block is saved inside this package
 * (so `import ... from 'tensor-pooling-onnx'` resolves through the package's own exports) and run
 * with node; what it prints must equal its `// prints:` lines, in order.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(new URL('../../../../docs/onnx.md', import.meta.url), 'utf8');
const blocks = [...page.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);

test('docs/onnx.md has a worked example', () => {
  assert.ok(blocks.length >= 1);
});

blocks.forEach((code, i) => {
  test(`docs/onnx.md example ${i + 1} prints what it says`, () => {
    const expected = [...code.matchAll(/^\/\/ prints: (.*)$/gm)].map((m) => m[1]!);
    assert.ok(expected.length > 0, 'the example states what it prints');
    const folder = `${packageRoot}build/docs`;
    mkdirSync(folder, { recursive: true });
    const file = `${folder}/example-${i + 1}.mjs`;
    writeFileSync(file, code);
    const printed = execFileSync(process.execPath, [file], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(printed, expected);
  });
});
