/** docs/bench-chart.svg: each contender's speed against the peer its contest is judged against. */
import { opLabel, poolIntoLabel, residentLabel, type BenchResults, type CaseResult, type Contest } from './results.js';
import { hostPeer, residentPeer, timed } from './select.js';

const CHART_SERIES: readonly { readonly label: string; readonly contest: Contest; readonly colour: string }[] = [
  { label: opLabel('auto', 1), contest: 'host', colour: '#1b7f3b' },
  { label: opLabel('auto', 2), contest: 'host', colour: '#5cc27a' },
  { label: poolIntoLabel(1), contest: 'host', colour: '#2f6f4f' },
  { label: 'onnxruntime-web 1t', contest: 'host', colour: '#6a3d9a' },
  { label: 'onnxruntime-web 2t', contest: 'host', colour: '#b294d6' },
  { label: 'onnxruntime-node 1t', contest: 'host', colour: '#1f5fa8' },
  { label: 'onnxruntime-node 2t', contest: 'host', colour: '#7fa8d8' },
  { label: 'tfjs-wasm', contest: 'host', colour: '#e8a06f' },
  { label: residentLabel(1), contest: 'resident', colour: '#0b4a22' },
  { label: residentLabel(2), contest: 'resident', colour: '#3f8f5a' },
  { label: 'onnxruntime-node 1t, output preallocated', contest: 'resident', colour: '#143f70' },
  { label: 'onnxruntime-node 2t, output preallocated', contest: 'resident', colour: '#4a78b0' },
  { label: 'tfjs-wasm, result left in the backend', contest: 'resident', colour: '#9c4a17' },
];
const LEGEND_PER_ROW = 4;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Host arrays against onnxruntime-web's best; resident tensors against the fastest resident peer. */
function yardstick(c: CaseResult, contest: Contest) {
  return contest === 'host' ? hostPeer(c, Infinity) : residentPeer(c, Infinity);
}

/** Horizontal bars on a log scale; right of the 1x line is faster than the yardstick. */
export function renderChart(results: BenchResults): string {
  const rowHeight = 11;
  const caseGap = 14;
  const left = 250;
  const width = 900;
  const plotWidth = width - left - 30;
  const caseHeight = CHART_SERIES.length * rowHeight + caseGap;
  const legendRows = Math.ceil(CHART_SERIES.length / LEGEND_PER_ROW);
  const top = 36 + legendRows * 16;
  const height = top + results.cases.length * caseHeight + 40;
  const speeds = results.cases.flatMap((c) =>
    CHART_SERIES.map(({ label, contest }) => {
      const best = yardstick(c, contest);
      const k = timed(c, label);
      return best && k ? best.medianMs! / k.medianMs! : undefined;
    }),
  );
  const logs = speeds.filter((s): s is number => s !== undefined).map(Math.log2);
  const lo = Math.floor(Math.min(-1, ...logs));
  const hi = Math.ceil(Math.max(1, ...logs));
  const x = (log2: number) => left + ((log2 - lo) / (hi - lo)) * plotWidth;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="10" y="18" font-size="14">Speed over onnxruntime-web (host arrays) or the fastest resident peer (resident), log scale</text>`);
  CHART_SERIES.forEach(({ label, contest, colour }, i) => {
    const lx = 10 + (i % LEGEND_PER_ROW) * 222;
    const ly = 28 + Math.floor(i / LEGEND_PER_ROW) * 16;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${colour}"/>`);
    parts.push(`<text x="${lx + 14}" y="${ly + 9}">${escapeXml(`${label}${contest === 'resident' && !label.includes(',') ? ' (resident)' : ''}`)}</text>`);
  });
  for (let p = lo; p <= hi; p++) {
    const at = x(p);
    parts.push(`<line x1="${at}" y1="${top}" x2="${at}" y2="${height - 30}" stroke="${p === 0 ? '#000' : '#ddd'}"/>`);
    const label = p >= 0 ? `${2 ** p}x` : `1/${2 ** -p}`;
    parts.push(`<text x="${at}" y="${height - 16}" text-anchor="middle">${label}</text>`);
  }
  results.cases.forEach((c, ci) => {
    const y0 = top + ci * caseHeight;
    const name = `${c.id}: ${c.title}`;
    const shown = name.length > 40 ? `${name.slice(0, 39)}…` : name;
    parts.push(`<text x="10" y="${y0 + (CHART_SERIES.length * rowHeight) / 2 + 4}">${escapeXml(shown)}</text>`);
    CHART_SERIES.forEach(({ label, colour }, si) => {
      const speed = speeds[ci * CHART_SERIES.length + si];
      if (speed === undefined) return;
      const from = x(0);
      const to = x(Math.log2(speed));
      parts.push(
        `<rect x="${Math.min(from, to).toFixed(1)}" y="${y0 + si * rowHeight}" width="${Math.max(1, Math.abs(to - from)).toFixed(1)}" ` +
          `height="${rowHeight - 2}" fill="${colour}"><title>${escapeXml(`${c.id} ${label}: ${speed.toFixed(2)}x`)}</title></rect>`,
      );
    });
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
