/**
 * Charts as SVG text, for a report that must stand alone (Node has no canvas, and the report
 * carries no script): a line chart with error bars (accuracy against epsilon) and a grouped bar
 * chart with error bars (CKA per configuration). Pure: data in, a string out.
 */

export interface LinePoint {
  x: number;
  y: number;
  /** Half the error bar's height (a standard deviation); none for a single seed. */
  err?: number | null;
}

export interface LineSeries {
  name: string;
  points: LinePoint[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** The y range when it is known in advance (accuracy in %: 0..100). */
  yDomain?: [number, number];
}

export interface BarGroup {
  label: string;
  /** One value per bar series, in the order of `series`; null where the group has none. */
  values: Array<{ value: number; err?: number | null } | null>;
}

export interface BarChart {
  title: string;
  yLabel: string;
  series: string[];
  groups: BarGroup[];
  yDomain?: [number, number];
}

/** Ten colours that stay apart on white (Tableau 10); after ten, lines repeat them dashed. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export const colorOf = (i: number) => PALETTE[i % PALETTE.length];
const dashOf = (i: number) => DASHES[Math.floor(i / PALETTE.length) % DASHES.length];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten, about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(lo / step + 1e-9) * step;
  const ticks: number[] = [];
  for (let t = first; t <= hi + step * 1e-9 || ticks.length < 2; t += step) ticks.push(+t.toFixed(12));
  if (ticks[ticks.length - 1] < hi - step * 1e-9) ticks.push(+(ticks[ticks.length - 1] + step).toFixed(12));
  return ticks;
}

/** A tick's text: no more decimals than its step needs. */
function tickText(t: number, ticks: number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  return t.toFixed(decimals);
}

/** Wide enough for a legend of labels such as `gacd teacher_input=adversarial` right of the plot. */
const W = 760;
const PLOT = { left: 56, top: 34, width: 440, height: 240 };
const H = PLOT.top + PLOT.height + 48;
const fmt = (v: number) => +v.toFixed(2);

function frame(title: string, inner: string[], height = H): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${height}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    ...inner,
    '</svg>',
  ].join('\n');
}

/** The y axis with its grid lines and ticks, and the axis' label. */
function yAxis(ticks: number[], y: (v: number) => number, label: string): string[] {
  const out = ticks.map(
    (t) =>
      `<g class="tick y"><line x1="${PLOT.left}" x2="${PLOT.left + PLOT.width}" y1="${fmt(y(t))}" y2="${fmt(y(t))}" stroke="#e5e5e5"/>` +
      `<text x="${PLOT.left - 6}" y="${fmt(y(t) + 4)}" text-anchor="end">${tickText(t, ticks)}</text></g>`,
  );
  const cy = PLOT.top + PLOT.height / 2;
  out.push(`<text x="14" y="${cy}" text-anchor="middle" transform="rotate(-90 14 ${cy})">${escapeXml(label)}</text>`);
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.left}" y1="${PLOT.top}" y2="${PLOT.top + PLOT.height}" stroke="#333"/>`);
  out.push(`<line x1="${PLOT.left}" x2="${PLOT.left + PLOT.width}" y1="${PLOT.top + PLOT.height}" y2="${PLOT.top + PLOT.height}" stroke="#333"/>`);
  return out;
}

/** The legend right of the plot, one line per series (a line or a box of its colour). */
function legend(names: string[], mark: (i: number, x: number, y: number) => string): string[] {
  const x = PLOT.left + PLOT.width + 16;
  return names.map((name, i) => {
    const y = PLOT.top + 6 + i * 16;
    return `<g class="legend">${mark(i, x, y)}<text x="${x + 24}" y="${y + 4}">${escapeXml(name)}</text></g>`;
  });
}

/** The height a chart needs for its legend (at least the plot's). */
const heightFor = (entries: number) => Math.max(H, PLOT.top + 16 * entries + 20);

function domainOf(values: number[], given?: [number, number]): [number, number] {
  if (given) return given;
  if (values.length === 0) return [0, 1];
  return [Math.min(...values), Math.max(...values)];
}

export function lineChart(c: LineChart): string {
  const all = c.series.flatMap((s) => s.points);
  const xs = niceTicks(...domainOf(all.map((p) => p.x)));
  const ys = niceTicks(...domainOf(all.flatMap((p) => [p.y - (p.err ?? 0), p.y + (p.err ?? 0)]), c.yDomain));
  const [x0, x1] = [xs[0], xs[xs.length - 1]];
  const [y0, y1] = [ys[0], ys[ys.length - 1]];
  const x = (v: number) => PLOT.left + ((v - x0) / (x1 - x0 || 1)) * PLOT.width;
  const y = (v: number) => PLOT.top + PLOT.height - ((v - y0) / (y1 - y0 || 1)) * PLOT.height;
  const inner = yAxis(ys, y, c.yLabel);
  for (const t of xs) {
    inner.push(
      `<g class="tick x"><line x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${PLOT.top + PLOT.height}" y2="${PLOT.top + PLOT.height + 4}" stroke="#333"/>` +
        `<text x="${fmt(x(t))}" y="${PLOT.top + PLOT.height + 16}" text-anchor="middle">${tickText(t, xs)}</text></g>`,
    );
  }
  inner.push(`<text x="${PLOT.left + PLOT.width / 2}" y="${PLOT.top + PLOT.height + 36}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`);
  c.series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const dash = dashOf(i) ? ` stroke-dasharray="${dashOf(i)}"` : '';
    const parts = [`<g class="series" data-name="${escapeXml(s.name)}">`, `<title>${escapeXml(s.name)}</title>`];
    parts.push(`<polyline fill="none" stroke="${colorOf(i)}" stroke-width="2"${dash} points="${pts.map((p) => `${fmt(x(p.x))},${fmt(y(p.y))}`).join(' ')}"/>`);
    for (const p of pts) {
      if (p.err) parts.push(`<line x1="${fmt(x(p.x))}" x2="${fmt(x(p.x))}" y1="${fmt(y(p.y - p.err))}" y2="${fmt(y(p.y + p.err))}" stroke="${colorOf(i)}"/>`);
      parts.push(`<circle cx="${fmt(x(p.x))}" cy="${fmt(y(p.y))}" r="2.5" fill="${colorOf(i)}"/>`);
    }
    parts.push('</g>');
    inner.push(parts.join(''));
  });
  inner.push(
    ...legend(c.series.map((s) => s.name), (i, lx, ly) => {
      const dash = dashOf(i) ? ` stroke-dasharray="${dashOf(i)}"` : '';
      return `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${colorOf(i)}" stroke-width="2"${dash}/>`;
    }),
  );
  return frame(c.title, inner, heightFor(c.series.length));
}

export function barChart(c: BarChart): string {
  const cells = c.groups.flatMap((g) => g.values.filter((v): v is { value: number; err?: number | null } => v !== null));
  const ys = niceTicks(...domainOf([0, ...cells.flatMap((v) => [v.value - (v.err ?? 0), v.value + (v.err ?? 0)])], c.yDomain));
  const [y0, y1] = [ys[0], ys[ys.length - 1]];
  const y = (v: number) => PLOT.top + PLOT.height - ((v - y0) / (y1 - y0 || 1)) * PLOT.height;
  const inner = yAxis(ys, y, c.yLabel);
  const groupWidth = PLOT.width / Math.max(1, c.groups.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, c.series.length);
  c.groups.forEach((g, gi) => {
    const left = PLOT.left + gi * groupWidth + groupWidth * 0.1;
    const cx = PLOT.left + (gi + 0.5) * groupWidth;
    const ly = PLOT.top + PLOT.height + 8;
    // Group labels run downwards, so that many configurations with long names stay legible.
    inner.push(`<text class="group" x="${fmt(cx + 4)}" y="${ly}" text-anchor="end" transform="rotate(-90 ${fmt(cx + 4)} ${ly})">${escapeXml(g.label)}</text>`);
    g.values.forEach((v, si) => {
      if (!v) return;
      const bx = left + si * barWidth;
      const top = y(Math.max(v.value, y0));
      const base = y(Math.max(0, y0));
      inner.push(
        `<rect class="bar" x="${fmt(bx)}" y="${fmt(Math.min(top, base))}" width="${fmt(barWidth * 0.92)}" height="${fmt(Math.abs(base - top))}" fill="${colorOf(si)}">` +
          `<title>${escapeXml(`${g.label}, ${c.series[si]}: ${v.value.toFixed(3)}${v.err ? ` ± ${v.err.toFixed(3)}` : ''}`)}</title></rect>`,
      );
      if (v.err) {
        const mx = fmt(bx + (barWidth * 0.92) / 2);
        inner.push(`<line x1="${mx}" x2="${mx}" y1="${fmt(y(v.value - v.err))}" y2="${fmt(y(v.value + v.err))}" stroke="#222"/>`);
      }
    });
  });
  inner.push(...legend(c.series, (i, lx, ly) => `<rect x="${lx}" y="${ly - 5}" width="18" height="10" fill="${colorOf(i)}"/>`));
  // Upright labels need room below the plot: about 6.5 px a character at this font size.
  const longest = Math.max(0, ...c.groups.map((g) => g.label.length));
  return frame(c.title, inner, Math.max(heightFor(c.series.length), PLOT.top + PLOT.height + 16 + Math.ceil(longest * 6.5)));
}
