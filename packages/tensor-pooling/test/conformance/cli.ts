/**
 * `npm run conformance -- <folder>`: runs every conformance vector under the folder (default
 * test/fixtures/conformance), prints each failure with its name and largest error, and ends with
 * `N passed, M failed`; the exit code is 1 on any failure.
 */
import { existsSync } from 'node:fs';
import { runConformance } from './runner.js';

const folder = process.argv[2] ?? 'test/fixtures/conformance';
if (!existsSync(folder)) {
  console.error(`conformance: no such folder ${folder}`);
  process.exit(2);
}
const results = runConformance(folder);
for (const r of results) {
  if (!r.passed) console.log(`FAIL ${r.name} (${r.file}, ${r.kind}): largest error ${r.maxError}; ${r.message ?? ''}`);
}
const failed = results.filter((r) => !r.passed).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
