/**
 * The engine's extra worker threads, for work that splits by sample (evaluation, training steps).
 * The main thread takes the first share of each job and the workers the rest, so `workers: 2`
 * keeps both cores of a laptop busy. Evaluation shares are whole evaluation batches, so its
 * figures do not depend on the number of workers; training shares are rows of each batch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Split } from '../data/types';
import type { Model } from '../models/model';
import { Correctness, CorrectnessFn, correctnessRange } from '../step/correctness';
import { addReport, emptyReport } from '../attacks/attack';
import { concatArrays } from '../step/shares';
import type { FromWorker, ToWorker } from './messages';
import { packWeights } from './weights';
import type { Method, MethodContext } from '../methods/method';
import type { ShareWorkers } from '../step/trainStep';
import { SyncCaller } from './syncChannel';
import { TrainingSession } from './trainingSession';
import type { TrainingReply, TrainingRequest, TrainingSetup } from './messages';

/** `auto` means one thread per core. */
export function workerCount(setting: number | 'auto'): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return setting === 'auto' ? Math.max(1, cores) : Math.max(1, setting);
}

/** How many threads a run computes on with a backend, as the number the run will use. */
export function threadsFor(backend: string, setting: number | 'auto'): number {
  return backend === 'wasm' ? workerCount(setting) : 1;
}

/**
 * The threads in words, for the backend line: the wasm backend runs one worker thread per share of
 * a batch; TensorFlow's native backends spread each operation over the cores themselves.
 */
export function threadsWords(backend: string, setting: number | 'auto'): string {
  if (backend === 'tensorflow') return "TensorFlow's own threads";
  const n = threadsFor(backend, setting);
  const why = backend === 'wasm' ? (setting === 'auto' ? ' (workers: auto, one per core)' : ` (workers: ${setting})`) : '';
  return `${n} thread${n === 1 ? '' : 's'}${why}`;
}

/** A worker on the bundled dist/worker.js, or on the TypeScript source through tsx (tests, development). */
function newWorker(): Worker {
  const bundled = path.join(__dirname, 'worker.js');
  if (fs.existsSync(bundled)) return new Worker(bundled);
  const source = path.join(__dirname, 'worker.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, { eval: true });
}

export class WorkerPool {
  private readonly pending = new Map<number, { resolve: (c: Correctness) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'correctness') this.settle(m.id, { correct: m.correct, report: m.report });
        if (m.type === 'error' && m.id !== undefined) this.settle(m.id, new Error(`worker: ${m.message}`));
      });
      w.on('error', (err) => {
        for (const id of [...this.pending.keys()]) this.settle(id, err);
      });
    }
  }

  /** Starts `count - 1` workers on `backend` (the main thread is the first of `count`). */
  static async start(count: number, backend: string): Promise<WorkerPool> {
    const workers = Array.from({ length: Math.max(0, count - 1) }, newWorker);
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (m: FromWorker) => {
              if (m.type === 'ready') resolve();
              if (m.type === 'error') reject(new Error(`worker failed to start: ${m.message}`));
              w.off('message', onMessage);
            };
            w.on('message', onMessage);
            w.once('error', reject);
            w.postMessage({ type: 'init', backend } satisfies ToWorker);
          }),
      ),
    );
    return new WorkerPool(workers);
  }

  get size(): number {
    return this.workers.length + 1;
  }

  /** A correctness function for `model` that shares each split among the threads. */
  correctnessFor(model: Model): CorrectnessFn {
    const weights = packWeights(model);
    for (const w of this.workers) {
      w.postMessage({
        type: 'set-model',
        model: { arch: model.arch, inputShape: model.inputShape, numClasses: model.numClasses, ...model.built },
        weights,
      } satisfies ToWorker);
    }
    return async (split: Split, job) => {
      const batches = Math.ceil(split.count / job.batchSize);
      const perThread = Math.ceil(batches / this.size);
      const bounds = Array.from({ length: this.size + 1 }, (_, i) => Math.min(split.count, i * perThread * job.batchSize));
      const size = split.shape[0] * split.shape[1] * split.shape[2];
      const remote = this.workers.map((w, i) => {
        const from = bounds[i + 1];
        const to = bounds[i + 2];
        if (from >= to) return Promise.resolve({ correct: new Uint8Array(0), report: emptyReport() });
        const id = this.nextId++;
        const done = new Promise<Correctness>((resolve, reject) => this.pending.set(id, { resolve, reject }));
        // Seeds follow the sample position, so a share computed here matches the same share in one thread.
        w.postMessage({
          type: 'correctness',
          id,
          images: split.images.slice(from * size, to * size),
          labels: split.labels.slice(from, to),
          shape: split.shape,
          entry: job.entry,
          epsilon: job.epsilon,
          batchSize: job.batchSize,
          seed: job.seed,
          offset: (job.offset ?? 0) + from,
        } satisfies ToWorker);
        return done;
      });
      const local = correctnessRange(model, split, job, 0, bounds[1]);
      const shares = [local, ...(await Promise.all(remote))];
      return {
        correct: concatArrays(shares.map((s) => s.correct), (n) => new Uint8Array(n)),
        report: shares.reduce((sum, s) => addReport(sum, s.report), emptyReport()),
      };
    };
  }

  /**
   * Shares each training step of `method` (built from `ctx` on this thread) with every worker until
   * `close`. One session at a time, and no evaluation while it is open (the workers serve it).
   */
  trainingSession(name: string, ctx: MethodContext, method: Method): { workers: ShareWorkers; close: () => Promise<void> } {
    const ref = (m: Model) => ({ arch: m.arch, inputShape: m.inputShape, numClasses: m.numClasses, ...m.built });
    const closed: Array<Promise<void>> = [];
    const teachers = Object.fromEntries(
      Object.entries(ctx.teachers).map(([role, m]) => [role, { model: ref(m), weights: packWeights(m) }]),
    ) as TrainingSetup['teachers'];
    const methodState = method.state?.() ?? {};
    const callers = this.workers.map((worker) => {
      const { caller, server } = SyncCaller.open<TrainingRequest, TrainingReply>();
      closed.push(
        new Promise<void>((resolve) => {
          const onMessage = (m: FromWorker) => {
            if (m.type !== 'session-closed') return;
            worker.off('message', onMessage);
            resolve();
          };
          worker.on('message', onMessage);
        }),
      );
      const setup: TrainingSetup = {
        student: ref(ctx.student),
        teachers,
        method: name,
        settings: ctx.settings,
        attack: ctx.attack,
        trainSize: ctx.trainSize,
        trainLabels: ctx.trainLabels,
        numClasses: ctx.numClasses,
        seed: ctx.seed,
        methodState,
      };
      worker.postMessage({ type: 'training-session', setup, end: server } satisfies ToWorker, [server.port]);
      return caller;
    });
    const session = new TrainingSession(callers, ctx.student, method);
    return {
      workers: session,
      close: async () => {
        session.close();
        await Promise.all(closed);
      },
    };
  }

  private settle(id: number, result: Correctness | Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (result instanceof Error) p.reject(result);
    else p.resolve(result);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
