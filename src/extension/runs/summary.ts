/**
 * A run's summary for the explorer, the status bar and the panels, folded from its events. Pure.
 *
 * The status comes from the log when the log says: the last `run-end` after the last `run-start`.
 * A run without an end is running while an engine of this window drives it, or while its log still
 * grows (a run from the CLI or another machine); a log that has been quiet for `staleMs` belongs to
 * an engine that died, and the run shows as stopped, ready to resume.
 */
import * as path from 'node:path';
import type { EngineEvent, ModelResults } from '../../protocol/events';
import type { RunMeta } from '../../protocol/runMeta';
import type { RunStatus } from '../../protocol/webview';

export interface RunSummary {
  runDir: string;
  runId: string;
  experiment: string;
  status: RunStatus;
  /** True when the log has no end and no engine of ours drives it, and it went quiet. */
  interrupted: boolean;
  method?: string;
  arch?: string;
  backend?: string;
  /** The model being trained now and how far along (the last progress event). */
  current?: { model: string; epoch: number; epochs: number; step: number; stepsPerEpoch: number; fraction: number; etaSeconds: number };
  /** The whole run's progress (the last `run-progress`): one figure over training and evaluation. */
  overall?: { fraction: number; etaSeconds?: number; phase: string; model: string; detail: string };
  results: ModelResults[];
  error?: string;
  startedAt?: string;
  lastSeq: number;
  /** The engine logged a checkpoint, so `gacd resume` has one to continue from. */
  hasCheckpoint: boolean;
  /** The resolved spec of the run-start event (spec.json's content). */
  spec?: unknown;
  /** The label, tags and note of the run's meta.json (set by the run store, not by the events). */
  meta?: RunMeta;
  /** Why the run's meta.json could not be read (the file is left as it is). */
  metaError?: string;
}

export const STALE_MS = 90_000;

export interface SummaryContext {
  /** An engine of this window is running this run. */
  live: boolean;
  /** When the log was last written (ms since epoch). */
  mtimeMs?: number;
  now?: number;
  staleMs?: number;
  /** An engine of this window ran it and exited without logging an end: how it ended. */
  exited?: 'stopped' | 'failed';
}

export function summarize(runDir: string, events: readonly EngineEvent[], ctx: SummaryContext): RunSummary {
  const s: RunSummary = {
    runDir,
    runId: path.basename(runDir),
    experiment: path.basename(path.dirname(runDir)),
    status: 'running',
    interrupted: false,
    results: [],
    lastSeq: -1,
    hasCheckpoint: false,
  };
  const epochsOf = new Map<string, number>();
  let ended: RunStatus | null = null;
  for (const e of events) {
    s.lastSeq = Math.max(s.lastSeq, e.seq);
    switch (e.type) {
      case 'run-start':
        s.runId = e.runId;
        s.experiment = e.experiment;
        s.backend = e.backend;
        s.spec = e.spec;
        s.startedAt ??= e.time;
        ended = null;
        s.overall = undefined;
        s.error = undefined;
        break;
      case 'stage-start':
        epochsOf.set(e.model, e.epochs);
        if (e.model === 'student') {
          s.method = e.method;
          s.arch = e.arch;
        }
        break;
      case 'progress': {
        const epochs = epochsOf.get(e.model) ?? e.epoch;
        const done = (e.epoch - 1) * e.stepsPerEpoch + e.step;
        s.current = { model: e.model, epoch: e.epoch, epochs, step: e.step, stepsPerEpoch: e.stepsPerEpoch, fraction: Math.min(1, done / Math.max(1, epochs * e.stepsPerEpoch)), etaSeconds: e.etaSeconds };
        break;
      }
      case 'run-progress':
        s.overall = { fraction: e.fraction, etaSeconds: e.etaSeconds, phase: e.phase, model: e.model, detail: e.detail };
        break;
      case 'evaluation': {
        const { seq: _s, time: _t, type: _y, ...r } = e;
        s.results = [...s.results.filter((x) => x.model !== r.model), r];
        break;
      }
      case 'checkpoint':
        s.hasCheckpoint = true;
        break;
      case 'error':
        s.error = e.message;
        break;
      case 'run-end':
        ended = e.status;
        if (e.results?.length) s.results = e.results;
        break;
    }
  }
  if (ended) s.status = ended;
  else if (ctx.live) s.status = 'running';
  else if (ctx.exited) {
    s.status = ctx.exited;
    s.interrupted = true;
  }
  else {
    const now = ctx.now ?? Date.now();
    const quiet = ctx.mtimeMs === undefined || now - ctx.mtimeMs > (ctx.staleMs ?? STALE_MS);
    s.status = quiet ? 'stopped' : 'running';
    s.interrupted = quiet;
  }
  return s;
}

/** The result a person looks at first: the student's strongest-attack accuracy, and its clean one. */
export function headlineResults(s: RunSummary): string | undefined {
  const r = s.results.find((x) => x.model === 'student') ?? s.results[0];
  if (!r || !r.results.length) return undefined;
  const clean = r.results.find((x) => x.attack === 'clean');
  const attacks = r.results.filter((x) => x.attack !== 'clean');
  const worst = attacks.length ? attacks.reduce((a, b) => (b.accuracy < a.accuracy ? b : a)) : undefined;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [clean && `clean ${pct(clean.accuracy)}`, worst && `${worst.attack} ${pct(worst.accuracy)}`].filter(Boolean).join(' · ');
}
