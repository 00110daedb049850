/**
 * Small, dependency-free SVG charts for the study's report: readable on GitHub and in any browser
 * without running anything.
 */

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly yMin: number;
  readonly yMax: number;
  readonly series: readonly Series[];
}

export function lineChart(chart: LineChart): string {
  const width = 640;
  const height = 380;
  const left = 60;
  const right = 190;
  const top = 40;
  const bottom = 50;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const xs = chart.series.flatMap((s) => s.points.map(([x]) => x));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs, xMin + 1);
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * plotWidth;
  const py = (y: number) => top + (1 - (y - chart.yMin) / (chart.yMax - chart.yMin)) * plotHeight;
  const body: string[] = [text(left, 24, chart.title, 'font-size="15" font-weight="600"')];
  for (let i = 0; i <= 5; i++) {
    const y = chart.yMin + ((chart.yMax - chart.yMin) * i) / 5;
    body.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    body.push(text(left - 8, py(y) + 4, y.toFixed(2), 'text-anchor="end" fill="#555"'));
  }
  for (let x = Math.ceil(xMin); x <= xMax; x++) {
    body.push(text(px(x), top + plotHeight + 18, String(x), 'text-anchor="middle" fill="#555"'));
  }
  body.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`);
  body.push(text(left + plotWidth / 2, height - 10, chart.xLabel, 'text-anchor="middle"'));
  body.push(text(16, top + plotHeight / 2, chart.yLabel, `text-anchor="middle" transform="rotate(-90 16 ${top + plotHeight / 2})"`));
  chart.series.forEach((s, index) => {
    const path = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    body.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [x, y] of s.points) body.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const legendY = top + 10 + index * 22;
    body.push(`<line x1="${width - right + 16}" x2="${width - right + 44}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    body.push(text(width - right + 50, legendY + 4, s.name));
  });
  return svgDocument(width, height, body);
}

export interface Bar {
  readonly label: string;
  /** Undefined draws no bar and shows `note` instead (e.g. "refused"). */
  readonly value?: number;
  readonly color: string;
  readonly note?: string;
}

export interface BarChart {
  readonly title: string;
  readonly bars: readonly Bar[];
  readonly format: (value: number) => string;
  /** The value that spans the whole width; defaults to the largest bar. */
  readonly scaleMax?: number;
}

/** Horizontal bars, one per row, with the value written after each bar. */
export function barChart(chart: BarChart): string {
  const width = 720;
  const labelWidth = 250;
  const row = 28;
  const top = 44;
  const barArea = width - labelWidth - 150;
  const height = top + chart.bars.length * row + 16;
  const largest = chart.scaleMax ?? Math.max(...chart.bars.map((b) => b.value ?? 0), Number.MIN_VALUE);
  const body: string[] = [text(16, 26, chart.title, 'font-size="15" font-weight="600"')];
  chart.bars.forEach((bar, i) => {
    const y = top + i * row;
    body.push(text(labelWidth - 10, y + 15, bar.label, 'text-anchor="end"'));
    if (bar.value === undefined) {
      body.push(text(labelWidth, y + 15, bar.note ?? '', 'fill="#b00020" font-style="italic"'));
      return;
    }
    // A visible sliver even for bars far below the largest, so a tiny value is not mistaken for none.
    const length = Math.max(2, (bar.value / largest) * barArea);
    body.push(`<rect x="${labelWidth}" y="${y + 3}" width="${length.toFixed(1)}" height="${row - 8}" fill="${bar.color}"/>`);
    const note = bar.note ? `  ${bar.note}` : '';
    body.push(text(labelWidth + length + 6, y + 15, `${chart.format(bar.value)}${note}`, 'fill="#333"'));
  });
  return svgDocument(width, height, body);
}

export interface HeatTile {
  readonly caption: string;
  /** Grey levels in 0..1, row-major, `size` x `size`. */
  readonly pixels: readonly number[];
  readonly size: number;
  /** The map to overlay, row-major, stretched over the whole tile. */
  readonly heat: readonly number[];
  readonly heatSize: readonly [number, number];
}

/** Tiles of a digit under its heat map: red where the map is high, transparent where it is at its lowest. */
export function heatTiles(title: string, tiles: readonly HeatTile[], tileSide = 112): string {
  const gap = 18;
  const perRow = Math.min(6, tiles.length);
  const rows = Math.ceil(tiles.length / perRow);
  const width = gap + perRow * (tileSide + gap);
  const height = 40 + rows * (tileSide + 40);
  const body: string[] = [text(gap, 26, title, 'font-size="15" font-weight="600"')];
  tiles.forEach((tile, index) => {
    const x0 = gap + (index % perRow) * (tileSide + gap);
    const y0 = 40 + Math.floor(index / perRow) * (tileSide + 40);
    const pixel = tileSide / tile.size;
    body.push(`<g transform="translate(${x0} ${y0})">`);
    body.push(`<rect width="${tileSide}" height="${tileSide}" fill="#000"/>`);
    tile.pixels.forEach((value, p) => {
      // Quantised grey keeps the file small; background pixels draw nothing on the black tile.
      const level = Math.round(value * 8) / 8;
      if (level <= 0) return;
      const grey = Math.round(level * 255);
      const x = (p % tile.size) * pixel;
      const y = Math.floor(p / tile.size) * pixel;
      body.push(`<rect x="${x.toFixed(2)}" y="${y.toFixed(2)}" width="${pixel.toFixed(2)}" height="${pixel.toFixed(2)}" fill="rgb(${grey},${grey},${grey})"/>`);
    });
    const [heatRows, heatCols] = tile.heatSize;
    const low = Math.min(...tile.heat);
    const high = Math.max(...tile.heat);
    const span = high - low || 1;
    tile.heat.forEach((value, p) => {
      const strength = (value - low) / span;
      if (strength < 0.05) return;
      const cellWidth = tileSide / heatCols;
      const cellHeight = tileSide / heatRows;
      body.push(
        `<rect x="${((p % heatCols) * cellWidth).toFixed(2)}" y="${(Math.floor(p / heatCols) * cellHeight).toFixed(2)}" ` +
          `width="${cellWidth.toFixed(2)}" height="${cellHeight.toFixed(2)}" fill="#ff2a00" fill-opacity="${(0.6 * strength).toFixed(2)}"/>`,
      );
    });
    body.push(text(0, tileSide + 16, tile.caption, 'font-size="11"'));
    body.push('</g>');
  });
  return svgDocument(width, height, body);
}
