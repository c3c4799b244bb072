/**
 * Group C of the peers: CRD's loss and memory banks and MTARD's losses and online weights against
 * PyTorch transcriptions of their official codes (test/fixtures/peer_losses_c.py, run by Debian's
 * /usr/bin/python3, in float64), through the methods' own stages on stub models whose features
 * and logits are slices of hand-made inputs; and GACD's contrastive training attack, which must
 * raise the contrastive loss it ascends.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { nceLoss, negativeMask, infoNceLoss, inBatchMasks } from '../../src/engine/methods/contrastive';
import { crd } from '../../src/engine/methods/crd';
import { crdSettings } from '../../src/engine/methods/crd.info';
import { gacd } from '../../src/engine/methods/gacd';
import { gacdSettings } from '../../src/engine/methods/gacd.info';
import type { Batch, BatchInfo, Method, MethodContext, Plan } from '../../src/engine/methods/method';
import { mtard, mtardKl, mtardWeightLr } from '../../src/engine/methods/mtard';
import { mtardSettings } from '../../src/engine/methods/mtard.info';
import type { Model } from '../../src/engine/models/model';
import { Params } from '../../src/engine/models/params';
import { buildModel } from '../../src/engine/models/registry';
import { batchOf, lossAndGradients, trainStep, trainableOf, startNoiseFor } from '../../src/engine/step/trainStep';
import { Sgd } from '../../src/engine/step/sgd';
import { rowsOf } from '../../src/engine/step/shares';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, useWasm } from './helpers';
import { torchReference } from './torchReference';

before(useWasm);

const SCRIPT = 'peer_losses_c.py';

function close(actual: number, expected: number, what: string, rel = 1e-5): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.max(Math.abs(expected), 1e-6), `${what}: ${actual} vs ${expected}`);
}

/**
 * A model whose logits and `penultimate` features are columns [from, from + width) of its input,
 * flattened: hand-made features and logits go in as the input's values.
 */
function sliceModel(arch: string, inputWidth: number, from: number, width: number): Model {
  return {
    arch,
    inputShape: [1, 1, inputWidth],
    numClasses: width,
    params: new Params(0),
    taps: ['penultimate'],
    apply: (x) => {
      const f = tf.slice(tf.reshape(x, [x.shape[0], inputWidth]), [0, from], [-1, width]) as tf.Tensor2D;
      return { logits: f, features: { penultimate: f } };
    },
  };
}

/** A batch of rows whose inputs are the given rows of numbers. */
function batchOfValues(values: number[][], labels: number[], indices: number[]): Batch {
  return {
    x: tf.tensor4d(values.flat(), [values.length, 1, 1, values[0].length]),
    y: tf.tensor1d(labels, 'int32'),
    labels: Int32Array.from(labels),
    indices: Int32Array.from(indices),
    total: values.length,
    offset: 0,
    noise: null,
  };
}

/** One step of a method's stages on one thread; returns the terms and the total loss as numbers. */
function stageStep(method: Method, rows: Batch, plan: Plan): { loss: number; terms: Record<string, number> } {
  const prepared = method.prepare(rows, plan);
  const whole = { total: rows.total, plan, sums: prepared.sums ?? {}, gathered: prepared.gathered ?? {} };
  const result = tf.tidy(() => {
    const out = method.loss(rows, prepared, whole);
    const keep = Object.fromEntries(Object.entries(out.keep ?? {}).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    return { loss: out.loss.dataSync()[0], terms: Object.fromEntries(Object.entries(out.terms).map(([k, v]) => [k, v.dataSync()[0]])), keep } as never;
  }) as unknown as { loss: number; terms: Record<string, number>; keep: Record<string, Float32Array> };
  const info: BatchInfo = { labels: rows.labels, indices: rows.indices, total: rows.total };
  method.afterStep?.(info, { total: rows.total, plan, sums: whole.sums }, result.keep);
  tf.dispose([prepared.input, ...Object.values(prepared.tensors), ...Object.values(prepared.gathered ?? {})]);
  tf.dispose([rows.x, rows.y]);
  return { loss: result.loss, terms: result.terms };
}

test("CRD's symmetric NCE, its Z and its two memory banks match RepDistiller's CRDLoss over two steps", () => {
  const [n, d, k, width] = [12, 4, 5, 6];
  // Samples i have class i % 3; the rows are of classes 0 and 1, the negatives all of class 2
  // (so every negative is valid for every row, as in the code's per-sample draw).
  const trainLabels = Int32Array.from({ length: n }, (_, i) => i % 3);
  const negatives = [2, 5, 8, 11, 5];
  const student = sliceModel('stub-student', 2 * width, 0, width);
  const teacher = sliceModel('stub-teacher', 2 * width, width, width);
  const settings = crdSettings.parse({ embed_dim: d, negatives: k, gamma: 0.5, beta: 0.8 }) as Record<string, unknown>;
  const ctx: MethodContext = {
    student,
    teacher,
    teachers: { adversarial: teacher },
    settings,
    attack: { epsilon: 0.1, stepSize: 0.025, steps: 1, randomStart: true },
    trainSize: n,
    trainLabels,
    numClasses: width,
    seed: 5,
  };
  const method = crd(ctx);
  const head = (name: string) => ({
    kernel: method.extraParams!.get(`crd.${name}.kernel`)!.arraySync(),
    bias: Array.from(method.extraParams!.get(`crd.${name}.bias`)!.dataSync()),
  });
  // Copies: the state's arrays are the live banks.
  const initial = Object.fromEntries(Object.entries(method.state!()).map(([key, v]) => [key, Array.from(v)]));
  // Hand-made features: student's in the first `width` columns, teacher's in the next.
  const steps = [
    { index: [0, 1, 3], f: [[0.3, -1.2, 0.8, 0.1, 0.5, -0.4, 1.1, 0.2, -0.7, 0.9, 0.3, -0.2], [1.4, 0.2, -0.3, 0.9, -0.8, 0.6, -0.5, 1.3, 0.4, -0.1, 0.8, 0.6], [-0.6, 0.7, 0.5, -1.1, 0.2, 0.3, 0.9, -0.3, 1.2, 0.5, -0.6, 0.1]] },
    { index: [0, 4, 3], f: [[0.1, 0.9, -0.4, 0.6, 1.2, -0.3, -0.2, 0.8, 0.5, 1.0, -0.9, 0.4], [0.7, -0.5, 1.1, 0.3, 0.2, 0.9, 1.0, -0.6, 0.1, 0.7, 0.3, -1.0], [-0.9, 0.4, 0.2, 0.8, -0.1, 1.3, 0.6, 0.4, -0.8, 0.2, 1.1, 0.5]] },
  ];
  const reference = torchReference<{ steps: Array<{ loss: number; z: number[]; memory_v1: number[]; memory_v2: number[] }> }>(SCRIPT, {
    method: 'crd',
    n_data: n,
    feat_dim: d,
    nce_k: k,
    nce_t: settings.temperature,
    nce_m: settings.bank_momentum,
    embed_s: head('embed_s'),
    embed_t: head('embed_t'),
    memory_v1: initial.studentBank,
    memory_v2: initial.teacherBank,
    steps: steps.map((s) => ({ index: s.index, negatives, f_s: s.f.map((r) => r.slice(0, width)), f_t: s.f.map((r) => r.slice(width)) })),
  });
  steps.forEach((s, i) => {
    const rows = batchOfValues(s.f, s.index.map((j) => trainLabels[j]), s.index);
    const mask = negativeMask(Int32Array.from(negatives), rows, trainLabels, true);
    assert.equal(tf.sum(mask).dataSync()[0], s.index.length * k, 'every negative is valid for every row');
    mask.dispose();
    const out = stageStep(method, rows, { negatives: Int32Array.from(negatives), epoch: 0, epochs: 1 });
    const ref = reference.steps[i];
    close(out.terms.contrastive / 0.8, ref.loss, `step ${i + 1}: CRD loss`);
    const state = method.state!();
    const z = Array.from(state.z);
    close(z[0], ref.z[0], `step ${i + 1}: Z_v1 (student as anchor)`);
    close(z[1], ref.z[1], `step ${i + 1}: Z_v2 (teacher as anchor)`);
    const banks: Array<[string, ArrayLike<number>, number[]]> = [
      ['memory_v1 (student bank)', state.studentBank, ref.memory_v1],
      ['memory_v2 (teacher bank)', state.teacherBank, ref.memory_v2],
    ];
    for (const [name, ours, theirs] of banks) {
      for (let j = 0; j < theirs.length; j++) assert.ok(Math.abs(ours[j] - theirs[j]) <= 1e-5, `step ${i + 1}: ${name}[${j}] ${ours[j]} vs ${theirs[j]}`);
    }
    // The CE term is the student's on its input, weighted by gamma.
    assert.ok(out.terms.ce > 0 && Number.isFinite(out.loss));
    close(out.loss, out.terms.ce + out.terms.contrastive, `step ${i + 1}: total`);
  });
  // The banks moved: the second step's loss saw updated rows.
  assert.notDeepEqual(Array.from(method.state!().studentBank), initial.studentBank);
  method.dispose?.();
});

test("MTARD's KL terms and online weights match the code's training loop over three steps, a milestone included", () => {
  const [classes, rows] = [4, 3];
  const student = sliceModel('stub-student', 3 * classes, 0, classes);
  const adversarial = sliceModel('stub-adv', 3 * classes, classes, classes);
  const natural = sliceModel('stub-nat', 3 * classes, 2 * classes, classes);
  const settings = mtardSettings.parse({ kl_reduction: 'mean', loss_scale: 10, weight_lr_milestones: [1] }) as Record<string, unknown>;
  const make = () =>
    mtard({
      student,
      teacher: adversarial,
      teachers: { adversarial, natural },
      settings,
      // No attack (epsilon 0): x' = x, so the student's logits at x' are its clean ones.
      attack: { epsilon: 0, stepSize: 0, steps: 1, randomStart: false },
      trainSize: 10,
      trainLabels: new Int32Array(10),
      numClasses: classes,
      seed: 1,
    });
  const method = make();
  assert.deepEqual(method.adaptiveWeights!(), { adversarial: 0.5, natural: 0.5 });
  // Student, robust teacher, natural teacher logits per row; the student's fall towards the teachers.
  const logits = [
    [[2.0, -1.0, 0.5, 0.1, 1.5, 0.2, -0.3, 0.8, 0.4, 1.9, -1.2, 0.3], [-0.5, 1.2, 0.3, 0.9, 0.1, 2.2, -0.4, 0.5, -1.0, 0.6, 1.4, 0.2], [0.3, 0.3, -1.1, 1.7, 0.9, -0.2, 1.3, 0.4, 0.7, 0.1, -0.5, 2.1]],
    [[1.6, -0.2, 0.4, 0.6, 1.5, 0.2, -0.3, 0.8, 0.4, 1.9, -1.2, 0.3], [0.0, 1.8, -0.1, 0.6, 0.1, 2.2, -0.4, 0.5, -1.0, 0.6, 1.4, 0.2], [0.6, 0.1, 0.2, 1.4, 0.9, -0.2, 1.3, 0.4, 0.7, 0.1, -0.5, 2.1]],
    [[1.2, 0.6, -0.5, 0.9, 1.5, 0.2, -0.3, 0.8, 0.4, 1.9, -1.2, 0.3], [-0.4, 2.0, 0.5, 0.2, 0.1, 2.2, -0.4, 0.5, -1.0, 0.6, 1.4, 0.2], [0.8, -0.1, 0.9, 1.1, 0.9, -0.2, 1.3, 0.4, 0.7, 0.1, -0.5, 2.1]],
  ];
  const epochs = [0, 0, 1]; // the third step is past the milestone: the weight learning rate is 0.0025
  assert.equal(mtardWeightLr(settings as never, 0), 0.025);
  close(mtardWeightLr(settings as never, 1), 0.0025, 'weight learning rate after the milestone');
  const cols = (r: number[], from: number) => r.slice(from, from + classes);
  const reference = torchReference<{ steps: Array<{ kl_adv: number; kl_nat: number; w_adv: number; w_nat: number; total: number }> }>(SCRIPT, {
    method: 'mtard',
    weight_lr: 0.025,
    bert: 1,
    scale: 10,
    steps: logits.map((step, i) => ({
      student_adv: step.map((r) => cols(r, 0)),
      teacher_adv: step.map((r) => cols(r, classes)),
      student_nat: step.map((r) => cols(r, 0)),
      teacher_nat: step.map((r) => cols(r, 2 * classes)),
      decay_before: epochs[i] > 0 && epochs[i - 1] === 0,
    })),
  });
  const labels = Array.from({ length: rows }, () => 0);
  const indices = Array.from({ length: rows }, (_, i) => i);
  let resumed: Method | null = null;
  logits.forEach((step, i) => {
    const plan = { epoch: epochs[i], epochs: 2 };
    const ref = reference.steps[i];
    if (i === 2) {
      // A method resumed from the state after two steps takes the third step the same way.
      resumed = make();
      resumed.loadState!(method.state!());
      assert.deepEqual(resumed.adaptiveWeights!(), method.adaptiveWeights!());
    }
    const out = stageStep(method, batchOfValues(step, labels, indices), plan);
    close(out.terms.adversarial, ref.w_adv * ref.kl_adv, `step ${i + 1}: weighted adversarial term`);
    close(out.terms.natural, ref.w_nat * ref.kl_nat, `step ${i + 1}: weighted natural term`);
    close(out.loss, ref.total, `step ${i + 1}: total`);
    const w = method.adaptiveWeights!();
    close(w.natural, ref.w_nat, `step ${i + 1}: w_nat`);
    close(w.adversarial, ref.w_adv, `step ${i + 1}: w_adv`);
    if (resumed) {
      const again = stageStep(resumed, batchOfValues(step, labels, indices), plan);
      assert.equal(again.loss, out.loss, 'the resumed method takes the same step');
      assert.deepEqual(resumed.adaptiveWeights!(), w);
    }
  });
  // The weights moved, and the first step left them at 1/2 (both ratios are 1 there).
  assert.equal(reference.steps[0].w_nat, 0.5);
  assert.ok(Math.abs(method.adaptiveWeights!().natural - 0.5) > 1e-4, 'the weights adapted');
});

test("MTARD's KL reductions: 'mean' is the code's torch.mean of kl_loss, 'batchmean' C times it", () => {
  const s = tf.tensor2d([[2.0, -1.0, 0.5], [0.1, 0.4, -0.3]]);
  const t = tf.tensor2d([[1.5, 0.2, -0.3], [-1.0, 0.6, 1.4]]);
  const ref = torchReference<{ steps: Array<{ kl_adv: number }> }>(SCRIPT, {
    method: 'mtard',
    weight_lr: 0.025,
    bert: 1,
    scale: 1,
    steps: [{ student_adv: s.arraySync(), teacher_adv: t.arraySync(), student_nat: s.arraySync(), teacher_nat: t.arraySync() }],
  });
  const mean = tf.tidy(() => mtardKl(t, s, 'mean', 1, { total: 2 }).dataSync()[0]);
  const batchmean = tf.tidy(() => mtardKl(t, s, 'batchmean', 1, { total: 2 }).dataSync()[0]);
  close(mean, ref.steps[0].kl_adv, "'mean'");
  close(batchmean, 3 * ref.steps[0].kl_adv, "'batchmean'");
  tf.dispose([s, t]);
});

/** GACD with a contrastive training attack on real models and data, one step taken (Z fixed, banks filled). */
async function gacdAfterOneStep(settings: Record<string, unknown>) {
  const data = await fashionMini();
  const train = firstN(data.train, 128);
  const student = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
  const teacher = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
  const attack = { epsilon: 0.1, stepSize: 0.025, steps: 5, randomStart: true };
  const ctx: MethodContext = {
    student,
    teacher,
    teachers: { adversarial: teacher },
    settings: gacdSettings.parse({ negatives: 64, reweight: 'none', attack_loss: 'contrastive', ...settings }) as Record<string, unknown>,
    attack,
    trainSize: train.count,
    trainLabels: train.labels,
    numClasses: 10,
    seed: 1,
  };
  const method = gacd(ctx);
  const sgd = new Sgd(trainableOf(student, method), { momentum: 0.9, weightDecay: 5e-4 });
  const rng = new Rng(4);
  const rowsAt = (from: number, size: number) => ({
    images: train.images.slice(from * 784, (from + size) * 784),
    labels: train.labels.slice(from, from + size),
    indices: Int32Array.from({ length: size }, (_, i) => from + i),
    size,
  });
  trainStep(student, method, sgd, rowsAt(0, 32), 0.05, rng, { startNoise: startNoiseFor('gacd', attack) });
  const dispose = () => {
    sgd.dispose();
    method.dispose?.();
    student.params.dispose();
    teacher.params.dispose();
  };
  return { method, student, teacher, ctx, rowsAt, rng, dispose, attack };
}

test("GACD's contrastive attack raises each row's NCE loss (the one it ascends) above the clean input's", async () => {
  const g = await gacdAfterOneStep({});
  try {
    const b = g.rowsAt(40, 32);
    const rows = batchOf(b, [28, 28, 1], startNoiseFor('gacd', g.attack), g.rng);
    const plan = g.method.plan!({ labels: b.labels, indices: b.indices, total: b.size }, g.rng);
    assert.equal(g.method.shareable!(plan), true, 'with the NCE critic the contrastive attack is row-wise');
    const prepared = g.method.prepare(rows, plan);
    const state = g.method.state!();
    const z = Array.from(state.z)[0];
    assert.ok(z > 0, 'the first step fixed Z');
    const idx = plan.negatives as Int32Array;
    // The NCE loss of each row in the attack's terms: the student in eval mode, the teacher at x.
    const nceAt = (x: tf.Tensor4D) =>
      tf.tidy(() => {
        const [sEmb, tEmb] = g.method.embeddings!(g.student.apply(x, { training: false }), g.teacher.apply(rows.x, { training: false }));
        const bank = tf.gather(tf.tensor2d(state.teacherBank as Float32Array, [g.ctx.trainSize, 128]), Array.from(idx)) as tf.Tensor2D;
        const mask = negativeMask(idx, rows, g.ctx.trainLabels, true);
        return Array.from(nceLoss(sEmb, tEmb, bank, mask, z, 0.07, g.ctx.trainSize).dataSync());
      });
    const clean = nceAt(rows.x);
    const attacked = nceAt(prepared.input);
    const raised = attacked.filter((v, i) => v > clean[i]).length;
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(raised >= 0.9 * b.size, `the attack raised ${raised} of ${b.size} rows' losses`);
    assert.ok(mean(attacked) > mean(clean) + 0.1, `mean NCE ${mean(clean)} -> ${mean(attacked)}`);
    // Within the ball.
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(prepared.input, rows.x))).dataSync()[0]);
    assert.ok(gap <= 0.1 + 1e-6, `perturbation ${gap}`);
    tf.dispose([prepared.input, ...Object.values(prepared.tensors), rows.x, rows.y, rows.noise!]);
  } finally {
    g.dispose();
  }
});

test("GACD's contrastive attack with InfoNCE raises the InfoNCE loss, and such steps run whole", async () => {
  const g = await gacdAfterOneStep({ critic: 'infonce' });
  try {
    const b = g.rowsAt(40, 32);
    const rows = batchOf(b, [28, 28, 1], startNoiseFor('gacd', g.attack), g.rng);
    const plan = g.method.plan!({ labels: b.labels, indices: b.indices, total: b.size }, g.rng);
    assert.equal(g.method.shareable!(plan), false, 'the InfoNCE attack needs every row: the step runs whole');
    const prepared = g.method.prepare(rows, plan);
    const infoNceAt = (x: tf.Tensor4D) =>
      tf.tidy(() => {
        const [sEmb, tEmb] = g.method.embeddings!(g.student.apply(x, { training: false }), g.teacher.apply(rows.x, { training: false }));
        const masks = inBatchMasks(b.labels, 0, b.size, true);
        return Array.from(infoNceLoss(sEmb, tEmb, masks.sameClass, masks.positives, 0.07).dataSync());
      });
    const clean = infoNceAt(rows.x);
    const attacked = infoNceAt(prepared.input);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    assert.ok(attacked.filter((v, i) => v > clean[i]).length >= 0.9 * b.size, 'most rows raised');
    assert.ok(mean(attacked) > mean(clean) + 0.1, `mean InfoNCE ${mean(clean)} -> ${mean(attacked)}`);
    // The loss on the whole batch is finite and has gradients.
    const whole = { total: b.size, plan, sums: prepared.sums ?? {}, gathered: prepared.gathered ?? {} };
    const r = lossAndGradients(g.method, rows, prepared, whole, trainableOf(g.student, g.method));
    assert.ok(Number.isFinite(r.loss));
    tf.dispose([...Object.values(r.grads), prepared.input, ...Object.values(prepared.tensors), ...Object.values(prepared.gathered ?? {}), rows.x, rows.y, rows.noise!]);
  } finally {
    g.dispose();
  }
});

test("GACD's contrastive attack on row slices gives the whole batch's x', before and after Z is fixed", async () => {
  const g = await gacdAfterOneStep({ direction: 'symmetric' });
  // A fresh copy of the method (Z not fixed yet: each row's own Z) and the one after a step.
  const fresh = gacd(g.ctx);
  try {
    for (const method of [fresh, g.method]) {
      const b = g.rowsAt(40, 30);
      const whole = batchOf(b, [28, 28, 1], startNoiseFor('gacd', g.attack), g.rng);
      const plan = method.plan!({ labels: b.labels, indices: b.indices, total: b.size }, g.rng);
      const one = method.prepare(whole, plan);
      const parts = [rowsOf(whole, 0, 11), rowsOf(whole, 11, 30)].map((r) => method.prepare(r, plan));
      const joined = tf.concat(parts.map((p) => p.input));
      const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(joined, one.input))).dataSync()[0]);
      assert.ok(gap <= 1e-6, `x' over slices differs from the whole batch's by ${gap}`);
      tf.dispose([joined, whole.x, whole.y, whole.noise!]);
      for (const p of [one, ...parts]) tf.dispose([p.input, ...Object.values(p.tensors)]);
    }
  } finally {
    fresh.dispose?.();
    g.dispose();
  }
});
