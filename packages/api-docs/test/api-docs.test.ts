/**
 * The API reference (docs/api) is TypeDoc's output for the library's two entry points, kept in the
 * repository so that it reads on any code host. This test regenerates it and fails when TypeDoc
 * reports an export without documentation (typedoc.json treats that warning as an error), when a
 * function's parameter has no description (TypeDoc does not check that), when the committed pages
 * differ from what the comments now say (run `npm run docs`), or when an example in them does not
 * print what its `// prints:` lines say.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const committed = join(packageDir, '..', '..', 'docs', 'api');
// TypeDoc as this package resolves it: beside the TypeScript 6 it needs, not the repository's TypeScript 7.
const typedocBin = join(dirname(createRequire(join(packageDir, 'package.json')).resolve('typedoc/package.json')), 'bin', 'typedoc');

let scratch = '';
let generated = '';
let run: { status: number | null; output: string } = { status: null, output: '' };

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'api-docs-'));
  generated = join(scratch, 'api');
  const result = spawnSync(
    process.execPath,
    [typedocBin, '--options', 'typedoc.json', '--out', generated, '--json', join(scratch, 'api.json')],
    { cwd: packageDir, encoding: 'utf8' },
  );
  run = { status: result.status, output: `${result.stdout}${result.stderr}` };
});

after(() => rmSync(scratch, { recursive: true, force: true }));

/** Every file below `dir`, as paths relative to it, sorted. */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

test('TypeDoc documents every export of tensor-pooling and tensor-pooling/tfjs without a warning', () => {
  assert.equal(run.status, 0, `TypeDoc failed (an export without documentation fails it):\n${run.output}`);
});

/** A reflection of TypeDoc's JSON output, as far as this test reads it. */
interface Reflection {
  readonly name: string;
  readonly comment?: { readonly summary?: readonly { readonly text: string }[] };
  readonly children?: readonly Reflection[];
  readonly signatures?: readonly Reflection[];
  readonly parameters?: readonly Reflection[];
}

/** `where` for every parameter of every signature below `node` whose description is empty. */
function undescribedParameters(node: Reflection, path: string): string[] {
  const here = path === '' ? node.name : `${path}.${node.name}`;
  const own = (node.signatures ?? []).flatMap((signature) =>
    (signature.parameters ?? [])
      .filter((parameter) => (parameter.comment?.summary ?? []).every((part) => part.text.trim() === ''))
      .map((parameter) => `${here}(${parameter.name})`),
  );
  return [...own, ...(node.children ?? []).flatMap((child) => undescribedParameters(child, here))];
}

test('every parameter of every documented function and method has a description', () => {
  assert.equal(run.status, 0, 'TypeDoc failed: see the test above');
  const project = JSON.parse(readFileSync(join(scratch, 'api.json'), 'utf8')) as Reflection;
  assert.deepEqual(undescribedParameters(project, ''), [], 'these parameters need an @param description');
});

test('docs/api is what TypeDoc generates from the comments now (else run `npm run docs`)', () => {
  assert.equal(run.status, 0, 'TypeDoc failed: see the test above');
  const files = filesBelow(generated);
  assert.deepEqual(filesBelow(committed), files, 'docs/api holds other pages than TypeDoc generates: run `npm run docs`');
  const stale = files.filter((file) => readFileSync(join(generated, file), 'utf8') !== readFileSync(join(committed, file), 'utf8'));
  assert.deepEqual(stale, [], 'these pages of docs/api are out of date: run `npm run docs`');
});

/** The ```js examples of the committed pages, each with the page it is on. */
function examples(): { page: string; code: string }[] {
  return filesBelow(committed).flatMap((page) =>
    [...readFileSync(join(committed, page), 'utf8').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => ({ page, code: m[1]! })),
  );
}

test('the reference has examples', () => {
  assert.ok(examples().length >= 20, `expected at least 20 examples, found ${examples().length}`);
});

examples().forEach(({ page, code }, i) => {
  const firstLine = code.split('\n').find((line) => line.trim() !== '' && !line.startsWith('import')) ?? '';
  test(`example ${i + 1} of ${page} prints what it says (${firstLine.trim().slice(0, 50)})`, () => {
    const expected = [...code.matchAll(/^\s*\/\/ prints: (.*)$/gm)].map((m) => m[1]!);
    assert.ok(expected.length > 0, 'every example states what it prints');
    // Inside the repository, so that 'tensor-pooling' resolves to the build as it does for a user.
    const dir = join(packageDir, 'build', 'examples');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, code);
    const result = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.equal(result.status, 0, `the example failed:\n${result.stderr}`);
    assert.deepEqual(result.stdout.trimEnd().split('\n'), expected);
  });
});
