/**
 * A worker thread's side of training: it mirrors the student, the teacher's architecture and the
 * method (built by the same factory as on the main thread, so the variables line up, and loaded
 * with the main thread's method state) and serves the stages of each step on its share of the
 * rows until the session closes. The teacher is frozen, so its weights come once, with the setup;
 * the student's and the method's come with every prepare request.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Method, Plan, Prepared, Teachers } from '../methods/method';
import { methodFactory } from '../methods/registry';
import type { Model } from '../models/model';
import { disposePrepared, lossAndGradients, trainableOf } from '../step/trainStep';
import { tidyPlain } from '../util/tidy';
import { AfterStep, LossReply, LossRequest, PrepareReply, PrepareRequest, TrainingReply, TrainingRequest, TrainingSetup, flattenAll, unflatten, unflattenAll } from './messages';
import { ServerEnd, serveSync } from './syncChannel';
import { unpackParams, unpackWeights } from './weights';

/** What a prepare request left for the loss request that follows it. */
interface Share {
  rows: Batch;
  prepared: Prepared;
  plan: Plan;
  total: number;
}

/** Serves `end` until the session closes, with this thread's copies of the student and the teachers. */
export function serveTraining(end: ServerEnd, setup: TrainingSetup, student: Model, teachers: Teachers): void {
  // A setup failure is the answer to every request: the main thread blocks on this channel.
  let method: Method | Error;
  try {
    for (const [role, t] of Object.entries(setup.teachers)) unpackWeights(teachers[role as keyof Teachers]!, t.weights);
    method = methodFactory(setup.method)({ ...setup, student, teacher: teachers.adversarial ?? null, teachers });
    if (Object.keys(setup.methodState).length > 0) method.loadState?.(setup.methodState);
  } catch (err) {
    method = err as Error;
  }
  let share: Share | null = null;
  const release = () => {
    if (share) tf.dispose([share.rows.x, share.rows.y, share.rows.noise ?? []].flat());
    if (share) disposePrepared(share.prepared);
    share = null;
  };
  try {
    serveSync<TrainingRequest, TrainingReply>(end, (request) => {
      if (method instanceof Error) throw method;
      const m = method;
      switch (request.kind) {
        case 'prepare': {
          release();
          applyAfterSteps(m, request.afterSteps);
          const made = prepare(student, m, request);
          share = made.share;
          return { value: made.reply };
        }
        case 'loss': {
          if (!share) throw new Error('a loss request came without a prepare request before it');
          const reply = loss(student, m, share, request);
          release();
          return { value: reply, transfer: [reply.grads.buffer as ArrayBuffer] };
        }
        case 'after-step':
          applyAfterSteps(m, request.afterSteps);
          return { value: null };
      }
    });
  } finally {
    release();
    if (!(method instanceof Error)) method.dispose?.();
  }
}

function applyAfterSteps(method: Method, steps: AfterStep[]): void {
  for (const s of steps) method.afterStep?.(s.batch, s.whole, s.kept);
}

function prepare(student: Model, method: Method, q: PrepareRequest): { share: Share; reply: PrepareReply } {
  unpackParams([student.params, method.extraParams], q.weights, `${student.arch} and ${method.name}`);
  const rows: Batch = {
    x: unflatten(q.x) as tf.Tensor4D,
    y: unflatten(q.y) as tf.Tensor1D,
    labels: q.labels,
    indices: q.indices,
    total: q.total,
    offset: q.offset,
    noise: q.noise ? (unflatten(q.noise) as tf.Tensor4D) : null,
  };
  const prepared = method.prepare(rows, q.plan);
  const reply: PrepareReply = { sums: prepared.sums ?? {}, gathered: flattenAll(prepared.gathered), weights: prepared.weights };
  return { share: { rows, prepared, plan: q.plan, total: q.total }, reply };
}

function loss(student: Model, method: Method, share: Share, q: LossRequest): LossReply {
  return tidyPlain(() => {
    const whole = { total: share.total, plan: share.plan, sums: q.sums, gathered: unflattenAll(q.gathered) };
    const vars = trainableOf(student, method);
    const result = lossAndGradients(method, share.rows, share.prepared, whole, vars);
    const flat = new Float32Array(vars.reduce((n, [, v]) => n + v.size, 0));
    let at = 0;
    for (const [, v] of vars) {
      if (result.grads[v.name]) flat.set(result.grads[v.name].dataSync() as Float32Array, at);
      at += v.size;
    }
    return { grads: flat, loss: result.loss, terms: result.terms, correct: result.correct, keep: result.keep };
  });
}
