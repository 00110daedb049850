/**
 * The bounded fuzz run of `npm test` (about a minute): every library door with a fixed seed and
 * then one random seed (printed; FUZZ_SEED=<n> repeats it), every door's resource bombs, more
 * fixed seeds while time is left; then the CLI the same way. Fails on any defect; `npm run fuzz`
 * runs the same doors for longer.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { killChildren } from './children.js';
import { fuzzCli, cliReplay } from './cli-fuzz.js';
import { DOORS, functionExports } from './doors.js';
import type { CallRecord } from './outcome.js';
import { libraryReplay, renderReport } from './report.js';
import { fuzzLibrary } from './runner.js';

const FIXED_SEED = 20_261_202;
/** Where the fixed seeds continue once the first two rounds are done. */
const MORE_SEEDS = 4_242;
const LIBRARY_SECONDS = 40;
const CLI_SECONDS = 20;

test('every exported function of tensor-pooling and tensor-pooling/tfjs has a door', async () => {
  const index = (await import('tensor-pooling')) as unknown as Record<string, unknown>;
  const entry = (await import('tensor-pooling/tfjs')) as unknown as Record<string, unknown>;
  const exported = [...functionExports(index), ...functionExports(entry, 'tfjs/')];
  const doors = new Set(DOORS.map((d) => d.name));
  const missing = exported.filter((name) => !doors.has(name));
  assert.deepEqual(missing, [], `exports without a door in test/fuzz/doors.ts: ${missing.join(', ')}`);
  const stale = [...doors].filter((name) => !exported.includes(name));
  assert.deepEqual(stale, [], `doors for functions that are no longer exported: ${stale.join(', ')}`);
});

test('fuzz: hostile calls get a coded PoolingError or a right result; the CLI keeps its promises', { timeout: 10 * 60_000 }, async (t) => {
  const random = process.env['FUZZ_SEED'] === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env['FUZZ_SEED']);
  const seeds = `fuzz seeds: fixed ${FIXED_SEED}, random ${random} (FUZZ_SEED=${random} repeats it), then ${MORE_SEEDS}, ${MORE_SEEDS + 1}, ...`;
  t.diagnostic(seeds);
  console.log(seeds);
  const start = performance.now();
  let library: CallRecord[] = [];
  let cli: CallRecord[] = [];
  try {
    library = (
      await fuzzLibrary({
        doors: DOORS,
        bombs: 'after-seeds',
        seeds: [FIXED_SEED, random],
        callsPerDoor: 1,
        openEnded: MORE_SEEDS,
        deadline: start + LIBRARY_SECONDS * 1000,
        limits: { callMs: 1500, memoryBytes: 512 * 2 ** 20 },
      })
    ).records;
    cli = (
      await fuzzCli({
        seeds: [FIXED_SEED, random],
        callsPerSeed: 6,
        openEnded: MORE_SEEDS,
        deadline: performance.now() + CLI_SECONDS * 1000,
        limits: { callMs: 10_000, memoryBytes: 768 * 2 ** 20 },
      })
    ).records;
  } finally {
    killChildren();
  }
  console.log(
    renderReport([
      { title: 'Library doors', records: library, replay: libraryReplay },
      { title: 'CLI commands', records: cli, replay: cliReplay },
    ]),
  );
  const calledDoors = new Set(library.map((r) => r.door));
  assert.equal(calledDoors.size, DOORS.length, `only ${calledDoors.size} of ${DOORS.length} doors were called in ${LIBRARY_SECONDS} s`);
  const failed = [...library, ...cli].filter((r) => r.outcome.cls === 'defect').length;
  assert.equal(failed, 0, `the fuzzer found ${failed} defects (report above)`);
});
