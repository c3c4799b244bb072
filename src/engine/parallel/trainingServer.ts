/**
 * A worker thread's side of training: it mirrors the student, the teacher's architecture and the
 * method (built by the same factory as on the main thread, so the variables line up) and answers
 * the main thread's requests until the session closes. The teacher is frozen, so its weights come
 * once, with the setup; the student's and the method's come with every request.
 */
import * as tf from '@tensorflow/tfjs-core';
import { localPgd } from '../attacks/pgd';
import { methodImplementations } from '../methods/registry';
import { Batch, Method, localInference } from '../methods/method';
import type { Model } from '../models/model';
import { lossAndGradients, trainableOf } from '../step/trainStep';
import { Rng } from '../util/rng';
import { tidyPlain } from '../util/tidy';
import { ServerEnd, serveSync } from './syncChannel';
import {
  AttackRequest,
  Flat,
  GradientRequest,
  InferReply,
  InferRequest,
  ShardResult,
  TrainingReply,
  TrainingRequest,
  TrainingSetup,
  flatten,
  flattenAll,
  unflatten,
  unflattenAll,
} from './messages';
import { unpackParams, unpackWeights } from './weights';

/** Serves `end` until the session closes, with this thread's `student` and `teacher` copies. */
export function serveTraining(end: ServerEnd, setup: TrainingSetup, student: Model, teacher: Model | null): void {
  // A setup failure is the answer to every request: the main thread blocks on this channel.
  let method: Method | Error;
  try {
    if (teacher && setup.teacherWeights) unpackWeights(teacher, setup.teacherWeights);
    const factory = methodImplementations[setup.method];
    if (!factory) throw new Error(`unknown method '${setup.method}'`);
    method = factory({ ...setup, student, teacher });
  } catch (err) {
    method = err as Error;
  }
  try {
    serveSync<TrainingRequest, TrainingReply>(end, (request) => {
      if (method instanceof Error) throw method;
      if (request.kind === 'attack') return { value: attack(student, request) };
      if (request.kind === 'infer') {
        if (!teacher) throw new Error('this session has no teacher');
        return { value: infer(teacher, request) };
      }
      const share = gradients(student, method, request);
      return { value: share, transfer: [share.grads.buffer as ArrayBuffer] };
    });
  } finally {
    if (!(method instanceof Error)) method.dispose?.();
  }
}

const unusedRng = new Rng(0); // the start noise comes with the request

function attack(student: Model, q: AttackRequest): Flat {
  unpackParams([student.params], q.weights, student.arch);
  return tidyPlain(() => {
    const x = unflatten(q.x) as tf.Tensor4D;
    const y = unflatten(q.labels) as tf.Tensor1D;
    const adv = localPgd(student, x, y, {
      ...q.options,
      startNoise: q.noise ? (unflatten(q.noise) as tf.Tensor4D) : undefined,
      targetProbs: q.targetProbs ? (unflatten(q.targetProbs) as tf.Tensor2D) : undefined,
    }, unusedRng);
    return flatten(adv);
  });
}

function infer(teacher: Model, q: InferRequest): InferReply {
  return tidyPlain(() => {
    const out = localInference(teacher, unflatten(q.x) as tf.Tensor4D, q.taps);
    return { logits: flatten(out.logits), features: flattenAll(out.features) };
  });
}

function gradients(student: Model, method: Method, q: GradientRequest): ShardResult {
  unpackParams([student.params, method.extraParams], q.weights, `${student.arch} and ${method.name}`);
  return tidyPlain(() => {
    const batch: Batch = {
      x: unflatten(q.x) as tf.Tensor4D,
      y: unflatten(q.y) as tf.Tensor1D,
      labels: q.labels,
      indices: q.indices,
      total: q.total,
    };
    const prepared = { input: unflatten(q.input) as tf.Tensor4D, tensors: unflattenAll(q.tensors), shared: unflattenAll(q.shared), constants: q.constants };
    const vars = trainableOf(student, method);
    const share = lossAndGradients(method, batch, prepared, vars);
    const flat = new Float32Array(vars.reduce((n, [, v]) => n + v.size, 0));
    let at = 0;
    for (const [, v] of vars) {
      if (share.grads[v.name]) flat.set(share.grads[v.name].dataSync() as Float32Array, at);
      at += v.size;
    }
    const result: ShardResult = { grads: flat, loss: share.loss, terms: share.terms, correct: share.correct, keep: flattenAll(share.keep) };
    tf.dispose(Object.values(share.keep));
    return result;
  });
}
