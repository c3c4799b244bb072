/**
 * AdaAD: Adaptive Adversarial Distillation.
 * Huang, Xu, Zhang, Chen, Wang, Chen, "Boosting Accuracy and Robustness of Student Models via
 * Adaptive Adversarial Distillation", CVPR 2023; official code boyellow/AdaAD (AT_helper.py
 * `adaad_inner_loss`, main.py).                          (described in adaad.info.ts)
 *   x'_0 = x + 0.001 N(0, I);  x' = PGD_eps maximising sum_i KL(T(x'_i) || S(x'_i)), the gradient
 *          through both models, the student in eval mode
 *   L = alpha KL(T(x') || S(x')) + (1 - alpha) KL(T(x) || S(x))
 *   reweight: iad (main.py's AdaAD_with_IAD1), IAD-I's loss with the teacher at x':
 *   L = a [tau^2 KL(T^tau(x') || S^tau(x')) + (1 - alpha_i) KL(S(x) || S(x'))] + (1 - a) CE(S(x), y),
 *       alpha_i = p_T(y_i | x'_i)^beta from epoch `iad_begin` on (1 before), S(x) not detached
 * The attack is the run's training.attack: the paper's larger search radius (main.py's defaults,
 * epsilon 16/255 with step 4/255) is a setting of the experiment, not of the method.
 * main.py reduces its KLs with `KLDivLoss()` ('mean', over batch and classes) on CIFAR-10, and
 * sums over the classes on CIFAR-100 and in AdaIAD; our default is 'batchmean' (kl_reduction).
 * Batch-norm only, no value or gradient changes: main.py always runs S(x) in training mode (for
 * its accuracy log, and for the clean term even when alpha = 1 weighs it 0); here S(x) runs when
 * a term needs it, so the running averages move less often.
 */
import * as tf from '@tensorflow/tfjs-core';
import { klPerSample } from '../attacks/losses';
import type { AdaadSettings } from './adaad.info';
import type { KlReduction } from './conventions.info';
import { iadOneLossRows, iadTrust, weightedKl } from './iad';
import { Batch, MethodContext, MethodFactory, Prepared, SampleWeights, inference, scheduleOf } from './method';
import { reweightRows } from './reweight';
import { attackedStudent, trainingAttackOn } from './trainingAttack';

/**
 * AdaAD's inner maximisation for `rows`: x' maximising KL(T(x') || S(x')) with the gradient through
 * the teacher's prediction too (the code feeds `F.softmax(teacher_model(x_adv))` to KLDivLoss).
 * `attack` overrides the run's epsilon and step (IGDM's swapped call).
 */
export function adaadAttack(ctx: MethodContext, rows: Batch, attack: MethodContext['attack'] = ctx.attack): tf.Tensor4D {
  const teacher = ctx.teacher!;
  const student = attackedStudent(ctx);
  const c = attack === ctx.attack ? ctx : { ...ctx, attack };
  return trainingAttackOn(c, rows, (x) => klPerSample(tf.softmax(teacher.apply(x, { training: false }).logits), student(x)));
}

/**
 * AdaAD's outer loss: alpha KL(T(x') || S(x')) + (1 - alpha) KL(T(x) || S(x)), the clean term only
 * when its logits are given (alpha < 1).
 */
export function adaadLossRows(
  adv: tf.Tensor2D,
  teacherAdv: tf.Tensor2D,
  clean: { student: tf.Tensor2D; teacher: tf.Tensor2D } | null,
  alpha: number,
  reduction: KlReduction,
  rows: Pick<Batch, 'total'>,
): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const terms: Record<string, tf.Scalar> = { adversarial: tf.mul(weightedKl(teacherAdv, adv, 1, null, 1, reduction, rows), alpha) };
  if (clean) terms.clean = tf.mul(weightedKl(clean.teacher, clean.student, 1, null, 1, reduction, rows), 1 - alpha);
  return { loss: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}

export const adaad: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('adaad needs a teacher: add a teacher: section');
  const s = ctx.settings as AdaadSettings;
  const iadMode = s.reweight === 'iad';
  return {
    name: 'adaad',
    extraParams: null,

    prepare(rows: Batch, plan): Prepared {
      const input = adaadAttack(ctx, rows);
      const teacherAdv = inference(teacher, input, []).logits;
      const tensors: Record<string, tf.Tensor> = { teacherAdv };
      let weights: SampleWeights;
      if (iadMode) {
        weights = iadTrust(teacherAdv, rows.labels, s.iad_beta, scheduleOf(plan).epoch, s.iad_begin);
        tensors.trust = tf.tensor1d(weights.weights);
      } else {
        // Plain AdaAD weighs every row 1; the teacher's confidence at x' still goes to the charts.
        weights = reweightRows('none', 0, teacherAdv, rows.labels);
        if (s.alpha < 1) tensors.teacherClean = inference(teacher, rows.x, []).logits;
      }
      return { input, tensors, weights };
    },

    loss(rows, prepared, whole) {
      const t = prepared.tensors;
      const adv = student.apply(prepared.input, { training: true }).logits;
      if (iadMode) {
        const warm = scheduleOf(whole.plan).epoch >= s.iad_begin;
        const clean = warm || s.iad_alpha < 1 ? student.apply(rows.x, { training: true }).logits : null;
        const { loss, terms } = iadOneLossRows(
          { adv, clean, teacher: t.teacherAdv as tf.Tensor2D, labels: rows.y, trust: t.trust as tf.Tensor1D },
          { alpha: s.iad_alpha, temperature: s.iad_temperature, reduction: s.kl_reduction },
          rows,
        );
        return { loss, terms, logits: adv };
      }
      const clean = s.alpha < 1 ? { student: student.apply(rows.x, { training: true }).logits, teacher: t.teacherClean as tf.Tensor2D } : null;
      const { loss, terms } = adaadLossRows(adv, t.teacherAdv as tf.Tensor2D, clean, s.alpha, s.kl_reduction, rows);
      return { loss, terms, logits: adv };
    },
  };
};
