/**
 * `npm run fuzz`: the long fuzz run, and replays of single calls.
 *
 *   npm run fuzz                                   600 s over every library and CLI door
 *   npm run fuzz -- --seconds 60 --seed 42         shorter, from a chosen seed
 *   npm run fuzz -- --door avgPool,torch.avgPool2d only these doors (--door cli: the CLI alone)
 *   npm run fuzz -- --library | --cli              one half only
 *   npm run fuzz -- --door avgPool --seed S --path P [--shrink]
 *                                                  replay one call from a report (and shrink it)
 *   npm run fuzz -- --door avgPool --bomb B        replay one of a door's resource bombs
 *   npm run fuzz -- --cli --seed S --path P        replay one CLI call
 *
 * Ends with "N passed, M failed" and the defects grouped by door and class; exits 1 on defects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { killChildren } from './children.js';
import { DEFAULT_CLI_LIMITS, cliCallAt, cliReplay, fuzzCli, makeFixtures, renderCliCall, runCliCall } from './cli-fuzz.js';
import { DOORS, doorNamed } from './doors.js';
import type { CallRecord } from './outcome.js';
import { libraryReplay, renderReport } from './report.js';
import { DEFAULT_LIMITS, fuzzLibrary, replay } from './runner.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    seed: { type: 'string' },
    door: { type: 'string' },
    path: { type: 'string' },
    bomb: { type: 'string' },
    shrink: { type: 'boolean', default: false },
    cli: { type: 'boolean', default: false },
    library: { type: 'boolean', default: false },
    'call-ms': { type: 'string' },
    'memory-mb': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

function number(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number; got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const limits = {
  callMs: number('call-ms', values['call-ms'], DEFAULT_LIMITS.callMs),
  memoryBytes: number('memory-mb', values['memory-mb'], DEFAULT_LIMITS.memoryBytes / 2 ** 20) * 2 ** 20,
};
const cliLimits = { ...DEFAULT_CLI_LIMITS, ...(values['memory-mb'] ? { memoryBytes: limits.memoryBytes } : {}) };

async function replayOne(): Promise<number> {
  const seed = number('seed', values.seed, 0);
  const path = number('path', values.path, 0);
  if (values.cli || values.door === 'cli') {
    const call = cliCallAt(seed, path);
    const fixtures = mkdtempSync(join(tmpdir(), 'tensor-pooling-fuzz-fixtures-'));
    try {
      await makeFixtures(fixtures);
      const { outcome, ms } = await runCliCall(call, fixtures, cliLimits);
      console.log(renderCliCall(call));
      console.log(`mutation: ${call.mutation}`);
      console.log(`${outcome.cls}${outcome.cls === 'defect' ? ` ${outcome.kind}: ${outcome.detail}` : outcome.cls === 'coded' ? ` ${outcome.code}` : ''} (${ms.toFixed(0)} ms)`);
      return outcome.cls === 'defect' ? 1 : 0;
    } finally {
      rmSync(fixtures, { recursive: true, force: true });
    }
  }
  const door = doorNamed(values.door ?? '');
  if (!door) {
    console.error(`--door must name one door to replay; got ${JSON.stringify(values.door)}. Doors: ${DOORS.map((d) => d.name).join(', ')}`);
    return 2;
  }
  const bomb = values.bomb === undefined ? undefined : number('bomb', values.bomb, 0);
  if (bomb !== undefined && door.bombs?.[bomb] === undefined) {
    console.error(`${door.name} has ${door.bombs?.length ?? 0} resource bombs; there is no bomb ${bomb}`);
    return 2;
  }
  const { record, shrunk } = await replay(door, seed, path, limits, values.shrink === true, bomb);
  const o = record.outcome;
  console.log(record.rendered);
  console.log(`mode: ${record.mode}; mutation: ${record.mutation}`);
  console.log(`${o.cls}${o.cls === 'defect' ? ` ${o.kind}: ${o.detail}` : o.cls === 'coded' ? ` ${o.code}` : ''} (${record.ms.toFixed(0)} ms)`);
  if (shrunk) console.log(`shrunk: ${shrunk}`);
  return o.cls === 'defect' ? 1 : 0;
}

async function fuzz(): Promise<number> {
  const seconds = number('seconds', values.seconds, 600);
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : number('seed', values.seed, 0);
  const names = values.door?.split(',').filter((n) => n !== '' && n !== 'cli');
  const doors = names && names.length > 0 ? names.map((n) => doorNamed(n) ?? (console.error(`unknown door ${n}`), process.exit(2))) : DOORS;
  const runLibrary = !values.cli && values.door !== 'cli';
  const runCli = !values.library && (values.cli || names === undefined || values.door?.split(',').includes('cli') === true);
  console.log(`fuzz: seed ${seed}, ${seconds} s, ${runLibrary ? `${doors.length} library doors` : 'no library doors'}${runCli ? ' and the CLI' : ''}`);

  const start = performance.now();
  const librarySeconds = runLibrary && runCli ? seconds * 0.7 : runLibrary ? seconds : 0;
  let seen = 0;
  let failed = 0;
  let lastProgress = start;
  const onRecord = (record: CallRecord) => {
    seen++;
    if (record.outcome.cls === 'defect') failed++;
    if (values.verbose) console.log(`${record.door} ${record.mode} ${record.outcome.cls}${record.outcome.cls === 'defect' ? ` ${record.outcome.kind}` : ''} ${record.ms.toFixed(0)} ms`);
    else if (performance.now() - lastProgress > 15_000) {
      lastProgress = performance.now();
      console.log(`  ${((lastProgress - start) / 1000).toFixed(0)} s: ${seen} calls, ${failed} defects`);
    }
  };
  const library = runLibrary
    ? await fuzzLibrary({ doors, bombs: 'first', seeds: [seed], callsPerDoor: 4, openEnded: seed + 1, deadline: start + librarySeconds * 1000, limits, onRecord })
    : { records: [] as CallRecord[] };
  const cli = runCli ? await fuzzCli({ seeds: [seed], callsPerSeed: 40, openEnded: seed + 1, deadline: start + seconds * 1000, limits: cliLimits, onRecord }) : { records: [] as CallRecord[] };

  console.log(`\nfuzz seed ${seed}, ${((performance.now() - start) / 1000).toFixed(0)} s:`);
  console.log(
    renderReport([
      { title: 'Library doors', records: library.records, replay: libraryReplay },
      { title: 'CLI commands', records: cli.records, replay: cliReplay },
    ]),
  );
  return [...library.records, ...cli.records].some((r) => r.outcome.cls === 'defect') ? 1 : 0;
}

try {
  process.exitCode = values.path !== undefined || values.bomb !== undefined ? await replayOne() : await fuzz();
} finally {
  killChildren();
}
