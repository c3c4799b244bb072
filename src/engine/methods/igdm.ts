/**
 * IGDM: Indirect Gradient Distillation Module, on top of AdaAD.
 * Lee, Cho, Kim, "Indirect Gradient Matching for Adversarial Robust Distillation", ICLR 2025
 * (arXiv 2312.03286); official code HongsinLee/saad igdm.py, and the IGDM release's
 * adaad_IGDM_cifar100.py (read in a copy, Xavaitron/VLM_Distillation ICLR_IGDM).
 *                                                        (described in igdm.info.ts)
 *   x' = AdaAD's attack (adaad.ts);  d = x' - x;  x+ = x + b d,  x- = x - g d   (b = g = 1; x- unclipped)
 *   L = a_AD KL(T(x') || S(x')) + (1 - a_AD) KL(T(x) || S(x))
 *     + alpha * ramp * KL(softmax(T(x+) - T(x-)) || softmax(S(x+) - S(x-)))
 * As both codes write it: `KLDivLoss(reduction="batchmean")(log_softmax(S+ - S-), softmax(T+ - T-))`,
 * i.e. the teacher's softmaxed logit difference is the target, the student's the model; the
 * teacher's side is computed without gradient; with b = 1, S(x+) is S(x'), as saad's igdm.py uses
 * one forward pass for both terms.
 * The ramp: both codes count epochs from 1 and weigh the term by epoch/200, 200 being their number
 * of epochs; with `scheduleOf` counting from 0 that is (epoch + 1)/epochs here, 1/epochs in the first
 * epoch and 1 in the last.
 * The attack's radius: saad's igdm.py passes step_size=8/255, epsilon=2/255 to adaad_inner_loss
 * (whose defaults are step 2/255, epsilon 8/255), so it attacks within 2/255 with 8/255 steps; the
 * IGDM release passes step 2/255, epsilon 8/255. Default: the release's (training.attack as given);
 * `swap_step_and_epsilon: true` runs saad's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adaadAttack, adaadLossRows } from './adaad';
import type { KlReduction } from './conventions.info';
import type { IgdmSettings } from './igdm.info';
import { weightedKl } from './iad';
import { Batch, MethodFactory, Prepared, inference, scheduleOf } from './method';

/** IGDM's ramp at a 0-based epoch: the codes' epoch/200 with epochs from 1 and 200 epochs. */
export function igdmRamp(epoch: number, epochs: number): number {
  return (epoch + 1) / Math.max(epochs, 1);
}

/** The logits IGDM's loss reads. */
export interface IgdmInputs {
  /** S(x'). */
  adv: tf.Tensor2D;
  /** T(x'), constant. */
  teacherAdv: tf.Tensor2D;
  /** S(x+) (S(x') itself when plus_scale is 1) and S(x-). */
  plus: tf.Tensor2D;
  minus: tf.Tensor2D;
  /** T(x+) - T(x-), constant. */
  teacherDiff: tf.Tensor2D;
  /** S(x) and T(x), when AdaAD's clean term has weight (adaad_alpha < 1). */
  clean: { student: tf.Tensor2D; teacher: tf.Tensor2D } | null;
}

/** IGDM's loss on AdaAD: AdaAD's terms plus alpha * ramp * KL(softmax(dT) || softmax(dS)). */
export function igdmLossRows(
  l: IgdmInputs,
  s: { alpha: number; adaadAlpha: number; ramp: number; reduction: KlReduction },
  rows: Pick<Batch, 'total'>,
): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const { terms } = adaadLossRows(l.adv, l.teacherAdv, l.clean, s.adaadAlpha, s.reduction, rows);
  const studentDiff = tf.sub(l.plus, l.minus) as tf.Tensor2D;
  terms.igdm = tf.mul(weightedKl(l.teacherDiff, studentDiff, 1, null, 1, s.reduction, rows), s.alpha * s.ramp);
  return { loss: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}

export const igdm: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('igdm needs a teacher: add a teacher: section');
  const s = ctx.settings as IgdmSettings;
  const attack = s.swap_step_and_epsilon ? { ...ctx.attack, epsilon: ctx.attack.stepSize, stepSize: ctx.attack.epsilon } : ctx.attack;
  const plusIsAdv = s.plus_scale === 1;
  return {
    name: 'igdm',
    extraParams: null,

    prepare(rows: Batch): Prepared {
      const input = adaadAttack(ctx, rows, attack);
      const tensors: Record<string, tf.Tensor> = tf.tidy(() => {
        const delta = tf.sub(input, rows.x);
        const minus = tf.sub(rows.x, tf.mul(delta, s.minus_scale)) as tf.Tensor4D;
        const out: Record<string, tf.Tensor> = { minus };
        const teacherAdv = teacher.apply(input, { training: false }).logits;
        let teacherPlus = teacherAdv;
        if (!plusIsAdv) {
          out.plus = tf.add(rows.x, tf.mul(delta, s.plus_scale));
          teacherPlus = teacher.apply(out.plus as tf.Tensor4D, { training: false }).logits;
        }
        out.teacherAdv = teacherAdv;
        out.teacherDiff = tf.sub(teacherPlus, teacher.apply(minus, { training: false }).logits);
        return out;
      });
      if (s.adaad_alpha < 1) tensors.teacherClean = inference(teacher, rows.x, []).logits;
      return { input, tensors };
    },

    loss(rows, prepared, whole) {
      const t = prepared.tensors;
      const adv = student.apply(prepared.input, { training: true }).logits;
      const plus = plusIsAdv ? adv : student.apply(t.plus as tf.Tensor4D, { training: true }).logits;
      const minus = student.apply(t.minus as tf.Tensor4D, { training: true }).logits;
      const clean = s.adaad_alpha < 1 ? { student: student.apply(rows.x, { training: true }).logits, teacher: t.teacherClean as tf.Tensor2D } : null;
      const { epoch, epochs } = scheduleOf(whole.plan);
      const { loss, terms } = igdmLossRows(
        { adv, teacherAdv: t.teacherAdv as tf.Tensor2D, plus, minus, teacherDiff: t.teacherDiff as tf.Tensor2D, clean },
        { alpha: s.alpha, adaadAlpha: s.adaad_alpha, ramp: igdmRamp(epoch, epochs), reduction: s.kl_reduction },
        rows,
      );
      return { loss, terms, logits: adv };
    },
  };
};
