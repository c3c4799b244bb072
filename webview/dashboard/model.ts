/**
 * The dashboard's view model and the reducer that folds engine events into it. Pure (no DOM), so
 * it is unit-tested in node; the page (main.ts) only draws what this computes.
 *
 * The reducer mutates the model in place and reports which parts changed, so the page redraws
 * only those charts: a live run appends a progress point every step, and with 100,000 points a
 * full rebuild on every message would not stay smooth.
 */
import type { CheckpointEvaluation } from '../../src/protocol/checkpointEvaluation';
import type { EngineEvent, ModelResults } from '../../src/protocol/events';
import type { RunRef, RunStatus } from '../../src/protocol/webview';
import { percent } from '../shared/units';

export { percent };

export interface Point {
  x: number;
  y: number;
}

export interface EpochRow {
  epoch: number;
  epochs: number;
  lr: number;
  loss: number;
  lossTerms: Record<string, number>;
  trainAccuracy: number;
  testAccuracy: number;
  robustAccuracy?: number;
  /** Loss weights the method adapts as it trains (MTARD's weight of each teacher). */
  adaptiveWeights?: Record<string, number>;
}

export interface SimilarityRow {
  epoch: number;
  ckaClean: number;
  ckaAdversarial: number;
  cosineClean?: number;
  cosineAdversarial?: number;
  logitCorrelationGap?: number;
}

export interface WeightsRow {
  epoch: number;
  scheme: string;
  edges: number[];
  counts: number[];
  mean: number;
  samples: Array<{ confidence: number; weight: number; teacherCorrect: boolean }>;
}

export interface StageInfo {
  method: string;
  arch: string;
  epochs: number;
  stepsPerEpoch: number;
  params: number;
  loadedFrom?: string;
}

export interface CurrentProgress {
  model: string;
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  etaSeconds: number;
  imagesPerSecond: number;
  /** Fraction of this model's training done, in [0, 1]. */
  fraction: number;
}

export interface DashboardModel {
  run: RunRef | null;
  status: RunStatus;
  backend: { name: string; detail: string } | null;
  versions: Record<string, string>;
  spec: unknown;
  resumed: boolean;
  stages: Map<string, StageInfo>;
  current: CurrentProgress | null;
  /** The whole run's progress (the last `run-progress`): one figure over training and evaluation. */
  overall: { fraction: number; etaSeconds?: number; phase: string; model: string; detail: string } | null;
  /** The evaluation under way (after the training), from `evaluation-progress` events. */
  evaluating: { model: string; attack: string; done: number; total: number; row: number; rows: number } | null;
  /** The per-step training loss of each model; x is the step counted from the model's start. */
  stepLoss: Map<string, Point[]>;
  /** How often each model's step series was cut back (a resume repeats steps): views redo their smoothing. */
  rewinds: Map<string, number>;
  /** The learning rate of each step, from progress events that carry it (x as in `stepLoss`). */
  stepLr: Map<string, Point[]>;
  /** Each model's palette index, given when the model is first seen and never changed: one colour per model in every chart. */
  colours: Map<string, number>;
  /** The evaluations of the run's checkpoints kept in its folder (Evaluate Checkpoint), oldest first. */
  checkpointEvaluations: CheckpointEvaluation[];
  epochs: Map<string, EpochRow[]>;
  similarity: Map<string, SimilarityRow[]>;
  weights: Map<string, WeightsRow[]>;
  /** The latest evaluation of each model (from `evaluation` events, or the run end's results). */
  results: Map<string, ModelResults>;
  warnings: string[];
  errors: Array<{ code: string; message: string; fix?: string }>;
  checkpoints: Array<{ model: string; epoch: number; path: string }>;
  durationMs: number | null;
  /** The highest sequence number folded in, so a replayed event is ignored. */
  lastSeq: number;
}

/** The parts of the page that an event batch touched. */
export interface Changes {
  header: boolean;
  stepLoss: Set<string>;
  epochs: boolean;
  similarity: boolean;
  weights: boolean;
  results: boolean;
  messages: boolean;
  checkpointEvaluations: boolean;
}

export function emptyModel(run: RunRef | null = null): DashboardModel {
  return {
    run,
    status: run?.status ?? 'running',
    backend: null,
    versions: {},
    spec: null,
    resumed: false,
    stages: new Map(),
    current: null,
    overall: null,
    evaluating: null,
    stepLoss: new Map(),
    rewinds: new Map(),
    stepLr: new Map(),
    colours: new Map(),
    checkpointEvaluations: [],
    epochs: new Map(),
    similarity: new Map(),
    weights: new Map(),
    results: new Map(),
    warnings: [],
    errors: [],
    checkpoints: [],
    durationMs: null,
    lastSeq: -1,
  };
}

export function noChanges(): Changes {
  return { header: false, stepLoss: new Set(), epochs: false, similarity: false, weights: false, results: false, messages: false, checkpointEvaluations: false };
}

function listFor<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** Puts `row` in `list` ordered by epoch, replacing a row of the same epoch (a resumed run redoes it). */
function upsertByEpoch<T extends { epoch: number }>(list: T[], row: T): void {
  const last = list[list.length - 1];
  if (!last || last.epoch < row.epoch) {
    list.push(row);
    return;
  }
  const i = list.findIndex((r) => r.epoch >= row.epoch);
  if (list[i].epoch === row.epoch) list[i] = row;
  else list.splice(i, 0, row);
}

/** Folds `events` into `m` and says what changed. Events at or below `m.lastSeq` are skipped. */
export function applyEvents(m: DashboardModel, events: readonly EngineEvent[], changes: Changes = noChanges()): Changes {
  for (const e of events) {
    if (e.seq <= m.lastSeq) continue;
    m.lastSeq = e.seq;
    if ('model' in e && e.model) modelColourIndex(m, e.model);
    switch (e.type) {
      case 'run-start':
        m.backend = { name: e.backend, detail: e.backendDetail };
        m.versions = e.versions;
        m.spec = e.spec;
        m.resumed = m.resumed || e.resumed;
        // A resumed run is running again, whatever it was before.
        m.status = 'running';
        m.durationMs = null;
        m.overall = null;
        if (!m.run) m.run = { runDir: e.runDir, runId: e.runId, experiment: e.experiment, status: 'running' };
        changes.header = true;
        break;
      case 'stage-start':
        m.stages.set(e.model, {
          method: e.method,
          arch: e.arch,
          epochs: e.epochs,
          stepsPerEpoch: e.stepsPerEpoch,
          params: e.params,
          loadedFrom: e.loadedFrom,
        });
        changes.header = true;
        break;
      case 'progress': {
        const x = (e.epoch - 1) * e.stepsPerEpoch + e.step;
        const series = listFor(m.stepLoss, e.model);
        // A resumed run repeats the steps after its last checkpoint: the new ones replace them.
        if (series.length && series[series.length - 1].x >= x) {
          let keep = series.length;
          while (keep > 0 && series[keep - 1].x >= x) keep--;
          series.length = keep;
          m.rewinds.set(e.model, (m.rewinds.get(e.model) ?? 0) + 1);
        }
        series.push({ x, y: e.loss });
        if (e.lr !== undefined) {
          const lr = listFor(m.stepLr, e.model);
          while (lr.length && lr[lr.length - 1].x >= x) lr.pop();
          lr.push({ x, y: e.lr });
        }
        const epochs = m.stages.get(e.model)?.epochs ?? e.epoch;
        m.current = {
          model: e.model,
          epoch: e.epoch,
          epochs,
          step: e.step,
          stepsPerEpoch: e.stepsPerEpoch,
          etaSeconds: e.etaSeconds,
          imagesPerSecond: e.imagesPerSecond,
          fraction: Math.min(1, x / Math.max(1, epochs * e.stepsPerEpoch)),
        };
        changes.stepLoss.add(e.model);
        changes.header = true;
        break;
      }
      case 'epoch':
        upsertByEpoch(listFor(m.epochs, e.model), {
          epoch: e.epoch,
          epochs: e.epochs,
          lr: e.lr,
          loss: e.loss,
          lossTerms: e.lossTerms,
          trainAccuracy: e.trainAccuracy,
          testAccuracy: e.testAccuracy,
          robustAccuracy: e.robustAccuracy,
          adaptiveWeights: e.adaptiveWeights,
        });
        changes.epochs = true;
        // The weights card shows adaptive loss weights as well as per-sample ones.
        if (e.adaptiveWeights) changes.weights = true;
        break;
      case 'similarity':
        upsertByEpoch(listFor(m.similarity, e.model), {
          epoch: e.epoch,
          ckaClean: e.cka.clean,
          ckaAdversarial: e.cka.adversarial,
          cosineClean: e.cosine?.clean,
          cosineAdversarial: e.cosine?.adversarial,
          logitCorrelationGap: e.logitCorrelationGap,
        });
        changes.similarity = true;
        break;
      case 'sample-weights':
        upsertByEpoch(listFor(m.weights, e.model), {
          epoch: e.epoch,
          scheme: e.scheme,
          edges: e.histogram.edges,
          counts: e.histogram.counts,
          mean: e.mean,
          samples: e.samples,
        });
        changes.weights = true;
        break;
      case 'evaluation': {
        const { seq: _s, time: _t, type: _y, ...result } = e;
        m.results.set(e.model, result);
        if (m.evaluating?.model === e.model) m.evaluating = null;
        changes.results = true;
        changes.header = true;
        break;
      }
      case 'run-progress':
        m.overall = { fraction: e.fraction, etaSeconds: e.etaSeconds, phase: e.phase, model: e.model, detail: e.detail };
        changes.header = true;
        break;
      case 'evaluation-progress': {
        const { model, attack, done, total, row, rows } = e;
        m.evaluating = { model, attack, done, total, row, rows };
        changes.header = true;
        break;
      }
      case 'checkpoint':
        m.checkpoints.push({ model: e.model, epoch: e.epoch, path: e.path });
        break;
      case 'warning':
        m.warnings.push(e.message);
        changes.messages = true;
        break;
      case 'error':
        m.errors.push({ code: e.code, message: e.message, fix: e.fix });
        changes.messages = true;
        break;
      case 'run-end':
        m.status = e.status;
        m.durationMs = e.durationMs;
        for (const r of e.results ?? []) {
          modelColourIndex(m, r.model);
          m.results.set(r.model, r);
        }
        if (e.results?.length) changes.results = true;
        if (m.run) m.run = { ...m.run, status: e.status };
        changes.header = true;
        break;
    }
  }
  return changes;
}

/** An exponential moving average as TensorBoard draws it (debiased, so the start is not pulled to 0). */
export function smooth(points: readonly Point[], weight: number, from = 0, out: Point[] = []): Point[] {
  out.length = Math.min(out.length, from);
  if (weight <= 0) {
    for (let i = from; i < points.length; i++) out.push(points[i]);
    return out;
  }
  // Recover the running state at `from` from the previous output: last = smoothed * debias.
  let last = 0;
  let n = 0;
  if (from > 0 && out.length === from) {
    n = from;
    last = out[from - 1].y * (1 - Math.pow(weight, n));
  }
  for (let i = from; i < points.length; i++) {
    const p = points[i];
    last = last * weight + (1 - weight) * p.y;
    n++;
    out.push({ x: p.x, y: last / (1 - Math.pow(weight, n)) });
  }
  return out;
}

/** The robustness table: one row per model, one column per attack, in the order first seen. */
export function robustnessTable(results: Iterable<ModelResults>): { attacks: string[]; rows: Array<{ model: string; method: string; arch: string; accuracies: Array<number | null>; worstClass?: string }> } {
  const all = [...results];
  const attacks: string[] = [];
  for (const r of all) for (const a of r.results) if (!attacks.includes(a.attack)) attacks.push(a.attack);
  return {
    attacks,
    rows: all.map((r) => ({
      model: r.model,
      method: r.method,
      arch: r.arch,
      accuracies: attacks.map((a) => r.results.find((x) => x.attack === a)?.accuracy ?? null),
      worstClass: r.worstClass ? `${r.worstClass.className} ${(r.worstClass.accuracy * 100).toFixed(1)}%` : undefined,
    })),
  };
}

/** "1:05:09", "4:02", "0:07": an ETA for people. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

// ----- what the charts and cards show, computed here so it is tested without a browser -----

/** Palette slots: the student first (blue), the teacher purple; the others take the rest in the order they appear. */
const STUDENT_SLOT = 0;
const TEACHER_SLOT = 3;
const OTHER_SLOTS = [1, 2, 4, 5, 6, 7];

/** The model's palette index, the same in every chart of the page for as long as it lives. */
export function modelColourIndex(m: DashboardModel, name: string): number {
  const known = m.colours.get(name);
  if (known !== undefined) return known;
  let slot: number;
  if (name === 'student') slot = STUDENT_SLOT;
  else if (name === 'teacher') slot = TEACHER_SLOT;
  else {
    const taken = new Set(m.colours.values());
    // Past the palette, colours repeat in order of appearance.
    slot = OTHER_SLOTS.find((i) => !taken.has(i)) ?? OTHER_SLOTS[m.colours.size % OTHER_SLOTS.length];
  }
  m.colours.set(name, slot);
  return slot;
}

/**
 * A model's learning rate: per step where the engine logged it (progress events' `lr`), else per
 * epoch (logs of older engines) placed at the step that ends the epoch, so both read on a step axis.
 */
export function lrSeries(m: DashboardModel, name: string): { points: Point[]; perStep: boolean } {
  const steps = m.stepLr.get(name);
  if (steps?.length) return { points: steps, perStep: true };
  const perEpoch = m.stages.get(name)?.stepsPerEpoch ?? 0;
  return { points: (m.epochs.get(name) ?? []).map((r) => ({ x: perEpoch > 0 ? r.epoch * perEpoch : r.epoch, y: r.lr })), perStep: false };
}

/** Each model's total loss per epoch and each of its terms (cross-entropy, contrastive, KL...), terms in first-seen order. */
export function lossTermSeries(m: DashboardModel): Array<{ model: string; term: string; points: Point[] }> {
  const out: Array<{ model: string; term: string; points: Point[] }> = [];
  for (const [model, rows] of m.epochs) {
    if (!rows.length) continue;
    out.push({ model, term: 'total', points: rows.map((r) => ({ x: r.epoch, y: r.loss })) });
    const terms: string[] = [];
    for (const r of rows) for (const t of Object.keys(r.lossTerms)) if (!terms.includes(t)) terms.push(t);
    // A single term equal to the total (plain cross-entropy) says nothing the total does not.
    if (terms.length === 1 && rows.every((r) => Math.abs((r.lossTerms[terms[0]] ?? NaN) - r.loss) < 1e-9)) continue;
    for (const t of terms) {
      const points = rows.filter((r) => Number.isFinite(r.lossTerms[t])).map((r) => ({ x: r.epoch, y: r.lossTerms[t] }));
      if (points.length) out.push({ model, term: t, points });
    }
  }
  return out;
}

/** The run has sample weights or adaptive loss weights to show; the weights cards are shown only then. */
export function hasWeights(m: DashboardModel): boolean {
  if ([...m.weights.values()].some((rows) => rows.length > 0)) return true;
  return [...m.epochs.values()].some((rows) => rows.some((r) => r.adaptiveWeights && Object.keys(r.adaptiveWeights).length > 0));
}

/** Resume is offered for a stopped or failed run that wrote a checkpoint (without one it would start over). */
export function canResume(m: DashboardModel): boolean {
  return (m.status === 'stopped' || m.status === 'failed') && m.checkpoints.length > 0;
}

/** What a failed run's dashboard shows first: the engine's error, or that it died without one. */
export function failureBanner(m: DashboardModel): { title: string; message: string; fix?: string; code?: string } | null {
  if (m.status !== 'failed') return null;
  const e = m.errors[m.errors.length - 1];
  if (e) return { title: 'The run failed', message: e.message, fix: e.fix, code: e.code };
  return {
    title: 'The run failed',
    message: 'The engine exited without reporting an error (it was killed, ran out of memory or crashed).',
    fix: 'the engine log (Show Engine Log) has its last lines',
  };
}

export type ChartName = 'loss' | 'lossTerms' | 'accuracy' | 'lr' | 'similarity' | 'epsilon' | 'checkpointEvaluations';

/** Whether the run may still add to a chart: it is running or waiting to. */
function live(m: DashboardModel): boolean {
  return m.status === 'running' || m.status === 'queued';
}

/**
 * The note an empty chart shows: when it fills while the run goes on, or why it stays empty once
 * the run has ended. Null when the chart has data.
 */
export function emptyChartNote(m: DashboardModel, chart: ChartName): string | null {
  const going = live(m);
  const anyEpoch = [...m.epochs.values()].some((r) => r.length > 0);
  switch (chart) {
    case 'loss':
      if ([...m.stepLoss.values()].some((p) => p.length > 0)) return null;
      return going ? 'Fills as soon as a model trains: one point per training step.' : 'No training step was logged: every model was loaded from a checkpoint, or the run ended before its first step.';
    case 'lr':
      if ([...new Set([...m.stepLr.keys(), ...m.epochs.keys()])].some((k) => lrSeries(m, k).points.length > 0)) return null;
      return going ? 'Fills as soon as a model trains: the learning rate of each step.' : 'No training step was logged, so there is no learning rate to show.';
    case 'lossTerms':
      if (anyEpoch) return null;
      return going ? "Fills when the first epoch ends: the epoch's mean of each term of the method's loss, beside the total." : 'No epoch ended in this run.';
    case 'accuracy':
      if (anyEpoch) return null;
      return going ? 'Fills when the first epoch ends: training and validation accuracy, and PGD accuracy on a slice of the test split.' : 'No epoch ended in this run.';
    case 'similarity':
      if ([...m.similarity.values()].some((r) => r.length > 0)) return null;
      return going
        ? 'Fills after each epoch of a student that has a teacher: the similarity (CKA, and cosine for methods with projection heads) of their features.'
        : 'No teacher–student similarity: no model of this run learned from a teacher, or none finished an epoch.';
    case 'epsilon':
      if ([...m.results.values()].some((r) => r.accuracyVsEpsilon.length > 0)) return null;
      return going ? 'Fills at the end of the run, when each model is evaluated at several epsilons (evaluation.epsilons).' : 'No model was evaluated: the run ended before its evaluation.';
    case 'checkpointEvaluations':
      if (m.checkpointEvaluations.length) return null;
      return m.checkpoints.length
        ? "None yet: Evaluate Checkpoint (the run's context menu in the run explorer) evaluates a checkpoint with the attacks and epsilon you choose, and its figures are kept here."
        : 'None: the run has no checkpoint yet (one is written after each epoch).';
  }
}

/** The evaluated checkpoints as one table: a row per evaluation, a column per attack in the order first seen. */
export function checkpointEvaluationTable(list: readonly CheckpointEvaluation[]): {
  attacks: string[];
  rows: Array<{ checkpoint: string; model: string; epoch: number; step: number; epsilon: number; accuracies: Array<number | null>; flags: string[]; evaluatedAt: string }>;
} {
  const attacks: string[] = [];
  for (const e of list) for (const r of e.results.results) if (!attacks.includes(r.attack)) attacks.push(r.attack);
  return {
    attacks,
    rows: list.map((e) => ({
      checkpoint: e.checkpoint,
      model: e.model,
      epoch: e.epoch,
      step: e.step,
      epsilon: e.epsilon,
      accuracies: attacks.map((a) => e.results.results.find((r) => r.attack === a)?.accuracy ?? null),
      flags: (e.results.flags ?? []).map((f) => f.title),
      evaluatedAt: e.evaluatedAt,
    })),
  };
}

/** Replaces the run's checkpoint evaluations (the host sends the whole list) and says what changed. */
export function setCheckpointEvaluations(m: DashboardModel, list: readonly CheckpointEvaluation[], changes: Changes = noChanges()): Changes {
  m.checkpointEvaluations = [...list];
  for (const e of list) modelColourIndex(m, e.model);
  changes.checkpointEvaluations = true;
  return changes;
}
