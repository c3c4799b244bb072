/**
 * The run dashboard page: live loss and accuracy curves, the learning rate, teacher–student
 * similarity, the per-sample weights, the robustness table and accuracy against epsilon, the
 * backend and the resolved spec. It folds the host's events into a view model (model.ts) and
 * redraws, once per animation frame, only the charts that changed.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { HostMessage, RunStatus } from '../../src/protocol/webview';
import { applyTheme, Chart, colour, faint, lineChart, type XYDataset } from '../shared/charts';
import { byId, chartCard, el, fill, showEmpty } from '../shared/dom';
import { epsilonText, rounded } from '../shared/units';
import { connect, post, saveState } from '../shared/vscodeApi';
import { runProgressText } from '../../src/protocol/eventText';
import {
  applyEvents,
  canResume,
  checkpointEvaluationTable,
  emptyChartNote,
  emptyModel,
  failureBanner,
  formatDuration,
  hasWeights,
  lossTermSeries,
  lrSeries,
  modelColourIndex,
  noChanges,
  percent,
  robustnessTable,
  setCheckpointEvaluations,
  smooth,
  type Changes,
  type DashboardModel,
  type Point,
} from './model';

/** Options a test or the benchmark may set before the script loads. */
const options = ((window as unknown as { __gacdOptions?: { decimation?: boolean } }).__gacdOptions ?? {}) as { decimation?: boolean };

let model: DashboardModel = emptyModel();
let pending: Changes | null = null;
let smoothing = 0.6;

// ----- layout -----

applyTheme();
const app = byId('app');

const statusBadge = el('vscode-badge', { id: 'status' });
const title = el('h1', { id: 'title', text: 'Waiting for the run…' });
const progress = el('vscode-progress-bar', { id: 'progress' }) as HTMLElement & { value: number; max: number; indeterminate: boolean };
const progressText = el('span', { id: 'progress-text', class: 'muted' });
const backendLine = el('span', { id: 'backend', class: 'muted' });
const stopButton = el('vscode-button', { id: 'stop', secondary: '' }, 'Stop');
const resumeButton = el('vscode-button', { id: 'resume', secondary: '' }, 'Resume');
const revealButton = el('vscode-button', { id: 'reveal', secondary: '' }, 'Reveal Folder');
app.append(
  el(
    'header',
    { id: 'run-header' },
    el('div', { class: 'title-row' }, title, statusBadge, el('div', { class: 'spacer' }), stopButton, resumeButton, revealButton),
    el('div', { class: 'progress-row' }, progress, progressText),
    backendLine,
  ),
);

// A failed run's error comes first, above every chart.
const bannerTitle = el('strong', { id: 'error-title' });
const bannerMessage = el('p', { id: 'error-message' });
const bannerFix = el('p', { id: 'error-fix', class: 'muted' });
const bannerLog = el('vscode-button', { id: 'error-log', secondary: '' }, 'Show Engine Log');
const errorBanner = el('section', { id: 'error-banner', class: 'error-banner', role: 'alert' }, bannerTitle, bannerMessage, bannerFix, el('div', { class: 'title-row' }, bannerLog));
errorBanner.hidden = true;
app.append(errorBanner);

const smoothingInput = el('input', { id: 'smoothing', type: 'range', min: '0', max: '0.99', step: '0.01', value: String(smoothing), 'aria-label': 'Smoothing' }) as HTMLInputElement;
const smoothingValue = el('span', { id: 'smoothing-value', class: 'muted', text: smoothing.toFixed(2) });
const lossCard = chartCard('loss', 'Training loss per step', el('label', { class: 'muted', text: 'Smoothing ' }, smoothingInput, smoothingValue));
const lossTermsCard = chartCard('loss-terms', 'Loss and its terms per epoch');
const accuracyCard = chartCard('accuracy', 'Accuracy per epoch');
const lrCard = chartCard('lr', 'Learning rate per step');
const similarityCard = chartCard('similarity', 'Teacher–student feature similarity');
const weightsEpoch = el('vscode-single-select', { id: 'weights-epoch', 'aria-label': 'Epoch' }) as HTMLElement & { value: string };
const weightsHistCard = chartCard('weights-hist', 'Per-sample weights', el('span', { class: 'muted', text: 'Epoch ' }), weightsEpoch);
const weightsScatterCard = chartCard('weights-scatter', 'Weight against teacher confidence');
const epsilonCard = chartCard('epsilon', 'Accuracy against epsilon (PGD-20)');
const table = el('table', { id: 'robustness-table', class: 'data' });
const flagsRow = el('div', { id: 'flags', class: 'flags' });
const perClass = el('div', { id: 'per-class' });
const tableCard = el('section', { class: 'card wide', id: 'robustness' }, el('header', {}, el('h2', { text: 'Robustness' })), flagsRow, table, perClass);
const messages = el('ul', { id: 'messages' });
const specPre = el('pre', { id: 'spec' });
const versionsLine = el('p', { id: 'versions', class: 'muted' });
const specCard = el(
  'section',
  { class: 'card wide', id: 'spec-card' },
  el('vscode-collapsible', { heading: 'Resolved spec and versions', id: 'spec-collapsible' }, el('div', { class: 'collapsible-body' }, versionsLine, specPre)),
);
const weightsNote = el('p', { class: 'muted empty', id: 'weights-empty', text: 'No per-sample weights: the method does not reweight samples.' });
weightsHistCard.card.append(weightsNote);
// The weights cards appear only for a run that has weights to show.
weightsHistCard.card.hidden = true;
weightsScatterCard.card.hidden = true;
const checkpointTable = el('table', { id: 'checkpoint-evaluations-table', class: 'data' });
const checkpointNote = el('p', { class: 'muted empty-note', id: 'checkpoint-evaluations-empty' });
const checkpointCard = el('section', { class: 'card wide', id: 'checkpoint-evaluations' }, el('header', {}, el('h2', { text: 'Evaluated checkpoints' })), checkpointNote, checkpointTable);

app.append(
  el(
    'main',
    { class: 'grid' },
    lossCard.card,
    lossTermsCard.card,
    accuracyCard.card,
    lrCard.card,
    similarityCard.card,
    weightsHistCard.card,
    weightsScatterCard.card,
    tableCard,
    epsilonCard.card,
    checkpointCard,
    el('section', { class: 'card wide', id: 'messages-card' }, el('header', {}, el('h2', { text: 'Warnings and errors' })), messages),
    specCard,
  ),
);

// ----- charts -----

const lossChart = lineChart(lossCard.canvas, { xTitle: 'step', yTitle: 'loss', yUnit: 'loss', decimate: options.decimation ?? true });
const lossTermsChart = lineChart(lossTermsCard.canvas, { xTitle: 'epoch', yTitle: 'loss', yUnit: 'loss' });
const accuracyChart = lineChart(accuracyCard.canvas, { xTitle: 'epoch', yTitle: 'accuracy', yUnit: 'percent', yMin: 0, yMax: 1 });
const lrChart = lineChart(lrCard.canvas, { xTitle: 'step', yTitle: 'learning rate', yUnit: 'lr', decimate: options.decimation ?? true });
const similarityChart = lineChart(similarityCard.canvas, { xTitle: 'epoch', yTitle: 'similarity', yUnit: 'percent', yMin: 0, yMax: 1 });
const epsilonChart = lineChart(epsilonCard.canvas, { xTitle: 'epsilon', yTitle: 'accuracy', yUnit: 'percent', yMin: 0, yMax: 1 });
for (const c of [lossTermsChart, accuracyChart, similarityChart, epsilonChart]) c.options.elements!.point!.radius = 2;
// Terms of one model share its colour: the legend draws each line's dash and point, so they read apart.
lossTermsChart.options.elements!.point!.radius = 3;
Object.assign(lossTermsChart.options.plugins!.legend!.labels!, { usePointStyle: true, pointStyle: 'line', pointStyleWidth: 28 });

const weightsHist = new Chart<'bar', number[], string>(weightsHistCard.canvas, {
  type: 'bar',
  data: { labels: [], datasets: [] },
  options: {
    animation: false,
    scales: { x: { title: { display: true, text: 'weight' } }, y: { title: { display: true, text: 'samples' }, beginAtZero: true } },
    plugins: { legend: { display: false } },
  },
});
const weightsScatter = new Chart<'scatter', Point[]>(weightsScatterCard.canvas, {
  type: 'scatter',
  data: { datasets: [] },
  options: {
    animation: false,
    parsing: false,
    scales: {
      x: { type: 'linear', min: 0, max: 1, title: { display: true, text: "teacher's probability of the true class (at x')" } },
      y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'weight' } },
    },
    plugins: {
      legend: { position: 'bottom', labels: { boxWidth: 10 } },
      // The axes' units: the teacher's probability in %, the weight as a number.
      tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${percent(item.parsed.x)} → weight ${rounded(item.parsed.y ?? NaN)}` } },
    },
  },
});

/** Each model's raw and smoothed loss datasets, and the smoothing state behind them. */
const lossSeries = new Map<string, { raw: XYDataset; smoothed: XYDataset; out: Point[]; rewinds: number; weight: number }>();

/** One colour per model in every chart, kept for the page's life (model.ts gives each model its slot). */
function modelColour(name: string): string {
  return colour(modelColourIndex(model, name));
}

function updateLoss(models: Iterable<string>): void {
  for (const name of models) {
    const points = model.stepLoss.get(name) ?? [];
    let s = lossSeries.get(name);
    if (!s) {
      const c = modelColour(name);
      const raw: XYDataset = { label: `${name} (raw)`, data: [], borderColor: faint(c, 0.25), backgroundColor: faint(c, 0.25), borderWidth: 1, order: 2 };
      const smoothed: XYDataset = { label: name, data: [], borderColor: c, backgroundColor: c, borderWidth: 2, order: 1 };
      s = { raw, smoothed, out: [], rewinds: 0, weight: smoothing };
      lossSeries.set(name, s);
      lossChart.data.datasets.push(raw, smoothed);
    }
    const rewinds = model.rewinds.get(name) ?? 0;
    const from = s.rewinds === rewinds && s.weight === smoothing ? Math.min(s.out.length, points.length) : 0;
    s.rewinds = rewinds;
    s.weight = smoothing;
    smooth(points, smoothing, from, s.out);
    // Chart.js instruments the arrays it is given (push and splice notify it, element by element),
    // so it gets copies: the model keeps appending to its own arrays at no cost. Assigning (not
    // pushing) also lets the decimation plugin keep the full series behind its sample.
    s.raw.data = points.slice();
    s.smoothed.data = s.out.slice();
  }
  lossChart.update('none');
  updateLr();
}

/** Per step when the engine logs it, else per epoch (older logs), on the step axis either way. */
function updateLr(): void {
  const names = [...new Set([...model.stepLr.keys(), ...model.epochs.keys()])];
  const sets: XYDataset[] = [];
  let perStep = false;
  for (const name of names) {
    const s = lrSeries(model, name);
    if (!s.points.length) continue;
    perStep ||= s.perStep;
    const c = modelColour(name);
    sets.push({ label: name, data: s.points.slice(), borderColor: c, backgroundColor: c, pointRadius: s.perStep ? 0 : 2 });
  }
  lrChart.data.datasets = sets;
  lrCard.card.querySelector('h2')!.textContent = sets.length && !perStep ? 'Learning rate per epoch' : 'Learning rate per step';
  lrChart.update('none');
}

/** Dash patterns and point shapes that tell a model's loss terms apart while its colour stays the model's. */
const TERM_DASHES: number[][] = [[], [6, 3], [2, 2], [10, 3, 2, 3], [1, 4]];
const TERM_POINTS = ['circle', 'triangle', 'rect', 'rectRot', 'crossRot'] as const;

function xy(rows: Array<{ epoch: number }>, pick: (r: never) => number | undefined): Point[] {
  const out: Point[] = [];
  for (const r of rows) {
    const y = pick(r as never);
    if (y !== undefined && Number.isFinite(y)) out.push({ x: r.epoch, y });
  }
  return out;
}

function updateEpochs(): void {
  const acc: XYDataset[] = [];
  for (const [name, rows] of model.epochs) {
    const c = modelColour(name);
    acc.push({ label: `${name} test`, data: xy(rows, (r: { testAccuracy: number }) => r.testAccuracy), borderColor: c, backgroundColor: c });
    const robust = xy(rows, (r: { robustAccuracy?: number }) => r.robustAccuracy);
    if (robust.length) acc.push({ label: `${name} robust (PGD)`, data: robust, borderColor: c, backgroundColor: c, borderDash: [6, 3] });
    acc.push({ label: `${name} train`, data: xy(rows, (r: { trainAccuracy: number }) => r.trainAccuracy), borderColor: faint(c, 0.5), backgroundColor: faint(c, 0.5), borderDash: [2, 2] });
  }
  accuracyChart.data.datasets = acc;
  accuracyChart.update('none');
  const perModel = new Map<string, number>();
  lossTermsChart.data.datasets = lossTermSeries(model).map((s) => {
    const i = perModel.get(s.model) ?? 0;
    perModel.set(s.model, i + 1);
    const c = modelColour(s.model);
    const total = s.term === 'total';
    return { label: `${s.model} ${s.term}`, data: s.points, borderColor: total ? c : faint(c, 0.75), backgroundColor: c, borderWidth: total ? 2.5 : 1.5, borderDash: TERM_DASHES[i % TERM_DASHES.length], pointStyle: TERM_POINTS[i % TERM_POINTS.length] };
  });
  lossTermsChart.update('none');
  updateLr();
}

function updateSimilarity(): void {
  const sets: XYDataset[] = [];
  for (const [name, rows] of model.similarity) {
    const prefix = model.similarity.size > 1 ? `${name} ` : '';
    const series: Array<[string, (r: never) => number | undefined, number[] | undefined]> = [
      ['CKA clean', (r: { ckaClean: number }) => r.ckaClean, undefined],
      ['CKA adversarial', (r: { ckaAdversarial: number }) => r.ckaAdversarial, [6, 3]],
      ['cosine clean', (r: { cosineClean?: number }) => r.cosineClean, undefined],
      ['cosine adversarial', (r: { cosineAdversarial?: number }) => r.cosineAdversarial, [6, 3]],
    ];
    for (const [label, pick, dash] of series) {
      const data = xy(rows, pick);
      if (!data.length) continue;
      // The model's colour; cosine lighter than CKA, adversarial dashed.
      const c = modelColour(name);
      const shade = label.startsWith('CKA') ? c : faint(c, 0.55);
      sets.push({ label: prefix + label, data, borderColor: shade, backgroundColor: shade, borderDash: dash, pointStyle: label.startsWith('CKA') ? 'circle' : 'triangle' });
    }
  }
  similarityChart.data.datasets = sets;
  similarityChart.update('none');
}

/** The model whose sample weights are shown: the student when it has them. */
function weightsModel(): string | undefined {
  return model.weights.has('student') ? 'student' : [...model.weights.keys()][0];
}

/** The latest adaptive loss weights of the student (or the first model that has them), as a sentence. */
function adaptiveWeightsText(): string | undefined {
  const names = ['student', ...model.epochs.keys()];
  for (const name of names) {
    const last = [...(model.epochs.get(name) ?? [])].reverse().find((r) => r.adaptiveWeights);
    if (!last?.adaptiveWeights) continue;
    const parts = Object.entries(last.adaptiveWeights).map(([k, v]) => `${k} ${v.toFixed(3)}`);
    return `Adaptive loss weights of ${name} after epoch ${last.epoch}: ${parts.join(' · ')}.`;
  }
  return undefined;
}

function updateWeights(): void {
  const shown = hasWeights(model);
  weightsHistCard.card.hidden = !shown;
  weightsScatterCard.card.hidden = !shown || model.weights.size === 0;
  const name = weightsModel();
  const rows = name ? (model.weights.get(name) ?? []) : [];
  const adaptive = adaptiveWeightsText();
  weightsNote.hidden = rows.length > 0 && !adaptive;
  weightsNote.textContent = adaptive
    ? rows.length > 0
      ? adaptive
      : `${adaptive} The method weights its teachers, not its samples.`
    : 'No per-sample weights: the method does not reweight samples (GACD and IAD do; MTARD adapts the weights of its teachers instead).';
  const epochs = rows.map((r) => String(r.epoch));
  const current = Array.from(weightsEpoch.children).map((o) => (o as HTMLElement).getAttribute('value'));
  if (current.join(',') !== epochs.join(',')) {
    const follow = !weightsEpoch.value || weightsEpoch.value === current[current.length - 1];
    fill(weightsEpoch, ...epochs.map((e) => el('vscode-option', { value: e }, e)));
    if (follow && epochs.length) weightsEpoch.value = epochs[epochs.length - 1];
  }
  const row = rows.find((r) => String(r.epoch) === weightsEpoch.value) ?? rows[rows.length - 1];
  if (!row) {
    weightsHist.data.labels = [];
    weightsHist.data.datasets = [];
    weightsScatter.data.datasets = [];
  } else {
    weightsHist.data.labels = row.counts.map((_, i) => ((row.edges[i] + row.edges[i + 1]) / 2).toFixed(2));
    weightsHist.data.datasets = [{ label: `epoch ${row.epoch}`, data: row.counts, backgroundColor: modelColour(name!), borderWidth: 0 }];
    weightsScatter.data.datasets = [
      { label: 'teacher right', data: row.samples.filter((s) => s.teacherCorrect).map((s) => ({ x: s.confidence, y: s.weight })), backgroundColor: faint(colour(2), 0.7), pointRadius: 2 },
      { label: 'teacher wrong', data: row.samples.filter((s) => !s.teacherCorrect).map((s) => ({ x: s.confidence, y: s.weight })), backgroundColor: faint(colour(4), 0.7), pointRadius: 2 },
    ];
    weightsHistCard.card.querySelector('h2')!.textContent = `Per-sample weights (${row.scheme}, mean ${row.mean.toFixed(3)})`;
  }
  weightsHist.update('none');
  weightsScatter.update('none');
}

function updateResults(): void {
  const t = robustnessTable(model.results.values());
  const best = t.attacks.map((_, j) => Math.max(...t.rows.map((r) => r.accuracies[j] ?? -1)));
  const head = el('tr', {}, ...['model', 'method', 'arch', ...t.attacks, 'worst class'].map((h) => el('th', { text: h })));
  const body = t.rows.map((r) =>
    el(
      'tr',
      { 'data-model': r.model },
      el('td', { text: r.model }),
      el('td', { text: r.method }),
      el('td', { text: r.arch }),
      ...r.accuracies.map((a, j) => el('td', { class: a !== null && a === best[j] && t.rows.length > 1 ? 'num best' : 'num', text: percent(a) })),
      el('td', { text: r.worstClass ?? '–' }),
    ),
  );
  // Each raised flag as a badge; what it means and what to do in its tooltip and in the list below.
  const flagged = [...model.results.values()].flatMap((r) => (r.flags ?? []).map((f) => ({ model: r.model, ...f })));
  fill(
    flagsRow,
    ...flagged.map((f) =>
      el('details', { class: 'flag', 'data-code': f.code }, el('summary', { title: `${f.message} What to do: ${f.fix}.` }, el('vscode-badge', { text: `${f.model}: ${f.title}` })), el('p', { text: `${f.message} What to do: ${f.fix}.` })),
    ),
  );
  // Accuracy per class under each attack and the worst case, one collapsible table per model.
  fill(
    perClass,
    ...[...model.results.values()]
      .filter((r) => r.perClass)
      .map((r) => {
        const pc = r.perClass!;
        const header = el('tr', {}, ...['class', 'n', ...pc.rows.map((row) => row.attack)].map((h) => el('th', { text: h })));
        const rows = pc.classNames.map((name, k) =>
          el('tr', {}, el('td', { text: name }), el('td', { class: 'num', text: String(pc.counts[k]) }), ...pc.rows.map((row) => el('td', { class: 'num', text: percent(row.accuracy[k]) }))),
        );
        return el('details', { class: 'per-class', 'data-model': r.model }, el('summary', { text: `Accuracy per class: ${r.model}` }), el('table', { class: 'data' }, el('thead', {}, header), el('tbody', {}, ...rows)));
      }),
  );
  fill(table, el('thead', {}, head), el('tbody', {}, ...(body.length ? body : [el('tr', {}, el('td', { colspan: String(4 + t.attacks.length), class: 'muted', text: 'Results appear when the models are evaluated, at the end of the run.' }))])));
  epsilonChart.data.datasets = [...model.results.values()].map((r) => {
    const c = modelColour(r.model);
    return { label: r.model, data: r.accuracyVsEpsilon.map((p) => ({ x: p.epsilon, y: p.accuracy })), borderColor: c, backgroundColor: c };
  });
  epsilonChart.update('none');
}

/** Each empty chart's note: when it fills while the run goes on, why it stays empty once it ended. Cheap, so every render. */
function updateNotes(): void {
  showEmpty(lossCard, emptyChartNote(model, 'loss'));
  showEmpty(lossTermsCard, emptyChartNote(model, 'lossTerms'));
  showEmpty(accuracyCard, emptyChartNote(model, 'accuracy'));
  showEmpty(lrCard, emptyChartNote(model, 'lr'));
  showEmpty(similarityCard, emptyChartNote(model, 'similarity'));
  showEmpty(epsilonCard, emptyChartNote(model, 'epsilon'));
}

/** The evaluated checkpoints: a row per evaluation (checkpoint, epsilon), a column per attack, in %. */
function updateCheckpointEvaluations(): void {
  const note = emptyChartNote(model, 'checkpointEvaluations');
  checkpointNote.hidden = note === null;
  checkpointNote.textContent = note ?? '';
  const t = checkpointEvaluationTable(model.checkpointEvaluations);
  checkpointTable.hidden = t.rows.length === 0;
  const head = el('tr', {}, ...['checkpoint', 'model', 'epoch', 'epsilon', ...t.attacks, 'flags', 'evaluated'].map((h) => el('th', { text: h })));
  const rows = t.rows.map((r) =>
    el(
      'tr',
      { 'data-checkpoint': r.checkpoint },
      el('td', {}, el('span', { class: 'swatch' }), r.checkpoint),
      el('td', { text: r.model }),
      el('td', { class: 'num', text: r.step ? `${r.epoch} + ${r.step} steps` : String(r.epoch) }),
      el('td', { class: 'num', text: epsilonText(r.epsilon) }),
      ...r.accuracies.map((a) => el('td', { class: 'num', text: percent(a) })),
      el('td', { text: r.flags.length ? r.flags.join(', ') : '–' }),
      el('td', { class: 'muted', text: r.evaluatedAt.replace('T', ' ').slice(0, 16) }),
    ),
  );
  fill(checkpointTable, el('thead', {}, head), el('tbody', {}, ...rows));
  // The swatch takes the model's colour, as its lines do in the charts (a CSSOM property, allowed by the CSP).
  checkpointTable.querySelectorAll<HTMLElement>('tbody tr').forEach((tr, i) => {
    const sw = tr.querySelector<HTMLElement>('.swatch');
    if (sw) sw.style.background = modelColour(t.rows[i].model);
  });
}

/** A failed run's error first: the engine's message, its fix, and the engine log. */
function updateBanner(): void {
  const b = failureBanner(model);
  errorBanner.hidden = !b;
  if (!b) return;
  bannerTitle.textContent = b.code ? `${b.title} (${b.code})` : b.title;
  bannerMessage.textContent = b.message;
  bannerFix.textContent = b.fix ? `Fix: ${b.fix}` : '';
  bannerFix.hidden = !b.fix;
}

function updateMessages(): void {
  fill(
    messages,
    ...model.errors.map((e) => el('li', { class: 'error', text: `${e.message}${e.fix ? ` (fix: ${e.fix})` : ''}` })),
    ...model.warnings.map((w) => el('li', { class: 'warning', text: w })),
  );
  if (!model.errors.length && !model.warnings.length) fill(messages, el('li', { class: 'muted', text: 'None.' }));
}

const STATUS_TEXT: Record<RunStatus, string> = { queued: 'queued', running: 'running', finished: 'finished', failed: 'failed', stopped: 'stopped' };

function updateHeader(): void {
  const run = model.run;
  title.textContent = run ? `${run.experiment} · ${run.label ?? run.runId}` : 'Waiting for the run…';
  statusBadge.textContent = STATUS_TEXT[model.status];
  statusBadge.dataset.status = model.status;
  document.body.dataset.status = model.status;
  const live = model.status === 'running' || model.status === 'queued';
  stopButton.hidden = !live;
  resumeButton.hidden = !canResume(model);
  updateBanner();
  const cur = model.current;
  const ev = model.evaluating;
  // The whole run's figure (training and evaluation as one) leads while it runs; the phase follows.
  const overall = live && model.overall ? model.overall : null;
  const lead = overall ? `${runProgressText(overall.fraction, overall.etaSeconds)} · ` : '';
  if (model.status === 'finished') {
    progress.indeterminate = false;
    progress.max = 1;
    progress.value = 1;
    progressText.textContent = `finished in ${formatDuration((model.durationMs ?? 0) / 1000)}`;
  } else if (ev && live) {
    // Evaluation after the training: the rows of this model's table, and the samples of this row.
    progress.indeterminate = false;
    progress.max = 1;
    progress.value = overall?.fraction ?? (ev.row + ev.done / Math.max(ev.total, 1)) / Math.max(ev.rows, 1);
    progressText.textContent = `${lead}evaluating ${ev.model} · ${ev.attack} ${ev.done}/${ev.total} · row ${ev.row + 1} of ${ev.rows}`;
  } else if (cur) {
    progress.indeterminate = false;
    progress.max = 1;
    progress.value = overall?.fraction ?? cur.fraction;
    const eta = live && !overall ? ` · ETA ${formatDuration(cur.etaSeconds)}` : '';
    progressText.textContent = `${lead}${cur.model} · epoch ${cur.epoch}/${cur.epochs} · step ${cur.step}/${cur.stepsPerEpoch} · ${percent(cur.fraction, 0)} · ${Math.round(cur.imagesPerSecond)} img/s${eta}`;
  } else {
    progress.indeterminate = live;
    progressText.textContent = live ? 'starting…' : STATUS_TEXT[model.status];
  }
  backendLine.textContent = model.backend ? `backend ${model.backend.name}: ${model.backend.detail}${model.resumed ? ' · resumed' : ''}` : '';
  specPre.textContent = model.spec ? JSON.stringify(model.spec, null, 2) : '';
  versionsLine.textContent = Object.entries(model.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
}

// ----- the render loop -----

const stats = { renders: 0, lastRenderMs: 0, totalRenderMs: 0 };
const allCharts = { loss: lossChart, lossTerms: lossTermsChart, accuracy: accuracyChart, lr: lrChart, similarity: similarityChart, weightsHist, weightsScatter, epsilon: epsilonChart };
(window as unknown as { __gacd: unknown }).__gacd = {
  stats,
  model: () => model,
  /** What each chart holds: its datasets' labels, full lengths, drawn (decimated) lengths and colours. */
  charts: () =>
    Object.fromEntries(
      Object.entries(allCharts).map(([k, c]) => [
        k,
        c.data.datasets.map((d) => ({
          label: d.label,
          points: ((d as { _data?: unknown[] })._data ?? d.data).length,
          drawn: d.data.length,
          colour: d.borderColor ?? d.backgroundColor,
        })),
      ]),
    ),
  /** The tooltip's title and line for one point of a line chart, as the chart's own callbacks write them. */
  tooltip: (name: 'loss' | 'lossTerms' | 'accuracy' | 'lr' | 'similarity' | 'epsilon', datasetIndex: number, index: number) => {
    const c = allCharts[name];
    const dataset = c.data.datasets[datasetIndex];
    const parsed = dataset.data[index];
    const cb = c.options.plugins!.tooltip!.callbacks! as unknown as { title(items: unknown[]): string; label(item: unknown): string };
    return [cb.title([{ parsed }]), cb.label({ dataset, parsed })];
  },
};

function render(ch: Changes): void {
  const t0 = performance.now();
  if (ch.header) updateHeader();
  if (ch.stepLoss.size) updateLoss(ch.stepLoss);
  if (ch.epochs) updateEpochs();
  if (ch.similarity) updateSimilarity();
  if (ch.weights) updateWeights();
  if (ch.results) updateResults();
  if (ch.messages) {
    updateMessages();
    updateBanner();
  }
  if (ch.checkpointEvaluations) updateCheckpointEvaluations();
  updateNotes();
  stats.lastRenderMs = performance.now() - t0;
  stats.totalRenderMs += stats.lastRenderMs;
  stats.renders++;
  document.body.dataset.renders = String(stats.renders);
}

function schedule(ch: Changes): void {
  if (pending) {
    pending.header ||= ch.header;
    for (const m of ch.stepLoss) pending.stepLoss.add(m);
    pending.epochs ||= ch.epochs;
    pending.similarity ||= ch.similarity;
    pending.weights ||= ch.weights;
    pending.results ||= ch.results;
    pending.messages ||= ch.messages;
    pending.checkpointEvaluations ||= ch.checkpointEvaluations;
    return;
  }
  pending = ch;
  requestAnimationFrame(() => {
    const p = pending!;
    pending = null;
    render(p);
  });
}

function everything(): Changes {
  return { header: true, stepLoss: new Set(model.stepLoss.keys()), epochs: true, similarity: true, weights: true, results: true, messages: true, checkpointEvaluations: true };
}

function onMessage(m: HostMessage): void {
  switch (m.type) {
    case 'dashboard/init':
      model = emptyModel(m.run);
      for (const s of lossSeries.values()) s.out.length = 0;
      lossSeries.clear();
      lossChart.data.datasets = [];
      applyEvents(model, m.events);
      setCheckpointEvaluations(model, m.checkpointEvaluations ?? []);
      // The run's own status (a live process, a stale log) wins over what the log says.
      model.status = m.run.status;
      saveState({ kind: 'dashboard', runDir: m.run.runDir });
      schedule(everything());
      break;
    case 'dashboard/append':
      schedule(applyEvents(model, m.events));
      break;
    case 'dashboard/status':
      model.status = m.status;
      // A run that ended may leave charts empty for good: their notes say why instead of when.
      schedule({ ...noChanges(), header: true });
      break;
    case 'dashboard/checkpoint-evaluations':
      schedule(setCheckpointEvaluations(model, m.checkpointEvaluations));
      break;
    default:
      break;
  }
}

smoothingInput.addEventListener('input', () => {
  smoothing = Number(smoothingInput.value);
  smoothingValue.textContent = smoothing.toFixed(2);
  schedule({ ...noChanges(), stepLoss: new Set(model.stepLoss.keys()) });
});
weightsEpoch.addEventListener('change', () => schedule({ ...noChanges(), weights: true }));
stopButton.addEventListener('click', () => model.run && post({ type: 'command', command: 'stop', runDir: model.run.runDir }));
resumeButton.addEventListener('click', () => model.run && post({ type: 'command', command: 'resume', runDir: model.run.runDir }));
revealButton.addEventListener('click', () => model.run && post({ type: 'command', command: 'revealFolder', runDir: model.run.runDir }));
bannerLog.addEventListener('click', () => model.run && post({ type: 'command', command: 'showLog', runDir: model.run.runDir }));

updateHeader();
updateMessages();
updateResults();
// Before any data: each chart's note says when it fills (not counted as a render: tests wait for the first after init).
updateNotes();
updateCheckpointEvaluations();
connect('dashboard', onMessage);
