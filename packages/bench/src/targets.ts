/** Issue 16's targets, judged on one run's results (medians; ratios of contenders timed side by side). */
import type { BenchResults, CaseResult, ContenderResult } from './results.js';
import {
  hostPeer,
  ofRoof,
  oursOp,
  oursPoolInto,
  oursResident,
  residentPeer,
  speedUp,
  THREADS_NOISE,
  threadChoices,
  threadsSpeedUp,
  timed,
} from './select.js';
import { percent, times } from './format.js';

export interface Target {
  readonly text: string;
  /** Undefined where this run did not measure it (a case left out, a peer that failed). */
  readonly met: boolean | undefined;
  readonly detail: string;
}

/** Cases where the resident contest is judged against peers; A and G are judged against the roof. */
const RESIDENT_CASES = ['B', 'C', 'D', 'E', 'F', 'H', 'I'];
const ROOF_CASES = ['A', 'G'];
const DOOR_LIMIT = 1.1;

/** A target over cases: met when every case measured meets it; unmeasured cases are left out. */
function overCases(
  text: string,
  cases: readonly CaseResult[],
  value: (c: CaseResult) => number | undefined,
  meets: (v: number) => boolean,
  show: (v: number | undefined) => string,
): Target {
  const known = cases.map((c) => ({ id: c.id, v: value(c) })).filter((x) => x.v !== undefined && !Number.isNaN(x.v));
  return {
    text,
    met: known.length ? known.every((x) => meets(x.v!)) : undefined,
    detail: known.map((x) => `${x.id} ${meets(x.v!) ? '' : '**'}${show(x.v)}${meets(x.v!) ? '' : '**'}`).join(', ') || 'no case measured',
  };
}

function worstDoors(results: BenchResults): Target {
  const slow: string[] = [];
  let measured = 0;
  let worst = 0;
  for (const c of results.cases) {
    for (const d of c.doors) {
      if (!d.doorTiming || !d.ownTiming) continue;
      measured++;
      const r = d.doorTiming.medianMs / d.ownTiming.medianMs;
      worst = Math.max(worst, r);
      if (r > DOOR_LIMIT) slow.push(`${c.id} ${d.door} ${times(r)}`);
    }
  }
  return {
    text: `every public door (runOnnxNode, torch.*, keras.*, tfjs.*) within ${((DOOR_LIMIT - 1) * 100).toFixed(0)}% of the library's own op`,
    met: measured ? slow.length === 0 : undefined,
    detail: measured ? (slow.length ? `over: ${slow.join(', ')}` : `worst ${times(worst)} of the own op's time`) : 'no door measured',
  };
}

function threadsNeverSlower(results: BenchResults): Target {
  const slower: string[] = [];
  let measured = 0;
  for (const choice of threadChoices(results)) {
    for (const c of results.cases) {
      const s = threadsSpeedUp(c, choice.labels);
      if (s === undefined) continue;
      measured++;
      if (s < 1 / THREADS_NOISE) slower.push(`${c.id} ${choice.name} ${times(s)}`);
    }
  }
  return {
    text: `\`threads: 2\` never slower than one thread beyond ${((THREADS_NOISE - 1) * 100).toFixed(0)}%, for every backend choice (host arrays and resident)`,
    met: measured ? slower.length === 0 : undefined,
    detail: measured ? (slower.length ? `slower: ${slower.join(', ')}` : 'none slower') : 'not measured',
  };
}

function perCall(text: string, k: ContenderResult | undefined): Target {
  const ms = k?.medianMs;
  return { text, met: ms === undefined ? undefined : ms < 0.005, detail: ms === undefined ? '—' : `${(ms * 1000).toFixed(1)} µs` };
}

export function targets(results: BenchResults): Target[] {
  const cases = results.cases;
  const pick = (ids: readonly string[]) => cases.filter((c) => ids.includes(c.id));
  const list: Target[] = [];
  for (const threads of [1, 2]) {
    list.push(overCases(
      `resident tensors, ${threads} thread${threads > 1 ? 's' : ''}: at least 1.5x the fastest peer at its best on ${RESIDENT_CASES.join(', ')}`,
      pick(RESIDENT_CASES), (c) => speedUp(residentPeer(c, threads), oursResident(c, threads)), (v) => v >= 1.5, times,
    ));
  }
  list.push(overCases('resident tensors: A and G at 85% or more of the 1-thread read roof', pick(ROOF_CASES),
    (c) => ofRoof(results, c, oursResident(c, 1), 1), (v) => v >= 0.85, percent));
  list.push(overCases('resident tensors: G at 75% or more of the 2-thread read roof', pick(['G']),
    (c) => ofRoof(results, c, oursResident(c, 2), 2), (v) => v >= 0.75, percent));
  for (const [output, ours] of [['fresh output (the op)', oursOp], ['output passed (poolInto)', oursPoolInto]] as const) {
    for (const threads of [1, 2]) {
      list.push(overCases(
        `host arrays, ${output}, ${threads} thread${threads > 1 ? 's' : ''}: at least 1.5x onnxruntime-web on every case`,
        cases, (c) => speedUp(hostPeer(c, threads), ours(c, threads)), (v) => v >= 1.5, times,
      ));
    }
  }
  list.push(worstDoors(results));
  list.push(threadsNeverSlower(results));
  list.push(overCases('E at least 20x onnxruntime-node with 1 thread (host arrays, onnxruntime-node at its best)', pick(['E']),
    (c) => speedUp(timed(c, 'onnxruntime-node 1t'), oursOp(c, 1)), (v) => v >= 20, times));
  const h = cases.find((c) => c.id === 'H');
  list.push(perCall('H under 5 µs per call, host arrays', h && oursOp(h, 1)));
  list.push(perCall('H under 5 µs per call, resident tensors', h && oursResident(h, 1)));
  const ours = results.accuracy.rows.filter((row) => row.label.startsWith('ours'));
  const worst = Math.max(...ours.map((row) => row.float32Ulps));
  list.push({ text: 'accuracy probe within 1 ulp of the exact mean', met: ours.length ? worst <= 1 : undefined, detail: `worst of ours ${worst.toFixed(2)} ulp` });
  const simd = results.host.simd;
  list.push({
    text: "the report names the host's SIMD features",
    met: simd !== undefined,
    detail: `${simd?.length ? simd.join(', ') : 'no SIMD flags found'}; WebAssembly SIMD ${results.host.wasmSimd ? 'runs' : 'does not run'}`,
  });
  return list;
}
