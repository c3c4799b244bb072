/**
 * The dashboard's view model and the reducer that folds engine events into it. Pure (no DOM), so
 * it is unit-tested in node; the page (main.ts) only draws what this computes.
 *
 * The reducer mutates the model in place and reports which parts changed, so the page redraws
 * only those charts: a live run appends a progress point every step, and with 100,000 points a
 * full rebuild on every message would not stay smooth.
 */
import type { EngineEvent, ModelResults } from '../../src/protocol/events';
import type { RunRef, RunStatus } from '../../src/protocol/webview';

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
  /** The evaluation under way (after the training), from `evaluation-progress` events. */
  evaluating: { model: string; attack: string; done: number; total: number; row: number; rows: number } | null;
  /** The per-step training loss of each model; x is the step counted from the model's start. */
  stepLoss: Map<string, Point[]>;
  /** How often each model's step series was cut back (a resume repeats steps): views redo their smoothing. */
  rewinds: Map<string, number>;
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
    evaluating: null,
    stepLoss: new Map(),
    rewinds: new Map(),
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
  return { header: false, stepLoss: new Set(), epochs: false, similarity: false, weights: false, results: false, messages: false };
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
    switch (e.type) {
      case 'run-start':
        m.backend = { name: e.backend, detail: e.backendDetail };
        m.versions = e.versions;
        m.spec = e.spec;
        m.resumed = m.resumed || e.resumed;
        // A resumed run is running again, whatever it was before.
        m.status = 'running';
        m.durationMs = null;
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
        for (const r of e.results ?? []) m.results.set(r.model, r);
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

export function percent(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(digits)}%`;
}
