/**
 * RSLAD: Robust Soft Label Adversarial Distillation.
 * Zi, Zhao, Ma, Jiang, ICCV 2021 (arXiv 2108.07969); official code zibojia/RSLAD (rslad_loss.py,
 * `rslad_inner_loss`; the loss in resnet18_rslad_cifar10.py).          (described in rslad.info.ts)
 *   x'_0 = x + 0.001 * N(0, I);  x' = PGD_eps maximising sum_i KL(T(x_i) || S(x'_i))
 *   L = adv_weight * KL(T(x) || S(x')) + natural_weight * KL(T(x) || S(x)),  weights 5/6 and 1/6
 * The teacher sees the clean x only, in evaluation mode; the student is attacked in evaluation
 * mode, then run in training mode on x' and then on x (the code's order, which is also the order
 * its batch-norm running averages move in). The teacher's soft labels are fixed (detached).
 *
 * Departures, each a setting or without effect on training:
 *  - kl_reduction: the code writes its KL by hand and takes `torch.mean` over batch and classes
 *    ('mean'); our convention is 'batchmean' (10 times larger on 10 classes). Its CIFAR-100
 *    scripts multiply by 10 to make up for the mean over 100 classes.
 *  - The code's KL is `-a*b + log(b + 1e-5)*b`, a = log S, b = T's softmax: the 1e-5 moves the
 *    teacher's entropy term, a constant of the student, by at most 1e-5 per class. Here the KL is
 *    exact: the loss differs by that constant, every gradient is the same.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KlReduction } from './conventions.info';
import { distillationKl } from './losses';
import { Batch, MethodFactory, inference } from './method';
import type { RsladSettings } from './rslad.info';
import { trainingAttack } from './trainingAttack';

/** RSLAD's two terms on logits, each these rows' part of its batch mean, already weighted. */
export interface RsladTerms {
  /** adv_weight * KL(T(x) || S(x')), the code's `5/6 * kl_Loss1`. */
  adversarial: tf.Scalar;
  /** natural_weight * KL(T(x) || S(x)), the code's `1/6 * kl_Loss2`. */
  natural: tf.Scalar;
  loss: tf.Scalar;
}

/**
 * RSLAD's loss from the teacher's clean logits (made outside the tape, so fixed, as the code
 * detaches them) and the student's at x' and at x.
 */
export function rsladLossRows(
  teacherLogits: tf.Tensor2D,
  advLogits: tf.Tensor2D,
  naturalLogits: tf.Tensor2D,
  weights: { adv: number; natural: number },
  reduction: KlReduction,
  rows: Pick<Batch, 'total'>,
): RsladTerms {
  // The soft labels are the teacher's softmax at temperature 1.
  const adversarial = tf.mul(distillationKl(teacherLogits, advLogits, 1, reduction, rows), weights.adv) as tf.Scalar;
  const natural = tf.mul(distillationKl(teacherLogits, naturalLogits, 1, reduction, rows), weights.natural) as tf.Scalar;
  return { adversarial, natural, loss: tf.add(adversarial, natural) };
}

export const rslad: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('rslad needs a teacher: add a teacher: section');
  const s = ctx.settings as RsladSettings;
  const weights = { adv: s.adv_weight, natural: s.natural_weight };
  return {
    name: 'rslad',
    extraParams: null,
    prepare(rows) {
      const teacherLogits = inference(teacher, rows.x, []).logits;
      const teacherProbs = tf.softmax(teacherLogits) as tf.Tensor2D;
      const input = trainingAttack(ctx, rows, 'kl', teacherProbs);
      teacherProbs.dispose();
      return { input, tensors: { teacherLogits } };
    },
    loss(rows, prepared) {
      const adv = student.apply(prepared.input, { training: true }).logits;
      const natural = student.apply(rows.x, { training: true }).logits;
      const terms = rsladLossRows(prepared.tensors.teacherLogits as tf.Tensor2D, adv, natural, weights, s.kl_reduction, rows);
      return { loss: terms.loss, terms: { adversarial: terms.adversarial, natural: terms.natural }, logits: adv };
    },
  };
};
