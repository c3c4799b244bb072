/**
 * IAD: Introspective Adversarial Distillation.
 * Zhu, Yao, Han, Zhang, Liu, Niu, Zhou, Xu, Yang, "Reliable Adversarial Distillation with
 * Unreliable Teachers", ICLR 2022; official code ZFancy/IAD (IAD-I.py, IAD-II.py).
 *                                                        (described in iad.info.ts)
 *   x' = PGD_eps(CE(S(.), y)) from a uniform start
 *   alpha_i = 1 before epoch `begin`, then p_T(y_i | x'_i)^beta   (a constant: the code takes .item())
 *   IAD-I  (ARD + introspection):
 *     L = alpha * [tau^2 KL(T^tau(x) || S^tau(x')) + (1 - alpha_i) KL(S(x) || S(x'))] + (1 - alpha) CE(S(x), y)
 *   IAD-II (AKD^2 + introspection, a naturally trained teacher T_nat):
 *     L = (1 - a1 - a2) CE(S(x'), y)
 *       + a1 tau^2 [alpha_i KL(T^tau(x') || S^tau(x')) + (1 - alpha_i) KL(S(x) || S(x'))]
 *       + a2 tau^2 KL(T_nat^tau(x') || S^tau(x'))
 * As the scripts code it: the KLs are summed over the classes and divided by the batch size
 * ('batchmean'); the self term's target S(x) is NOT detached (gradient flows through it); the
 * self term is at temperature 1 (IAD-II multiplies it by tau^2 all the same, IAD-I does not); the
 * warm-up compares the 0-based epoch with `begin` (`epoch >= args.begin`), as `scheduleOf` counts.
 * Deviations, each a setting: the attack runs the student in eval mode (the scripts: train mode,
 * attack_mode: train). Batch-norm only, no value or gradient changes: the scripts run the student
 * in training mode more often than their terms need (IAD-I: S(x) for its CE term even when alpha = 1
 * weighs it 0, S(x) again for the self term, S(x') once more for an unused `basicop`; IAD-II: S(x)
 * after the warm-up only, as here); here S(x) runs once, when a term needs it, so the running
 * averages move less often.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KlReduction } from './conventions.info';
import { iadBegin, type IadSettings } from './iad.info';
import { batchMean, crossEntropyRows, klRows } from './losses';
import { Batch, MethodFactory, Prepared, SampleWeights, inference, scheduleOf } from './method';
import { reweightRows } from './reweight';
import { trainingAttack } from './trainingAttack';

/**
 * These rows' part of a batch's KL(target^T || student^T), each row weighted (or not), times
 * `scale`, reduced as the codes' KLDivLoss: 'batchmean' sums over the classes, 'mean' also divides
 * by their number. The target keeps its gradient (detach it where the code does).
 */
export function weightedKl(
  targetLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  temperature: number,
  weights: tf.Tensor1D | null,
  scale: number,
  reduction: KlReduction,
  rows: Pick<Batch, 'total'>,
): tf.Scalar {
  return tf.tidy(() => {
    const perRow = klRows(targetLogits, studentLogits, temperature);
    const weighted = weights ? (tf.mul(perRow, weights) as tf.Tensor1D) : perRow;
    const classes = reduction === 'mean' ? studentLogits.shape[1] : 1;
    return tf.mul(batchMean(weighted, rows), scale / classes) as tf.Scalar;
  });
}

/**
 * The trust of each row: p_T(y | x')^beta from the teacher's logits at x', or 1 on every row
 * before epoch `begin` (0-based, as the scripts' `epoch >= args.begin`). Confidence and
 * correctness are reported either way, for the charts.
 */
export function iadTrust(teacherAdvLogits: tf.Tensor2D, labels: Int32Array, beta: number, epoch: number, begin: number): SampleWeights {
  const rows = reweightRows('confidence-power', beta, teacherAdvLogits, labels);
  return epoch >= begin ? rows : { ...rows, weights: new Float32Array(labels.length).fill(1) };
}

/** The logits IAD-I's loss reads (S(x) only where a term needs it: after the warm-up, or alpha < 1). */
export interface IadOneInputs {
  /** S(x'), the student at its adversarial input. */
  adv: tf.Tensor2D;
  /** S(x), not detached; null when no term needs it. */
  clean: tf.Tensor2D | null;
  /** The robust teacher's logits: at the clean x in IAD-I (at x' in AdaAD's AdaIAD). */
  teacher: tf.Tensor2D;
  labels: tf.Tensor1D;
  /** alpha_i, one per row (constants). */
  trust: tf.Tensor1D;
}

/**
 * IAD-I's loss as IAD-I.py codes it (AdaAD's `AdaAD_with_IAD1` codes the same, its teacher at x'):
 * alpha * [T^2 KL(T^T || S^T(x')) + (1 - alpha_i) KL(S(x) || S(x'))] + (1 - alpha) CE(S(x), y),
 * the self term only when `clean` is given (before the warm-up the code leaves it out; its weight is 0).
 */
export function iadOneLossRows(
  l: IadOneInputs,
  s: { alpha: number; temperature: number; reduction: KlReduction },
  rows: Pick<Batch, 'total'>,
): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const t = s.temperature;
  const terms: Record<string, tf.Scalar> = {
    teacher: tf.mul(weightedKl(l.teacher, l.adv, t, null, t * t, s.reduction, rows), s.alpha),
  };
  if (l.clean) {
    const distrust = tf.sub(1, l.trust) as tf.Tensor1D;
    terms.self = tf.mul(weightedKl(l.clean, l.adv, 1, distrust, 1, s.reduction, rows), s.alpha);
    if (s.alpha < 1) terms.ce = tf.mul(batchMean(crossEntropyRows(l.clean, l.labels), rows), 1 - s.alpha);
  }
  return { loss: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}

/** The logits IAD-II's loss reads. */
export interface IadTwoInputs {
  adv: tf.Tensor2D;
  /** S(x), not detached; null before the warm-up (the self term's weight is then 0). */
  clean: tf.Tensor2D | null;
  /** The robust teacher at x'. */
  teacher: tf.Tensor2D;
  /** The naturally trained teacher at x'. */
  natural: tf.Tensor2D;
  labels: tf.Tensor1D;
  trust: tf.Tensor1D;
}

/**
 * IAD-II's loss as IAD-II.py codes it: (1 - a1 - a2) CE(S(x'), y)
 * + a1 T^2 [alpha_i KL(T^T(x') || S^T(x')) + (1 - alpha_i) KL(S(x) || S(x'))] + a2 T^2 KL(T_nat^T(x') || S^T(x')).
 */
export function iadTwoLossRows(
  l: IadTwoInputs,
  s: { alpha1: number; alpha2: number; temperature: number; reduction: KlReduction },
  rows: Pick<Batch, 'total'>,
): { loss: tf.Scalar; terms: Record<string, tf.Scalar> } {
  const t2 = s.temperature * s.temperature;
  const terms: Record<string, tf.Scalar> = {
    ce: tf.mul(batchMean(crossEntropyRows(l.adv, l.labels), rows), 1 - s.alpha1 - s.alpha2),
    teacher: tf.mul(weightedKl(l.teacher, l.adv, s.temperature, l.trust, t2, s.reduction, rows), s.alpha1),
    natural: tf.mul(weightedKl(l.natural, l.adv, s.temperature, null, t2, s.reduction, rows), s.alpha2),
  };
  if (l.clean) {
    const distrust = tf.sub(1, l.trust) as tf.Tensor1D;
    // At temperature 1, yet inside the bracket that tau^2 multiplies.
    terms.self = tf.mul(weightedKl(l.clean, l.adv, 1, distrust, t2, s.reduction, rows), s.alpha1);
  }
  return { loss: tf.addN(Object.values(terms)) as tf.Scalar, terms };
}

export const iad: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('iad needs a teacher: add a teacher: section');
  const s = ctx.settings as IadSettings;
  const natural = ctx.teachers.natural ?? null;
  if (s.variant === 'ii' && !natural) throw new Error('iad variant ii needs a naturally trained teacher: add teachers: {natural: ...}');
  const begin = iadBegin(s);
  const reduction = s.kl_reduction;
  return {
    name: 'iad',
    extraParams: null,

    prepare(rows: Batch, plan): Prepared {
      const input = trainingAttack(ctx, rows);
      const teacherAdv = inference(teacher, input, []).logits;
      const weights = iadTrust(teacherAdv, rows.labels, s.beta, scheduleOf(plan).epoch, begin);
      const tensors: Record<string, tf.Tensor> = { trust: tf.tensor1d(weights.weights) };
      if (s.variant === 'i') {
        // IAD-I's teacher sees the clean x; x' only decides the trust.
        tensors.teacher = inference(teacher, rows.x, []).logits;
        teacherAdv.dispose();
      } else {
        tensors.teacher = teacherAdv;
        tensors.natural = inference(natural!, input, []).logits;
      }
      return { input, tensors, weights };
    },

    loss(rows, prepared, whole) {
      const t = prepared.tensors;
      const adv = student.apply(prepared.input, { training: true }).logits;
      const warm = scheduleOf(whole.plan).epoch >= begin;
      const common = { adv, teacher: t.teacher as tf.Tensor2D, labels: rows.y, trust: t.trust as tf.Tensor1D };
      if (s.variant === 'i') {
        const clean = warm || s.alpha < 1 ? student.apply(rows.x, { training: true }).logits : null;
        const { loss, terms } = iadOneLossRows({ ...common, clean }, { alpha: s.alpha, temperature: s.temperature, reduction }, rows);
        return { loss, terms, logits: adv };
      }
      const clean = warm ? student.apply(rows.x, { training: true }).logits : null;
      const { loss, terms } = iadTwoLossRows(
        { ...common, clean, natural: t.natural as tf.Tensor2D },
        { alpha1: s.alpha1, alpha2: s.alpha2, temperature: s.temperature, reduction },
        rows,
      );
      return { loss, terms, logits: adv };
    },
  };
};
