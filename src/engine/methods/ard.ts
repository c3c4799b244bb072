/**
 * ARD: Adversarially Robust Distillation.
 * Goldblum, Fowl, Feizi, Goldstein, AAAI 2020 (arXiv 1905.09747); official code
 * goldblum/AdversariallyRobustDistillation.          (described in ard.info.ts)
 *   x' = PGD_eps(CE(S(.), y));  L = alpha * T^2 * KL(T^tau(x) || S^tau(x')) + (1 - alpha) * CE(S(x), y)
 * The teacher sees the clean input. Defaults follow ARD's code (alpha = 1, tau = 30) except for
 * the two conventions stated once for every method (conventions.info.ts): ARD's code averages its
 * KL over batch and classes ('mean') and attacks in train mode; both are settings.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MethodFactory, inference } from './method';
import { batchMean, crossEntropyRows, distillationKl } from './losses';
import { trainingAttack } from './trainingAttack';
import type { KlReduction } from './conventions.info';

export const ard: MethodFactory = (ctx) => {
  const { student, teacher, settings } = ctx;
  if (!teacher) throw new Error('ard needs a teacher: add a teacher: section');
  const alpha = settings.alpha as number;
  const temperature = settings.temperature as number;
  const reduction = settings.kl_reduction as KlReduction;
  return {
    name: 'ard',
    extraParams: null,
    prepare(rows) {
      const input = trainingAttack(ctx, rows);
      const teacherLogits = inference(teacher, rows.x, []).logits;
      return { input, tensors: { teacherLogits } };
    },
    loss(rows, prepared) {
      const logits = student.apply(prepared.input, { training: true }).logits;
      const kd: tf.Scalar = tf.mul(distillationKl(prepared.tensors.teacherLogits as tf.Tensor2D, logits, temperature, reduction, rows), alpha);
      const terms: Record<string, tf.Scalar> = { kd };
      let loss = kd;
      if (alpha < 1) {
        const clean = student.apply(rows.x, { training: true }).logits;
        const ce = tf.mul(batchMean(crossEntropyRows(clean, rows.y), rows), 1 - alpha) as tf.Scalar;
        terms.ce = ce;
        loss = tf.add<tf.Scalar>(kd, ce);
      }
      return { loss, terms, logits };
    },
  };
};
