/**
 * ARD: Adversarially Robust Distillation.
 * Goldblum, Fowl, Feizi, Goldstein, AAAI 2020 (arXiv 1905.09747).
 *   x' = PGD_eps(CE(S(.), y));  L = alpha * T^2 * KL(T^tau(x) || S^tau(x')) + (1 - alpha) * CE(S(x), y)
 * The teacher sees the clean input. Defaults follow ARD's code: alpha = 1, tau = 30, KL averaged
 * over batch and classes ('mean').
 */
import * as tf from '@tensorflow/tfjs-core';
import { localPgd } from '../attacks/pgd';
import { MethodFactory, localInference } from './method';
import { crossEntropy, distillationKl } from './losses';

export const ard: MethodFactory = ({ student, teacher, attack, settings, perturb = localPgd, infer = localInference }) => {
  if (!teacher) throw new Error('ard needs a teacher: add a teacher: section');
  const alpha = settings.alpha as number;
  const temperature = settings.temperature as number;
  const reduction = settings.kl_reduction as 'mean' | 'batchmean';
  return {
    name: 'ard',
    extraParams: null,
    prepare(batch, rng) {
      const input = perturb(student, batch.x, batch.y, { ...attack, loss: 'ce' }, rng);
      const teacherLogits = infer(teacher, batch.x, []).logits;
      return { input, tensors: { teacherLogits } };
    },
    loss(batch, prepared) {
      const logits = student.apply(prepared.input, { training: true }).logits;
      const kd: tf.Scalar = tf.mul(distillationKl(prepared.tensors.teacherLogits as tf.Tensor2D, logits, temperature, reduction, batch.total), alpha);
      const terms: Record<string, tf.Scalar> = { kd };
      let loss = kd;
      if (alpha < 1) {
        const clean = student.apply(batch.x, { training: true }).logits;
        const ce = tf.mul(crossEntropy(clean, batch.y, batch.total), 1 - alpha) as tf.Scalar;
        terms.ce = ce;
        loss = tf.add<tf.Scalar>(kd, ce);
      }
      return { loss, terms, logits };
    },
  };
};
