/**
 * The main thread's side of training with worker threads. Each worker mirrors the student, the
 * teacher and the method (built by the same factory, so the variables line up, and given the
 * method's state when the session opens) and serves the stages of each step on its share of the
 * rows: prepare, then loss and gradients. Every thread's copy of the method takes each step's rows
 * (`afterStep`), so memory banks stay the same everywhere and only plain data crosses threads.
 */
import type { Batch, BatchInfo, Method, Plan, Whole } from '../methods/method';
import type { Model } from '../models/model';
import { rowsOf } from '../step/shares';
import type { LossShare, PreparedShare, ShareWorkers } from '../step/trainStep';
import { tidyPlain } from '../util/tidy';
import { AfterStep, LossReply, PrepareReply, TrainingReply, TrainingRequest, flatten, flattenAll, unflatten } from './messages';
import { SyncCaller } from './syncChannel';
import { packParams } from './weights';

export type TrainingCaller = SyncCaller<TrainingRequest, TrainingReply>;

/** Steps' after-update data kept for the workers at most this long before it is sent on its own. */
const MAX_PENDING = 4;

export class TrainingSession implements ShareWorkers {
  private pending: AfterStep[] = [];

  constructor(
    private readonly callers: TrainingCaller[],
    private readonly student: Model,
    private readonly method: Method,
  ) {}

  get threads(): number {
    return this.callers.length + 1;
  }

  prepare(batch: Batch, bounds: number[], plan: Plan): () => PreparedShare[] {
    const weights = packParams([this.student.params, this.method.extraParams]);
    const afterSteps = this.takePending();
    this.callers.forEach((caller, k) => {
      const part = tidyPlain(() => {
        const r = rowsOf(batch, bounds[k + 1], bounds[k + 2]);
        return {
          x: flatten(r.x),
          y: flatten(r.y),
          labels: r.labels.slice(),
          indices: r.indices.slice(),
          offset: r.offset,
          noise: r.noise ? flatten(r.noise) : null,
        };
      });
      caller.post({ kind: 'prepare', weights, ...part, total: batch.total, plan, afterSteps });
    });
    return () =>
      this.collectAll((reply) => {
        const r = reply as PrepareReply;
        return { sums: r.sums, weights: r.weights, gathered: Object.fromEntries(Object.entries(r.gathered).map(([k, f]) => [k, unflatten(f)])) };
      });
  }

  loss(whole: Whole): () => LossShare[] {
    const gathered = flattenAll(whole.gathered);
    for (const caller of this.callers) caller.post({ kind: 'loss', sums: whole.sums, gathered });
    return () => this.collectAll((reply) => reply as LossReply);
  }

  afterStep(batch: BatchInfo, whole: Omit<Whole, 'gathered'>, kept: Record<string, Float32Array>): void {
    this.pending.push({ batch: { labels: batch.labels.slice(), indices: batch.indices.slice(), total: batch.total }, whole, kept });
    // Steps that were not shared (a last batch smaller than the threads, a step that couples its
    // rows) do not carry the data along: send it on its own before it piles up.
    if (this.pending.length >= MAX_PENDING) {
      const afterSteps = this.takePending();
      for (const caller of this.callers) caller.post({ kind: 'after-step', afterSteps });
      this.collectAll(() => null);
    }
  }

  drain(): void {
    for (const c of this.callers) c.drain();
  }

  close(): void {
    for (const c of this.callers) c.close();
  }

  private takePending(): AfterStep[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Every caller's reply, in order; if one fails, the others are still collected, then it throws. */
  private collectAll<T>(read: (reply: TrainingReply) => T): T[] {
    const out: T[] = [];
    let failure: Error | null = null;
    for (const c of this.callers) {
      try {
        out.push(read(c.collect()));
      } catch (err) {
        failure ??= err as Error;
      }
    }
    if (failure) throw failure;
    return out;
  }
}

