/**
 * Chart.js, registered with only what the pages draw, themed from VS Code's CSS variables, with
 * animations off (a live run redraws often) and LTTB decimation on the long per-step series.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import { formatValue, tickText, tooltipLine, type Unit } from './units';

Chart.register(
  LineController,
  BarController,
  ScatterController,
  LineElement,
  BarElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  CategoryScale,
  Decimation,
  Filler,
  Legend,
  Tooltip,
);

export { Chart };

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

/** VS Code's chart colours (the same as its own charts use), then a few more. */
export function palette(): string[] {
  return [
    cssVar('--vscode-charts-blue', '#3794ff'),
    cssVar('--vscode-charts-orange', '#d18616'),
    cssVar('--vscode-charts-green', '#89d185'),
    cssVar('--vscode-charts-purple', '#b180d7'),
    cssVar('--vscode-charts-red', '#f14c4c'),
    cssVar('--vscode-charts-yellow', '#cca700'),
    '#4ec9b0',
    '#c586c0',
  ];
}

export function colour(i: number): string {
  const p = palette();
  return p[i % p.length];
}

/** `#rrggbb` (or any CSS colour chart.js accepts) at the given opacity. */
export function faint(c: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(c.trim());
  if (!m) return c;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function applyTheme(): void {
  Chart.defaults.color = cssVar('--vscode-foreground', '#cccccc');
  Chart.defaults.borderColor = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.35)');
  Chart.defaults.font.family = cssVar('--vscode-font-family', 'sans-serif');
  Chart.defaults.font.size = 11;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
}

export type XYDataset = ChartDataset<'line', Array<{ x: number; y: number }>>;

export interface LineChartOptions {
  xTitle: string;
  yTitle: string;
  /** Decimate long series (the per-step loss). */
  decimate?: boolean;
  yMin?: number;
  yMax?: number;
  logY?: boolean;
  /** The axes' units, for ticks and tooltips (an accuracy in %, not 0.739). x: from the title by default. */
  xUnit?: Unit;
  yUnit?: Unit;
}

function unitOfTitle(title: string): Unit {
  return title === 'epoch' || title === 'step' || title === 'epsilon' ? title : 'number';
}

/** A line chart on a linear x axis, with pre-parsed {x, y} points (parsing off, as decimation needs). */
export function lineChart(canvas: HTMLCanvasElement, o: LineChartOptions): Chart<'line', Array<{ x: number; y: number }>> {
  const xUnit = o.xUnit ?? unitOfTitle(o.xTitle);
  const yUnit = o.yUnit ?? 'number';
  const config: ChartConfiguration<'line', Array<{ x: number; y: number }>> = {
    type: 'line',
    data: { datasets: [] },
    options: {
      parsing: false,
      normalized: true,
      animation: false,
      spanGaps: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.5 } },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: o.xTitle },
          ticks: { ...(xUnit === 'epoch' || xUnit === 'step' ? { precision: 0 } : {}), callback: (v) => tickText(xUnit, Number(v)) },
        },
        y: { type: o.logY ? 'logarithmic' : 'linear', min: o.yMin, max: o.yMax, title: { display: true, text: o.yTitle }, ticks: { callback: (v) => tickText(yUnit, Number(v)) } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 10, filter: (item) => !String(item.text).endsWith(' (raw)') } },
        decimation: { enabled: o.decimate ?? false, algorithm: 'lttb', samples: 400, threshold: 800 },
        tooltip: {
          enabled: true,
          callbacks: {
            title: (items) => (items.length ? formatValue(xUnit, items[0].parsed.x ?? NaN) : ''),
            label: (item) => tooltipLine(item.dataset.label ?? '', yUnit, item.parsed.y ?? NaN),
          },
        },
      },
    },
  };
  return new Chart(canvas, config);
}
