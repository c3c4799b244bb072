/**
 * The comparison page: several runs' curves overlaid (each run under its label), and a table of
 * robust accuracies beside only the settings that differ, with a model that several runs share
 * shown once and each column's best contender in bold, exportable as CSV, Markdown and LaTeX;
 * each chart as a PNG at twice its size with its title and legend.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { ExportFormat, HostMessage } from '../../src/protocol/webview';
import { applyTheme, colour, faint, lineChart, type LineChartOptions, type XYDataset } from '../shared/charts';
import { byId, chartCard, el, fill } from '../shared/dom';
import { connect, post, saveState } from '../shared/vscodeApi';
import { percent, type Point } from '../dashboard/model';
import { epsilonText } from '../shared/units';
import { aggregateCells, comparedCheckpointEvaluations, comparisonTable, foldRuns, isBest, runNames, seedAggregate, tableCells, type ComparedRun } from './model';
import { toCsv, toLatex, toMarkdown } from './export';
import { chartPng } from './png';

applyTheme();
const app = byId('app');

let runs: ComparedRun[] = [];
const stats = { renders: 0 };

const status = el('p', { id: 'export-status', class: 'muted', role: 'status' });
const runList = el('ul', { id: 'runs', class: 'run-list' });
const table = el('table', { id: 'comparison-table', class: 'data' });
const aggregateTable = el('table', { id: 'aggregate-table', class: 'data' });
const aggregateCard = el(
  'section',
  { class: 'card wide', id: 'aggregate-card', hidden: '' },
  el('header', {}, el('h2', { text: 'Mean ± std over seeds (%): runs that differ only by their seed' })),
  aggregateTable,
);

const checkpointTable = el('table', { id: 'checkpoint-evaluations-table', class: 'data' });
const checkpointCard = el(
  'section',
  { class: 'card wide', id: 'checkpoint-evaluations', hidden: '' },
  el('header', {}, el('h2', { text: 'Evaluated checkpoints: Evaluate Checkpoint, kept in each run folder' })),
  checkpointTable,
);

function exportButton(label: string, id: string, onClick: () => void): HTMLElement {
  const b = el('vscode-button', { id, secondary: '' }, label);
  b.addEventListener('click', onClick);
  return b;
}

type ChartName = 'test' | 'robust' | 'loss' | 'epsilon';
const chartSpecs: Record<ChartName, { title: string; axes: LineChartOptions }> = {
  test: { title: 'Test accuracy per epoch (student)', axes: { xTitle: 'epoch', yTitle: 'accuracy', yMin: 0, yMax: 1 } },
  robust: { title: 'Robust accuracy per epoch (student, PGD)', axes: { xTitle: 'epoch', yTitle: 'accuracy', yMin: 0, yMax: 1 } },
  loss: { title: 'Training loss per epoch (student)', axes: { xTitle: 'epoch', yTitle: 'loss' } },
  epsilon: { title: 'Accuracy against epsilon (student, PGD-20)', axes: { xTitle: 'epsilon', yTitle: 'accuracy', yMin: 0, yMax: 1 } },
};
const chartNames = Object.keys(chartSpecs) as ChartName[];

/** One of the page's charts on a canvas: the on-screen one, or its copy for a PNG. */
function comparisonChart(name: ChartName, canvas: HTMLCanvasElement): ReturnType<typeof lineChart> {
  const c = lineChart(canvas, chartSpecs[name].axes);
  c.options.elements!.point!.radius = 2;
  if (name !== 'loss') (c.options.scales!.y as { ticks?: object }).ticks = { callback: (v: string | number) => percent(Number(v), 0) };
  return c;
}

const charts = Object.fromEntries(chartNames.map((n) => [n, chartCard(n, chartSpecs[n].title)])) as Record<ChartName, ReturnType<typeof chartCard>>;
const chartObjects = Object.fromEntries(chartNames.map((n) => [n, comparisonChart(n, charts[n].canvas)])) as Record<ChartName, ReturnType<typeof lineChart>>;
for (const name of chartNames) {
  charts[name].card.querySelector('.tools')!.append(
    exportButton('PNG', `png-${name}`, () => {
      // An opaque background, so the PNG reads on a white page as well as in a dark editor.
      const background = getComputedStyle(document.body).backgroundColor || '#1e1e1e';
      const content = chartPng(chartObjects[name], (canvas) => comparisonChart(name, canvas), chartSpecs[name].title, background);
      post({ type: 'export', format: 'png', suggestedName: `comparison-${name}.png`, content });
    }),
  );
}

function exportTable(format: Exclude<ExportFormat, 'png'>): void {
  const t = comparisonTable(runs);
  // Over seeds when runs differ by their seed: the table a paper reports.
  const a = seedAggregate(t);
  const columns = a ? ['model', ...a.settings, 'seeds', ...a.attacks] : t.columns;
  const cells = a ? aggregateCells(a) : tableCells(t);
  const firstAttack = a ? 2 + a.settings.length : 2 + t.settings.length;
  const numeric = (i: number) => i >= firstAttack;
  // Each column's best contender in bold (the per-run table; the aggregate has no single best).
  const bold = (row: number, col: number) => !a && col >= firstAttack && isBest(t, row, col - firstAttack);
  const text = format === 'csv' ? toCsv(columns, cells) : format === 'markdown' ? toMarkdown(columns, cells, numeric, bold) : toLatex(columns, cells, numeric, undefined, bold);
  const ext = format === 'csv' ? 'csv' : format === 'markdown' ? 'md' : 'tex';
  post({ type: 'export', format, suggestedName: `comparison.${ext}`, content: text });
}

app.append(
  el('header', {}, el('h1', { id: 'title', text: 'Comparing runs…' }), runList),
  el(
    'main',
    { class: 'grid' },
    el(
      'section',
      { class: 'card wide', id: 'table-card' },
      el(
        'header',
        {},
        el('h2', { text: 'Robust accuracy (%) and the settings that differ' }),
        el(
          'div',
          { class: 'tools' },
          exportButton('CSV', 'export-csv', () => exportTable('csv')),
          exportButton('Markdown', 'export-markdown', () => exportTable('markdown')),
          exportButton('LaTeX', 'export-latex', () => exportTable('latex')),
        ),
      ),
      table,
      status,
    ),
    aggregateCard,
    checkpointCard,
    charts.test.card,
    charts.robust.card,
    charts.loss.card,
    charts.epsilon.card,
  ),
);

/** The longest run or setting cell shown whole in the table. */
const SHOWN_CELL = 48;

/** The student's rows, or the first model's when a run has no student (a teacher-only run). */
function mainModel(r: ComparedRun): string | undefined {
  return r.model.epochs.has('student') || r.model.results.has('student') ? 'student' : [...r.model.epochs.keys()][0];
}

function render(): void {
  fill(document.getElementById('title')!, `Comparing ${runs.length} runs`);
  const names = runNames(runs);
  fill(
    runList,
    ...runs.map((r, i) =>
      el('li', { 'data-status': r.model.status }, el('span', { class: 'swatch', 'data-index': String(i) }), `${names[i]} · ${r.run.experiment}${r.run.label ? ` · ${r.run.runId}` : ''} · ${r.model.status}`),
    ),
  );
  for (const [i, sw] of Array.from(runList.querySelectorAll<HTMLElement>('.swatch')).entries()) sw.style.backgroundColor = colour(i);

  const t = comparisonTable(runs);
  const cells = tableCells(t);
  const firstAttack = 2 + t.settings.length;
  fill(
    table,
    el('thead', {}, el('tr', {}, ...t.columns.map((c, i) => el('th', { class: i >= firstAttack ? 'num' : i >= 2 ? 'setting' : '', text: c })))),
    el(
      'tbody',
      {},
      ...cells.map((row, r) =>
        el(
          'tr',
          { 'data-shared': String(t.rows[r].runs.length) },
          ...row.map((c, i) =>
            i >= firstAttack
              ? el('td', { class: isBest(t, r, i - firstAttack) ? 'num best' : 'num', text: c })
              : // A block's JSON or a long path is cut here, whole in its tooltip and in the exports.
                el('td', { class: i >= 2 ? 'setting' : '', text: c.length > SHOWN_CELL ? `${c.slice(0, SHOWN_CELL - 1)}…` : c, title: c }),
          ),
        ),
      ),
    ),
  );

  // Over seeds: each configuration's mean ± std, when runs differ by their seed.
  const agg = seedAggregate(t);
  aggregateCard.hidden = !agg;
  if (agg) {
    const columns = ['model', ...agg.settings, 'seeds', ...agg.attacks];
    const first = 2 + agg.settings.length;
    fill(
      aggregateTable,
      el('thead', {}, el('tr', {}, ...columns.map((c, i) => el('th', { class: i >= first ? 'num' : i >= 1 ? 'setting' : '', text: c })))),
      el('tbody', {}, ...aggregateCells(agg).map((row) => el('tr', {}, ...row.map((c, i) => el('td', { class: i >= first ? 'num' : i >= 1 ? 'setting' : '', text: c }))))),
    );
  }

  // The runs' evaluated checkpoints, one table; the card only when some run has one.
  const ck = comparedCheckpointEvaluations(runs);
  checkpointCard.hidden = ck.rows.length === 0;
  fill(
    checkpointTable,
    el('thead', {}, el('tr', {}, ...['run', 'checkpoint', 'model', 'epoch', 'epsilon', ...ck.attacks].map((h, i) => el('th', { class: i >= 3 ? 'num' : '', text: h })))),
    el(
      'tbody',
      {},
      ...ck.rows.map((r) =>
        el(
          'tr',
          { 'data-checkpoint': r.checkpoint },
          el('td', { text: r.run }),
          el('td', { text: r.checkpoint }),
          el('td', { text: r.model }),
          el('td', { class: 'num', text: r.step ? `${r.epoch} + ${r.step} steps` : String(r.epoch) }),
          el('td', { class: 'num', text: epsilonText(r.epsilon) }),
          ...r.accuracies.map((a) => el('td', { class: 'num', text: percent(a) })),
        ),
      ),
    ),
  );

  const series = (pick: (r: ComparedRun, m: string) => Point[]) =>
    runs.flatMap((r, i): XYDataset[] => {
      const m = mainModel(r);
      if (!m) return [];
      const data = pick(r, m);
      return data.length ? [{ label: names[i], data, borderColor: colour(i), backgroundColor: colour(i) }] : [];
    });
  const epochSeries = (key: 'testAccuracy' | 'robustAccuracy' | 'loss') => (r: ComparedRun, m: string) =>
    (r.model.epochs.get(m) ?? []).flatMap((row) => (row[key] === undefined ? [] : [{ x: row.epoch, y: row[key] as number }]));
  chartObjects.test.data.datasets = series(epochSeries('testAccuracy'));
  chartObjects.robust.data.datasets = series(epochSeries('robustAccuracy'));
  chartObjects.loss.data.datasets = series(epochSeries('loss'));
  chartObjects.epsilon.data.datasets = agg ? epsilonBands(t) : series((r, m) => (r.model.results.get(m)?.accuracyVsEpsilon ?? []).map((p) => ({ x: p.epsilon, y: p.accuracy })));
  for (const c of Object.values(chartObjects)) c.update('none');
  stats.renders++;
  document.body.dataset.renders = String(stats.renders);
}

/**
 * Accuracy against epsilon over seeds: per configuration, the mean curve with a band of ± one
 * standard deviation (two dashed edges, the space between them filled): the error bars.
 */
function epsilonBands(t: ReturnType<typeof comparisonTable>): XYDataset[] {
  const seedAt = t.settings.indexOf('seed');
  const groups = new Map<string, ComparedRun[]>();
  const names = runNames(runs);
  for (const [i, r] of runs.entries()) {
    const row = t.rows.find((x) => x.runs.length === 1 && x.runs[0] === names[i]);
    const key = row ? JSON.stringify(row.settings.filter((_, k) => k !== seedAt)) : names[i];
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.entries()].flatMap(([key, members], i): XYDataset[] => {
    const curves = members.map((r) => r.model.results.get(mainModel(r) ?? 'student')?.accuracyVsEpsilon ?? []).filter((c) => c.length > 0);
    if (curves.length === 0) return [];
    const at = curves[0].map((p, k) => {
      const values = curves.map((c) => c[k]?.accuracy).filter((v): v is number => v !== undefined);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
      return { x: p.epsilon, mean, std };
    });
    const label = JSON.parse(key).join(' · ') || 'runs';
    const c = colour(i);
    return [
      { label: `${label} (mean of ${curves.length})`, data: at.map((p) => ({ x: p.x, y: p.mean })), borderColor: c, backgroundColor: c },
      { label: `${label} + std`, data: at.map((p) => ({ x: p.x, y: p.mean + p.std })), borderColor: c, backgroundColor: c, borderDash: [4, 4], pointRadius: 0 } as XYDataset,
      { label: `${label} − std`, data: at.map((p) => ({ x: p.x, y: p.mean - p.std })), borderColor: c, backgroundColor: faint(c, 0.15), borderDash: [4, 4], pointRadius: 0, fill: '-1' } as XYDataset,
    ];
  });
}

(window as unknown as { __gacd: unknown }).__gacd = {
  stats,
  charts: () => Object.fromEntries(Object.entries(chartObjects).map(([k, c]) => [k, c.data.datasets.map((d) => ({ label: d.label, points: d.data.length, drawn: d.data.length }))])),
};

function onMessage(m: HostMessage): void {
  if (m.type === 'comparison/init') {
    runs = foldRuns(m.runs);
    saveState({ kind: 'comparison', runDirs: m.runs.map((r) => r.run.runDir) });
    requestAnimationFrame(render);
  } else if (m.type === 'export/done') {
    status.textContent = m.message;
    status.dataset.ok = String(m.ok);
  }
}

connect('comparison', onMessage);
