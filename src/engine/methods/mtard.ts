/**
 * MTARD: Multi-Teacher Adversarial Robustness Distillation.
 * Zhao, Yu, Sun, Zhang, Wei, "Enhanced Accuracy and Robustness via Multi-Teacher Adversarial
 * Distillation", ECCV 2022; official code zhaoshiji123/MTARD (mtard/mtard_loss.py
 * mtard_inner_loss_ce, mtard/mtard_resnet18_cifar10.py).        (described in mtard.info.ts)
 *   x' = PGD_eps(CE(S(.), y)) from x + 0.001·N(0, I), the student in eval mode
 *   KL_adv = KL(T_adv(x') || S(x')),  KL_nat = KL(T_nat(x) || S(x)),  no temperature, both
 *            teachers in eval mode, the student in train mode (x' first, then x)
 *   per row, as the code's kl_loss: sum_c p_t·(log(p_t + 1e-5) − log_softmax(s)_c)
 *   each step, before its loss (as the code orders it), from the whole batch's two values:
 *     L_first ← the first step's values;  r = (L / L_first)^bert
 *     w_nat ← w_nat − lr_w·(w_nat − r_nat / (r_adv + r_nat));  w_adv = 1 − w_nat
 *   L = w_adv·KL_adv + w_nat·KL_nat;  lr_w ×0.1 at the code's milestones (215, 260, 285 of 300)
 * The code's mean of kl_loss over batch and classes is kl_reduction: mean; our default sums over
 * the classes (conventions.info.ts). The weights read ratios, so neither reduction nor loss_scale
 * changes them.
 *
 * The weights of a step depend on the whole batch's losses at that step, so that the shares of
 * a step agree: `prepare` computes each share's sums of the two per-row KL terms (the student in
 * train mode outside the tape, its batch-norm buffers put back: the values the loss will see),
 * the loss derives this step's weights from the whole batch's sums, and `afterStep` commits the
 * same arithmetic on every thread. This costs one more forward pass of x' and of x per step.
 * The weights and first losses are kept at float32 precision (as a checkpoint stores them), so a
 * resumed run continues exactly; the code keeps Python floats (a relative 1e-7 apart).
 */
import * as tf from '@tensorflow/tfjs-core';
import { keepingBuffers } from './contrastive';
import type { KlReduction } from './conventions.info';
import { batchMean } from './losses';
import { MethodFactory, Plan, inference, scheduleOf } from './method';
import type { MtardSettings } from './mtard.info';
import { trainingAttack } from './trainingAttack';
import { tidyPlain } from '../util/tidy';

/** The code's kl_loss summed over the classes, per row: sum_c p_t (log(p_t + 1e-5) − log softmax(s)). */
export function mtardKlRows(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const pt = tf.softmax(teacherLogits);
    return tf.sum(tf.mul(pt, tf.sub(tf.log(tf.add(pt, 1e-5)), tf.logSoftmax(studentLogits))), 1) as tf.Tensor1D;
  });
}

/**
 * The batch value of a KL term from the sum of its rows, at float32 as the code's `.item()` of a
 * float tensor: 'mean' also divides by the classes (the code's torch.mean over batch and classes).
 */
function batchValue(sumOfRows: number, total: number, classes: number, reduction: KlReduction, scale: number): number {
  return Math.fround((scale * sumOfRows) / (total * (reduction === 'mean' ? classes : 1)));
}

/** One KL term of these rows as their part of the batch's value (shares add up). */
export function mtardKl(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, reduction: KlReduction, scale: number, rows: { total: number }): tf.Scalar {
  return tf.tidy(() => {
    const classes = reduction === 'mean' ? studentLogits.shape[1] : 1;
    return tf.mul(batchMean(mtardKlRows(teacherLogits, studentLogits), rows), scale / classes) as tf.Scalar;
  });
}

/** The adaptive weights' state: the natural teacher's weight and each loss's first value (null before the first step). */
export interface MtardWeights {
  natural: number;
  firstAdversarial: number | null;
  firstNatural: number | null;
}

/**
 * One step of the code's update from this step's whole-batch losses (float32 values, as the
 * code's `.item()`), before they are weighted:
 * the first values are set on the first step, then w_nat moves towards r_nat / (r_adv + r_nat).
 * A ratio that is not finite (a first loss of 0) leaves the weight as it was.
 */
export function mtardWeightStep(w: MtardWeights, losses: { adversarial: number; natural: number }, lr: number, power: number): MtardWeights {
  const firstAdversarial = w.firstAdversarial ?? losses.adversarial;
  const firstNatural = w.firstNatural ?? losses.natural;
  const rAdv = Math.pow(losses.adversarial / firstAdversarial, power);
  const rNat = Math.pow(losses.natural / firstNatural, power);
  const target = rNat / (rAdv + rNat);
  const natural = Number.isFinite(target) ? Math.fround(w.natural - lr * (w.natural - target)) : w.natural;
  return { natural, firstAdversarial, firstNatural };
}

/** The weight learning rate at an epoch (from 0): times `decay` from each milestone on, as the code's. */
export function mtardWeightLr(s: Pick<MtardSettings, 'weight_lr' | 'weight_lr_milestones' | 'weight_lr_decay'>, epoch: number): number {
  return s.weight_lr * Math.pow(s.weight_lr_decay, s.weight_lr_milestones.filter((m) => epoch >= m).length);
}

export const mtard: MethodFactory = (ctx) => {
  const { student } = ctx;
  const adversarialTeacher = ctx.teachers.adversarial;
  const naturalTeacher = ctx.teachers.natural;
  if (!adversarialTeacher) throw new Error('mtard needs a robust teacher: add teacher: (or teachers: {adversarial: ...})');
  if (!naturalTeacher) throw new Error('mtard needs a naturally trained teacher: add teachers: {natural: ...}');
  const s = ctx.settings as MtardSettings;
  let weights: MtardWeights = { natural: Math.fround(s.natural_weight), firstAdversarial: null, firstNatural: null };

  /** This step's weights, from the whole batch's sums: the same arithmetic on every thread. */
  function stepWeights(sums: Record<string, number>, total: number, plan: Plan): MtardWeights {
    const losses = {
      adversarial: batchValue(sums.adversarialKl, total, ctx.numClasses, s.kl_reduction, s.loss_scale),
      natural: batchValue(sums.naturalKl, total, ctx.numClasses, s.kl_reduction, s.loss_scale),
    };
    return mtardWeightStep(weights, losses, mtardWeightLr(s, scheduleOf(plan).epoch), s.ratio_power);
  }

  return {
    name: 'mtard',
    extraParams: null,

    prepare(rows) {
      const input = trainingAttack(ctx, rows);
      const teacherAdversarial = inference(adversarialTeacher, input, []).logits;
      const teacherNatural = inference(naturalTeacher, rows.x, []).logits;
      // The step's losses as the loss stage will compute them, for this step's weights.
      const sums = tidyPlain(() =>
        keepingBuffers(student.params, () => {
          const adv = student.apply(input, { training: true }).logits;
          const nat = student.apply(rows.x, { training: true }).logits;
          return {
            adversarialKl: tf.sum(mtardKlRows(teacherAdversarial, adv)).dataSync()[0],
            naturalKl: tf.sum(mtardKlRows(teacherNatural, nat)).dataSync()[0],
          };
        }),
      );
      return { input, tensors: { teacherAdversarial, teacherNatural }, sums };
    },

    loss(rows, prepared, whole) {
      const w = stepWeights(whole.sums, whole.total, whole.plan);
      const t = prepared.tensors;
      const adv = student.apply(prepared.input, { training: true }).logits;
      const nat = student.apply(rows.x, { training: true }).logits;
      const adversarial = tf.mul(mtardKl(t.teacherAdversarial as tf.Tensor2D, adv, s.kl_reduction, s.loss_scale, rows), 1 - w.natural) as tf.Scalar;
      const natural = tf.mul(mtardKl(t.teacherNatural as tf.Tensor2D, nat, s.kl_reduction, s.loss_scale, rows), w.natural) as tf.Scalar;
      return { loss: tf.add(adversarial, natural) as tf.Scalar, terms: { adversarial, natural }, logits: adv };
    },

    afterStep(_batch, whole) {
      weights = stepWeights(whole.sums, whole.total, whole.plan);
    },

    adaptiveWeights() {
      return { adversarial: 1 - weights.natural, natural: weights.natural };
    },

    state() {
      // 0 marks a first loss not yet seen (a KL term is positive once seen).
      return { weights: [weights.natural, weights.firstAdversarial ?? 0, weights.firstNatural ?? 0] };
    },

    loadState(state) {
      const [natural, firstAdversarial, firstNatural] = Array.from(state.weights as ArrayLike<number>);
      weights = { natural, firstAdversarial: firstAdversarial || null, firstNatural: firstNatural || null };
    },
  };
};
