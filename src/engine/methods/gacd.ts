/**
 * GACD: Guided Adversarial Contrastive Distillation.
 * Bai, Chen, Zhao, Wen, Jiang, Kot, "Feature Distillation With Guided Adversarial Contrastive
 * Learning", arXiv 2009.09922 (2020). No official code is public: reconstructed from the abstract
 * on the template of CRD's official code (HobbitLong/RepDistiller); every choice the paper leaves
 * open is a setting (gacd.info.ts; shared/research/algorithm.md, "Decisions"):
 *   x' = PGD_eps(CE(S(.), y))       (or KL to the teacher, or the contrastive loss: attack_loss)
 *   t_i = norm(g_T(f_T(x_i))),  s_i = norm(g_S(f_S(x'_i)))   (teacher_input: clean or x')
 *   NCE_i: the student embedding s_i scored against the teacher's embeddings, positive t_i, K
 *          negatives from a momentum memory bank of teacher embeddings of other-class samples;
 *          h = exp(s.t/tau)/Z, P(positive) = h / (h + m/N)
 *   w_i from p_T(y_i | x'_i): none | correct | confidence | confidence^beta
 *   L = gamma * CE(S(x'), y) + beta * sum_i w_i NCE_i / sum_i w_i + alpha * T^2 KL(T(x) || S(x'))
 *
 * "Teacher as anchor" is read as: the teacher's embeddings are the fixed reference points the
 * student's embedding is contrasted against (gradients reach the student through its positive and
 * every negative). `direction: symmetric` adds CRD's other half (the teacher's embedding against a
 * bank of student embeddings). For speed the K negatives are drawn once per batch (`plan`) and
 * shared by its rows, with each row's own index and (by default) its own class masked out.
 *
 * Each thread keeps its own copy of the memory banks, updated with every row of each step
 * (`afterStep`), so only the negatives' indices cross threads.
 *
 * `attack_loss: contrastive` ascends each row's contrastive loss itself: the student's embedding
 * at x' (in the attack's mode) against the teacher's anchor (T(x), or T(x') followed through the
 * teacher with teacher_input: adversarial) and this step's negatives, unweighted (a row's weight
 * would not change the sign of its gradient). With the NCE critic it is row-wise, so shared as
 * the rest; before the first batch has fixed Z, each row's attack uses its own Z, its mean exp
 * score at the clean x times n. With InfoNCE every row needs the whole batch's teacher
 * embeddings, which `prepare` does not have on a share: such steps run whole (`shareable`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelOutput } from '../models/model';
import { Params } from '../models/params';
import { tidyPlain } from '../util/tidy';
import {
  drawNegativeIndices,
  embeddingHead,
  inBatchMasks,
  infoNceLoss,
  keepingBuffers,
  nceLoss,
  nceScoreSums,
  negativeMask,
  rowNormalisingConstants,
  tapFeatures,
  tapWidth,
} from './contrastive';
import type { GacdSettings } from './gacd.info';
import { batchMean, crossEntropyRows, distillationKl } from './losses';
import { type Anchor, ContrastMemory } from './contrastMemory';
import type { MemoryBank } from './memoryBank';
import { Batch, MethodFactory, Plan, Prepared, inference } from './method';
import { reweightRows } from './reweight';
import { trainingAttack, trainingAttackOn } from './trainingAttack';

export const gacd: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('gacd needs a teacher: add a teacher: section');
  const s = ctx.settings as GacdSettings;
  const n = ctx.trainSize;
  const heads = new Params(ctx.seed + 7919, 'gacd.');
  const embedStudent = embeddingHead(heads, 'student_head', tapWidth(student, s.student_tap), s.embed_dim);
  const embedTeacher = embeddingHead(heads, 'teacher_head', tapWidth(teacher, s.teacher_tap), s.embed_dim);
  const negatives = Math.min(s.negatives, n - 1);
  const symmetric = s.direction === 'symmetric';
  // The two banks and CRD's normalising constants of exp(s.t/tau), fixed from the first batch.
  const memory = new ContrastMemory(n, s.embed_dim, s.bank_momentum, { teacher: ctx.seed + 1, student: ctx.seed + 2 }, ['teacherAnchor', 'studentAnchor']);
  const { teacherBank, studentBank, z } = memory;
  /** Z of one direction: fixed already, or from the first batch's sums (`calibrationSums`). */
  const zOf = (anchor: Anchor, sums: Record<string, number>) => memory.zOf(anchor, sums);

  /**
   * The first batch's part of Z, outside the tape: the student's embedding in training mode (as
   * the loss will see it, batch-norm statistics left untouched) against the same negatives.
   */
  function calibrationSums(input: tf.Tensor4D, teacherFeatures: tf.Tensor2D, idx: Int32Array): Record<string, number> {
    return tidyPlain(() =>
      keepingBuffers(student.params, () => {
        const sEmb = embedStudent(tapFeatures(student, student.apply(input, { training: true }), s.student_tap));
        const tEmb = embedTeacher(teacherFeatures);
        const out: Record<string, number> = {};
        if (z.teacherAnchor === 0) {
          const t = nceScoreSums(sEmb, tEmb, teacherBank.gather(idx), s.temperature);
          Object.assign(out, { teacherAnchorSum: t.sum, teacherAnchorCount: t.count });
        }
        if (symmetric && z.studentAnchor === 0) {
          const t = nceScoreSums(tEmb, sEmb, studentBank.gather(idx), s.temperature);
          Object.assign(out, { studentAnchorSum: t.sum, studentAnchorCount: t.count });
        }
        return out;
      }),
    );
  }

  /** x' for these rows, maximising `attack_loss`. */
  const attackInput = (rows: Batch, plan: Plan, teacherClean: ModelOutput): tf.Tensor4D => {
    if (s.attack_loss === 'contrastive') {
      // A copy: a spatial tap is pooled into a new tensor, a flat one is the teacher's own.
      const features = tf.tidy(() => tf.clone(tapFeatures(teacher, teacherClean, s.teacher_tap)));
      try {
        return contrastiveAttack(rows, plan, features);
      } finally {
        features.dispose();
      }
    }
    if (s.attack_loss === 'ce') return trainingAttack(ctx, rows, 'ce');
    const targetProbs = tf.softmax(teacherClean.logits) as tf.Tensor2D;
    try {
      return trainingAttack(ctx, rows, 'kl', targetProbs);
    } finally {
      targetProbs.dispose();
    }
  };

  /** x' maximising each row's contrastive loss with this step's negatives (see the header). */
  const contrastiveAttack = (rows: Batch, plan: Plan, cleanFeatures: tf.Tensor2D): tf.Tensor4D => {
    const training = s.attack_mode === 'train';
    const embedAt = (x: tf.Tensor4D) => embedStudent(tapFeatures(student, student.apply(x, { training }), s.student_tap));
    const anchorAt = (x: tf.Tensor4D) =>
      embedTeacher(s.teacher_input === 'clean' ? cleanFeatures : tapFeatures(teacher, teacher.apply(x, { training: false }), s.teacher_tap));
    const held: tf.Tensor[] = [];
    const hold = <T extends tf.Tensor>(t: T): T => (held.push(t), t);
    try {
      let lossOf: (x: tf.Tensor4D) => tf.Tensor1D;
      if (s.critic === 'nce') {
        const idx = plan.negatives as Int32Array;
        const mask = hold(negativeMask(idx, rows, ctx.trainLabels, s.class_negatives));
        const teacherNegatives = hold(teacherBank.gather(idx));
        const studentNegatives = symmetric ? hold(studentBank.gather(idx)) : null;
        // Z once fixed; on the first batch each row's own, from its clean scores (buffers kept).
        const [zTeacher, zStudent] = tf.tidy(() =>
          keepingBuffers(student.params, () => {
            const needed = z.teacherAnchor === 0 || (symmetric && z.studentAnchor === 0);
            const sEmb = needed ? embedAt(rows.x) : null;
            const tEmb = needed ? anchorAt(rows.x) : null;
            return [
              z.teacherAnchor || rowNormalisingConstants(sEmb!, tEmb!, teacherNegatives, s.temperature, n),
              z.studentAnchor || (studentNegatives ? rowNormalisingConstants(tEmb!, sEmb!, studentNegatives, s.temperature, n) : 0),
            ];
          }),
        ) as [number | tf.Tensor1D, number | tf.Tensor1D];
        for (const c of [zTeacher, zStudent]) if (typeof c !== 'number') hold(c);
        lossOf = (x) => {
          const sEmb = embedAt(x);
          const tEmb = anchorAt(x);
          const l = nceLoss(sEmb, tEmb, teacherNegatives, mask, zTeacher, s.temperature, n);
          return studentNegatives ? tf.add(l, nceLoss(tEmb, sEmb, studentNegatives, mask, zStudent, s.temperature, n)) : l;
        };
      } else {
        // Whole batch only (see `shareable`): these rows' teacher embeddings are every candidate.
        const masks = inBatchMasks(plan.labels as Int32Array, rows.offset, rows.labels.length, s.class_negatives);
        const [sameClass, positives] = [hold(masks.sameClass), hold(masks.positives)];
        lossOf = (x) => {
          const sEmb = embedAt(x);
          const tAll = anchorAt(x);
          const l = infoNceLoss(sEmb, tAll, sameClass, positives, s.temperature);
          return symmetric ? tf.add(l, infoNceLoss(tAll, sEmb, sameClass, positives, s.temperature)) : l;
        };
      }
      return trainingAttackOn(ctx, rows, lossOf);
    } finally {
      tf.dispose(held);
    }
  };

  return {
    name: 'gacd',
    extraParams: heads,

    plan(batch, rng): Plan {
      return s.critic === 'nce' ? { negatives: drawNegativeIndices(rng, negatives, n) } : { labels: batch.labels };
    },

    // The symmetric InfoNCE contrasts each teacher row with every student row, and the contrastive
    // attack with InfoNCE needs every row's teacher embedding in prepare: such steps run whole.
    shareable: () => s.critic === 'nce' || (!symmetric && s.attack_loss !== 'contrastive'),

    prepare(rows: Batch, plan: Plan): Prepared {
      const taps = [s.teacher_tap];
      const teacherClean = inference(teacher, rows.x, taps);
      const input = attackInput(rows, plan, teacherClean);
      const teacherAdv = inference(teacher, input, taps);
      const anchorOut = s.teacher_input === 'clean' ? teacherClean : teacherAdv;
      // A copy: the tap may be the very tensor disposed with the teacher's outputs below.
      const teacherFeatures = tf.tidy(() => tf.clone(tapFeatures(teacher, anchorOut, s.teacher_tap)));
      const weights = reweightRows(s.reweight, s.reweight_beta, teacherAdv.logits, rows.labels);
      const tensors: Record<string, tf.Tensor> = { weights: tf.tensor1d(weights.weights), teacherLogits: tf.clone(teacherClean.logits) };
      tf.dispose([teacherClean, teacherAdv] as unknown as tf.TensorContainer);
      const prepared: Prepared = { input, tensors, weights, sums: { weightSum: weights.weights.reduce((a, w) => a + w, 0) } };
      if (s.critic === 'nce') {
        const idx = plan.negatives as Int32Array;
        tensors.teacherFeatures = teacherFeatures;
        tensors.mask = negativeMask(idx, rows, ctx.trainLabels, s.class_negatives);
        if (z.teacherAnchor === 0 || (symmetric && z.studentAnchor === 0)) {
          Object.assign(prepared.sums!, calibrationSums(input, teacherFeatures, idx));
        }
      } else {
        // Every row is contrasted with the whole batch's teacher embeddings.
        prepared.gathered = { teacherFeatures };
        const masks = inBatchMasks(plan.labels as Int32Array, rows.offset, rows.labels.length, s.class_negatives);
        tensors.sameClass = masks.sameClass;
        tensors.positives = masks.positives;
      }
      return prepared;
    },

    loss(rows, prepared, whole) {
      const t = prepared.tensors;
      const out = student.apply(prepared.input, { training: true });
      const sEmb = embedStudent(tapFeatures(student, out, s.student_tap));
      const ce = tf.mul(batchMean(crossEntropyRows(out.logits, rows.y), rows), s.gamma) as tf.Scalar;
      let perRow: tf.Tensor1D;
      let keep: Record<string, tf.Tensor> | undefined;
      if (s.critic === 'nce') {
        const idx = whole.plan.negatives as Int32Array;
        const tEmb = embedTeacher(t.teacherFeatures as tf.Tensor2D);
        const mask = t.mask as tf.Tensor2D;
        perRow = nceLoss(sEmb, tEmb, teacherBank.gather(idx), mask, zOf('teacherAnchor', whole.sums), s.temperature, n);
        if (symmetric) {
          perRow = tf.add(perRow, nceLoss(tEmb, sEmb, studentBank.gather(idx), mask, zOf('studentAnchor', whole.sums), s.temperature, n));
        }
        keep = { studentEmbedding: sEmb, teacherEmbedding: tEmb };
      } else {
        const tAll = embedTeacher(whole.gathered.teacherFeatures as tf.Tensor2D);
        const sameClass = t.sameClass as tf.Tensor2D;
        const positives = t.positives as tf.Tensor2D;
        perRow = infoNceLoss(sEmb, tAll, sameClass, positives, s.temperature);
        // Whole batch only (see `shareable`): these rows are all the student rows.
        if (symmetric) perRow = tf.add(perRow, infoNceLoss(tAll, sEmb, sameClass, positives, s.temperature));
      }
      // Sum over these rows divided by the whole batch's weight: shares add up. A batch whose
      // weights are all 0 (the teacher wrong everywhere under 'correct') counts uniformly.
      const weightSum = whole.sums.weightSum;
      const w = weightSum > 0 ? (t.weights as tf.Tensor1D) : tf.onesLike(t.weights as tf.Tensor1D);
      const divisor = weightSum > 0 ? weightSum : whole.total;
      const contrastive = tf.mul(tf.div(tf.sum(tf.mul(w, perRow)), divisor), s.beta) as tf.Scalar;
      const terms: Record<string, tf.Scalar> = { ce, contrastive };
      let loss = tf.add(ce, contrastive) as tf.Scalar;
      if (s.alpha > 0) {
        const kd = tf.mul(distillationKl(t.teacherLogits as tf.Tensor2D, out.logits, s.kd_temperature, s.kl_reduction, rows), s.alpha) as tf.Scalar;
        terms.kd = kd;
        loss = tf.add(loss, kd);
      }
      return { loss, terms, logits: out.logits, keep };
    },

    afterStep(batch, whole, kept) {
      // The memory banks take this batch's embeddings (the NCE critic's negatives come from them).
      memory.afterStep(batch.indices, whole.sums, kept);
    },

    embeddings(studentOut, teacherOut) {
      return [embedStudent(tapFeatures(student, studentOut, s.student_tap)), embedTeacher(tapFeatures(teacher, teacherOut, s.teacher_tap))];
    },

    state: () => memory.state(),
    loadState: (state) => memory.loadState(state),

    dispose() {
      heads.dispose();
    },
  };
};
