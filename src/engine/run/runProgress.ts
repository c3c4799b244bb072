/**
 * The run's one progress figure: the fraction of the planned work done (workPlan.ts) and the time
 * left, emitted as `run-progress` events. It follows the events the run already emits (a training
 * step's `progress`, an `epoch`, an `evaluation-progress` block, an `evaluation`), so the trainer
 * and the evaluation do not know about it.
 *
 * The fraction never goes back and reaches 1 only with `finish()`. The time left is the work left
 * times the seconds per unit measured so far in this process, for training and evaluation apart
 * (the other's rate until a kind has its own); work a resumed run skipped is not timed.
 *
 * It also keeps the run audible: `beat()` (called from inside long attacks and on a timer) emits
 * a `run-progress` when nothing was emitted for `quietMs`, so no consumer waits more than a few
 * seconds for a sign of life.
 */
import type { EngineEvent, EventBody } from '../../protocol/events';
import type { Phase } from './workPlan';

/** Below 1 until the run has finished, however the estimate rounds. */
const ALMOST_DONE = 0.999;

export interface RunProgressOptions {
  /** Least time between two `run-progress` events (default 2 s). */
  throttleMs?: number;
  /** Silence after which `beat()` emits (default 2 s). */
  quietMs?: number;
  now?: () => number;
}

type Kind = Phase['kind'];

export class RunProgress {
  private readonly byKey = new Map<string, Phase>();
  private readonly done = new Map<string, number>();
  private readonly total: number;
  private readonly timed: Record<Kind, { units: number; seconds: number }> = {
    training: { units: 0, seconds: 0 },
    evaluation: { units: 0, seconds: 0 },
  };
  private current: { phase: Phase; detail: string } | null = null;
  /** The last observation: its phase and time, for the rates. */
  private last: { key: string; at: number } | null = null;
  private lastEventAt: number;
  private lastProgressAt = -Infinity;
  private readonly throttleMs: number;
  private readonly quietMs: number;
  private readonly now: () => number;

  constructor(
    phases: Phase[],
    private readonly emit: (body: EventBody) => void,
    o: RunProgressOptions = {},
  ) {
    for (const p of phases) this.byKey.set(p.key, p);
    this.total = phases.reduce((a, p) => a + p.units, 0);
    this.throttleMs = o.throttleMs ?? 2000;
    this.quietMs = o.quietMs ?? 2000;
    this.now = o.now ?? Date.now;
    this.lastEventAt = this.now();
  }

  /** Fraction of the planned work done, below 1 until `finish()`. */
  fraction(): number {
    if (this.total <= 0) return 0;
    let d = 0;
    for (const v of this.done.values()) d += v;
    return Math.min(ALMOST_DONE, d / this.total);
  }

  /** Seconds left at the measured rates; undefined before anything was timed. */
  etaSeconds(): number | undefined {
    const rate = (k: Kind): number | undefined => {
      const own = this.timed[k];
      const other = this.timed[k === 'training' ? 'evaluation' : 'training'];
      if (own.units > 0) return own.seconds / own.units;
      return other.units > 0 ? other.seconds / other.units : undefined;
    };
    let left = 0;
    for (const p of this.byKey.values()) {
      const remaining = p.units - (this.done.get(p.key) ?? 0);
      if (remaining <= 0) continue;
      const r = rate(p.kind);
      if (r === undefined) return undefined;
      left += remaining * r;
    }
    // The clock runs on between observations (a long attack): the estimate counts down with it.
    const since = this.last ? (this.now() - this.last.at) / 1000 : 0;
    return Math.max(0, left - since);
  }

  /** Follows one event of the run's log (a listener registered after the others). */
  observe(e: EngineEvent): void {
    this.lastEventAt = this.now();
    if (e.type === 'run-progress') return;
    const seen = this.locate(e);
    if (!seen) return;
    const { phase, units, detail } = seen;
    const before = this.done.get(phase.key) ?? 0;
    const after = Math.min(phase.units, Math.max(before, units));
    const at = this.now();
    // Rates from steps within one phase only: the first observation of a phase may carry work
    // a resumed run skipped, or the set-up between phases.
    if (this.last?.key === phase.key && after > before) {
      this.timed[phase.kind].units += after - before;
      this.timed[phase.kind].seconds += (at - this.last.at) / 1000;
    }
    this.last = { key: phase.key, at };
    this.done.set(phase.key, after);
    const changed = this.current?.phase.key !== phase.key;
    this.current = { phase, detail };
    if (changed || at - this.lastProgressAt >= this.throttleMs) this.report();
  }

  /** Emits when the run has been silent for `quietMs` (call it often; it is cheap). */
  beat(): void {
    if (this.now() - this.lastEventAt >= this.quietMs) this.report();
  }

  /** A phase an earlier session finished (a resumed run skips it): done, and not timed. */
  complete(key: string): void {
    const p = this.byKey.get(key);
    if (p) this.done.set(key, p.units);
  }

  /** The run has finished: the figure is 1. */
  finish(): void {
    for (const p of this.byKey.values()) this.done.set(p.key, p.units);
    this.emit({ type: 'run-progress', fraction: 1, etaSeconds: 0, phase: 'done', model: this.current?.phase.model ?? '', detail: 'finished' });
  }

  private report(): void {
    this.lastProgressAt = this.now();
    this.emit({
      type: 'run-progress',
      fraction: this.fraction(),
      etaSeconds: this.etaSeconds(),
      phase: this.current?.phase.kind ?? 'setup',
      model: this.current?.phase.model ?? '',
      detail: this.current?.detail ?? 'starting',
    });
  }

  /** The phase an event is about and the units of that phase done when it was emitted. */
  private locate(e: EngineEvent): { phase: Phase; units: number; detail: string } | null {
    switch (e.type) {
      case 'progress': {
        const p = this.byKey.get(`train:${e.model}`);
        if (!p) return null;
        const epochs = e.epoch - 1;
        const units = epochs * (p.monitorUnits ?? 0) + (epochs * e.stepsPerEpoch + e.step) * (p.stepUnits ?? 0);
        return { phase: p, units, detail: `epoch ${e.epoch}, step ${e.step}/${e.stepsPerEpoch}` };
      }
      case 'epoch': {
        const p = this.byKey.get(`train:${e.model}`);
        if (!p) return null;
        const units = e.epoch * ((p.monitorUnits ?? 0) + (p.stepsPerEpoch ?? 0) * (p.stepUnits ?? 0));
        return { phase: p, units, detail: `epoch ${e.epoch}/${e.epochs} done` };
      }
      case 'evaluation-progress': {
        const p = this.byKey.get(`eval:${e.model}`);
        if (!p) return null;
        const rows = p.rowUnits ?? [];
        const before = rows.slice(0, e.row).reduce((a, b) => a + b, 0);
        const units = before + (rows[e.row] ?? 0) * (e.done / Math.max(e.total, 1));
        // A finished row says so: the heartbeats that follow it are spent in the next row.
        const where = e.done === e.total ? `${e.attack} done` : `${e.attack} ${e.done}/${e.total}`;
        return { phase: p, units, detail: `${where} (row ${e.row + 1}/${e.rows})` };
      }
      case 'evaluation': {
        const p = this.byKey.get(`eval:${e.model}`);
        return p ? { phase: p, units: p.units, detail: e.cached ? 'evaluated (cached)' : 'evaluated' } : null;
      }
      default:
        return null;
    }
  }
}
