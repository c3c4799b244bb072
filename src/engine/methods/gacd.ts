/**
 * GACD: Guided Adversarial Contrastive Distillation.
 * Bai, Chen, Zhao, Wen, Jiang, Kot, "Feature Distillation With Guided Adversarial Contrastive
 * Learning", arXiv 2009.09922 (2020).
 *
 * Reconstructed from the abstract on the CRD template (Tian et al., ICLR 2020); every choice the
 * paper leaves open is a setting (see shared/research/algorithm.md, "Decisions"):
 *   x' = PGD_eps(CE(S(.), y))                       (or KL to the teacher: attack_loss)
 *   t_i = norm(g_T(f_T(x_i))),  s_i = norm(g_S(f_S(x'_i)))   (teacher_input: clean or x')
 *   NCE_i: the student embedding s_i scored against the teacher's embeddings, positive t_i, K
 *          negatives from a momentum memory bank of teacher embeddings of other-class samples;
 *          h = exp(s.t/tau)/Z, P(positive) = h / (h + m/N)
 *   w_i from p_T(y_i | x'_i): none | correct | confidence | confidence^beta, batch mean 1
 *   L = gamma * CE(S(x'), y) + beta * sum_i w_i NCE_i / sum_i w_i + alpha * T^2 KL(T(x) || S(x'))
 *
 * "Teacher as anchor" is read as: the teacher's embeddings are the fixed reference points the
 * student's embedding is contrasted against (gradients reach the student through its positive and
 * every negative). `direction: symmetric` adds CRD's other half (the teacher's embedding against a
 * bank of student embeddings). For speed the K negatives are drawn once per batch and shared by its
 * samples, with each sample's own index and (by default) its own class masked out.
 */
import * as tf from '@tensorflow/tfjs-core';
import { localPgd } from '../attacks/pgd';
import { dense } from '../models/layers';
import { Model, ModelOutput } from '../models/model';
import { Params } from '../models/params';
import { Rng } from '../util/rng';
import { Batch, MethodFactory, SampleWeights, localInference } from './method';
import { crossEntropy, distillationKl } from './losses';
import { MemoryBank } from './memoryBank';
import { reweight, ReweightScheme } from './reweight';

interface GacdSettings {
  gamma: number;
  beta: number;
  alpha: number;
  kd_temperature: number;
  student_tap: string;
  teacher_tap: string;
  embed_dim: number;
  critic: 'nce' | 'infonce';
  negatives: number;
  temperature: number;
  bank_momentum: number;
  class_negatives: boolean;
  direction: 'teacher-anchor' | 'symmetric';
  teacher_input: 'clean' | 'adversarial';
  reweight: ReweightScheme;
  reweight_beta: number;
  attack_loss: 'ce' | 'kl-teacher';
}

/** A feature tap as a rank-2 matrix: spatial maps are average-pooled. */
export function tapFeatures(model: Model, out: { features: Record<string, tf.Tensor> }, tap: string): tf.Tensor2D {
  const f = out.features[tap];
  if (!f) throw new Error(`model ${model.arch} has no feature tap '${tap}' (it has: ${model.taps.join(', ')})`);
  return (f.rank === 4 ? tf.mean(f, [1, 2]) : f) as tf.Tensor2D;
}

function tapWidth(model: Model, tap: string): number {
  return tf.tidy(() => {
    const x = tf.zeros([1, ...model.inputShape]) as tf.Tensor4D;
    return tapFeatures(model, model.apply(x, { training: false }), tap).shape[1];
  });
}

function l2normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

export const gacd: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('gacd needs a teacher: add a teacher: section');
  const s = ctx.settings as unknown as GacdSettings;
  const perturb = ctx.perturb ?? localPgd;
  const infer = ctx.infer ?? localInference;
  const heads = new Params(ctx.seed + 7919, 'gacd.');
  const studentHead = dense(heads, 'student_head', tapWidth(student, s.student_tap), s.embed_dim);
  const teacherHead = dense(heads, 'teacher_head', tapWidth(teacher, s.teacher_tap), s.embed_dim);
  const negatives = Math.min(s.negatives, ctx.trainSize - 1);
  const teacherBank = new MemoryBank(ctx.trainSize, s.embed_dim, s.bank_momentum, ctx.seed + 1);
  const studentBank = new MemoryBank(ctx.trainSize, s.embed_dim, s.bank_momentum, ctx.seed + 2);
  // CRD's normalising constants of exp(s.t/tau), fixed from the first batch (0 until then).
  const z = { teacherAnchor: 0, studentAnchor: 0 };
  const embedStudent = (f: tf.Tensor2D) => l2normalize(studentHead(f));
  const embedTeacher = (f: tf.Tensor2D) => l2normalize(teacherHead(f));

  /**
   * Per-sample NCE loss of `anchor` (current) against its positive and the bank negatives. `zFixed`
   * is the normalising constant, 0 on the first batch, which then fixes it (always whole, on the
   * main thread: `prepare` marks that step unshardable).
   */
  function nce(anchor: tf.Tensor2D, positive: tf.Tensor2D, neg: tf.Tensor2D, mask: tf.Tensor2D, zFixed: number, key: keyof typeof z): tf.Tensor1D {
    const posScore = tf.exp(tf.div(tf.sum(tf.mul(anchor, positive), 1), s.temperature));
    const negScore = tf.exp(tf.div(tf.matMul(anchor, neg, false, true), s.temperature));
    let zk = zFixed;
    if (zk === 0) {
      // As CRD: Z = mean of exp(score) over the first batch's pairs times the dataset size.
      const all = tf.concat([posScore, tf.reshape(negScore, [-1])]);
      zk = z[key] = tf.mean(all).dataSync()[0] * ctx.trainSize;
    }
    const pn = 1 / ctx.trainSize;
    const m = tf.sum(mask, 1); // valid negatives per sample
    const mPn = tf.mul(m, pn);
    const pPos = tf.div(posScore, zk);
    const logD1 = tf.log(tf.div(pPos, tf.add(tf.add(pPos, mPn), 1e-7)));
    const pNeg = tf.div(negScore, zk);
    const mPnCol = tf.expandDims(mPn, 1);
    const logD0 = tf.log(tf.div(mPnCol, tf.add(tf.add(pNeg, mPnCol), 1e-7)));
    return tf.neg(tf.add(logD1, tf.sum(tf.mul(logD0, mask), 1))) as tf.Tensor1D;
  }

  /**
   * In-batch InfoNCE: the embedding of sample i (a row of `anchors`) should pick its own partner
   * (the one-hot row of `positives`) among all the batch's `candidates`.
   */
  function infoNce(anchors: tf.Tensor2D, candidates: tf.Tensor2D, sameClass: tf.Tensor2D, positives: tf.Tensor2D): tf.Tensor1D {
    const logits = tf.div(tf.matMul(anchors, candidates, false, true), s.temperature);
    // Other samples of the same class are not negatives (when class_negatives): push them out.
    const masked = tf.sub(logits, tf.mul(sameClass, 1e4));
    const logp = tf.logSoftmax(masked);
    return tf.neg(tf.sum(tf.mul(logp, positives), 1)) as tf.Tensor1D;
  }

  /** Negatives shared by the batch, and which of them each sample may use. */
  function drawNegatives(batch: Batch, rng: Rng): { idx: Int32Array; mask: tf.Tensor2D } {
    const idx = new Int32Array(negatives);
    for (let k = 0; k < negatives; k++) idx[k] = rng.int(ctx.trainSize);
    const b = batch.indices.length;
    const mask = new Float32Array(b * negatives);
    for (let i = 0; i < b; i++) {
      for (let k = 0; k < negatives; k++) {
        const j = idx[k];
        const ok = j !== batch.indices[i] && (!s.class_negatives || ctx.trainLabels[j] !== batch.labels[i]);
        mask[i * negatives + k] = ok ? 1 : 0;
      }
    }
    return { idx, mask: tf.tensor2d(mask, [b, negatives]) };
  }

  return {
    name: 'gacd',
    extraParams: heads,

    prepare(batch, rng) {
      const taps = [s.teacher_tap];
      const teacherClean = infer(teacher, batch.x, taps);
      const targetProbs = s.attack_loss === 'kl-teacher' ? tf.softmax(teacherClean.logits) : undefined;
      const input = perturb(
        student,
        batch.x,
        batch.y,
        { ...ctx.attack, loss: s.attack_loss === 'kl-teacher' ? 'kl' : 'ce', targetProbs },
        rng,
      );
      targetProbs?.dispose();
      const teacherAdv = infer(teacher, input, taps);
      const anchorOut = s.teacher_input === 'clean' ? teacherClean : teacherAdv;
      // A copy: the tap may be the very tensor disposed with the teacher's outputs below.
      const teacherFeatures = tf.tidy(() => tf.clone(tapFeatures(teacher, anchorOut, s.teacher_tap)));
      const weights = reweight(s.reweight, s.reweight_beta, teacherAdv.logits, batch.labels);
      const tensors: Record<string, tf.Tensor> = {
        weights: tf.tensor1d(weights.weights),
        teacherLogits: tf.clone(teacherClean.logits),
      };
      const shared: Record<string, tf.Tensor> = {};
      tf.dispose([teacherClean, teacherAdv] as unknown as tf.TensorContainer);
      const constants = {
        weightSum: weights.weights.reduce((a, w) => a + w, 0),
        zTeacher: z.teacherAnchor,
        zStudent: z.studentAnchor,
      };
      let shardable = true;
      if (s.critic === 'nce') {
        tensors.teacherFeatures = teacherFeatures;
        const { idx, mask } = drawNegatives(batch, rng);
        tensors.mask = mask;
        shared.negTeacher = teacherBank.gather(idx);
        if (s.direction === 'symmetric') shared.negStudent = studentBank.gather(idx);
        shardable = z.teacherAnchor !== 0 && (s.direction !== 'symmetric' || z.studentAnchor !== 0);
      } else {
        // Every row is contrasted with the whole batch's teacher embeddings.
        shared.teacherFeatures = teacherFeatures;
        const b = batch.labels.length;
        const same = new Float32Array(b * b);
        for (let i = 0; i < b; i++)
          for (let j = 0; j < b; j++)
            same[i * b + j] = i !== j && s.class_negatives && batch.labels[i] === batch.labels[j] ? 1 : 0;
        tensors.sameClass = tf.tensor2d(same, [b, b]);
        tensors.positives = tf.oneHot(tf.range(0, b, 1, 'int32'), b);
        // The symmetric half contrasts each teacher row with every student row: not shardable.
        shardable = s.direction !== 'symmetric';
      }
      return { input, tensors, shared, constants, shardable, weights };
    },

    loss(batch, prepared) {
      const t = prepared.tensors;
      const sh = prepared.shared ?? {};
      const c = prepared.constants ?? {};
      const out = student.apply(prepared.input, { training: true });
      const sEmb = embedStudent(tapFeatures(student, out, s.student_tap));
      const ce = tf.mul(crossEntropy(out.logits, batch.y, batch.total), s.gamma) as tf.Scalar;
      let perSample: tf.Tensor1D;
      let keep: Record<string, tf.Tensor> | undefined;
      if (s.critic === 'nce') {
        const tEmb = embedTeacher(t.teacherFeatures as tf.Tensor2D);
        const mask = t.mask as tf.Tensor2D;
        perSample = nce(sEmb, tEmb, sh.negTeacher as tf.Tensor2D, mask, c.zTeacher, 'teacherAnchor');
        if (s.direction === 'symmetric') {
          perSample = tf.add(perSample, nce(tEmb, sEmb, sh.negStudent as tf.Tensor2D, mask, c.zStudent, 'studentAnchor'));
        }
        keep = { studentEmbedding: sEmb, teacherEmbedding: tEmb };
      } else {
        const tEmb = embedTeacher(sh.teacherFeatures as tf.Tensor2D);
        const positives = t.positives as tf.Tensor2D;
        perSample = infoNce(sEmb, tEmb, t.sameClass as tf.Tensor2D, positives);
        if (s.direction === 'symmetric') perSample = tf.add(perSample, infoNce(tEmb, sEmb, t.sameClass as tf.Tensor2D, positives));
      }
      // Sum over the rows given, divided by the whole batch's weight: shards add up.
      const w = t.weights as tf.Tensor1D;
      const contrastive = tf.mul(tf.div(tf.sum(tf.mul(w, perSample)), c.weightSum + 1e-12), s.beta) as tf.Scalar;
      const terms: Record<string, tf.Scalar> = { ce, contrastive };
      let loss = tf.add(ce, contrastive) as tf.Scalar;
      if (s.alpha > 0) {
        const kd = tf.mul(distillationKl(t.teacherLogits as tf.Tensor2D, out.logits, s.kd_temperature, 'batchmean', batch.total), s.alpha) as tf.Scalar;
        terms.kd = kd;
        loss = tf.add(loss, kd);
      }
      return { loss, terms, logits: out.logits, keep };
    },

    afterStep(batch, _prepared, kept) {
      // The memory banks take this batch's embeddings (the NCE critic's negatives come from them).
      if (!kept.teacherEmbedding) return;
      teacherBank.update(batch.indices, kept.teacherEmbedding.dataSync() as Float32Array);
      studentBank.update(batch.indices, kept.studentEmbedding.dataSync() as Float32Array);
    },

    embeddings(studentOut, teacherOut) {
      return [
        embedStudent(tapFeatures(student, studentOut, s.student_tap)),
        embedTeacher(tapFeatures(teacher, teacherOut, s.teacher_tap)),
      ];
    },

    state() {
      return { teacherBank: teacherBank.values, studentBank: studentBank.values, z: [z.teacherAnchor, z.studentAnchor] };
    },

    loadState(state) {
      teacherBank.values.set(state.teacherBank as Float32Array);
      studentBank.values.set(state.studentBank as Float32Array);
      const zz = Array.from(state.z as ArrayLike<number>);
      z.teacherAnchor = zz[0];
      z.studentAnchor = zz[1];
    },

    dispose() {
      heads.dispose();
    },
  };
};

export type { SampleWeights };
