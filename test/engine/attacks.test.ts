import { emptyReport } from '../../src/engine/attacks/attack';
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { pgd, pgdWithOptions } from '../../src/engine/attacks/pgd';
import { evalLogits } from '../../src/engine/methods/method';
import { buildModel } from '../../src/engine/models/registry';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, shippedTeacher, tensorsOf, useWasm } from './helpers';

before(useWasm);

// The evaluation attacks are checked over the registry in attackConformance.test.ts; these check
// the training-time PGD that methods call with AttackOptions.
for (const loss of ['ce', 'cw'] as const) {
  for (const steps of [1, 5]) {
    test(`training PGD (${loss}, ${steps} steps) stays within epsilon and [0, 1] and leaks nothing`, async () => {
      const data = await fashionMini();
      const model = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
      const { x, y } = tensorsOf(firstN(data.test, 32));
      const before = tf.memory().numTensors;
      const eps = 0.1;
      const xAdv = pgdWithOptions(evalLogits(model), x, y, { epsilon: eps, stepSize: 0.025, steps, randomStart: true, loss }, new Rng(1));
      assert.equal(tf.memory().numTensors, before + 1, 'only the adversarial batch is left');
      const diff = tf.max(tf.abs(tf.sub(xAdv, x))).dataSync()[0];
      assert.ok(diff <= eps + 1e-6, `perturbation ${diff} exceeds ${eps}`);
      assert.ok(diff > eps / 2, `the attack barely moved (${diff})`);
      assert.ok(tf.min(xAdv).dataSync()[0] >= 0 && tf.max(xAdv).dataSync()[0] <= 1);
      tf.dispose([x, y, xAdv]);
      model.params.dispose();
    });
  }
}

test('KL attack needs target probabilities and moves away from them', async () => {
  const data = await fashionMini();
  const model = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
  const { x, y } = tensorsOf(firstN(data.test, 16));
  assert.throws(() => pgdWithOptions(evalLogits(model), x, y, { epsilon: 0.1, stepSize: 0.03, steps: 2, randomStart: false, loss: 'kl' }, new Rng(1)), /target probabilities/);
  const target = tf.softmax(evalLogits(model)(x));
  // A random start: at x itself the KL to the model's own output is at its minimum (zero gradient).
  const xAdv = pgdWithOptions(evalLogits(model), x, y, { epsilon: 0.1, stepSize: 0.03, steps: 5, randomStart: true, loss: 'kl', targetProbs: target }, new Rng(1));
  const kl = tf.sum(tf.mul(target, tf.sub(tf.log(target), tf.logSoftmax(evalLogits(model)(xAdv))))).dataSync()[0];
  assert.ok(kl > 1e-3, `KL after the attack is ${kl}`);
  tf.dispose([x, y, target, xAdv]);
  model.params.dispose();
});

test("an evaluation PGD with loss kl moves away from the model's own clean output", async () => {
  const data = await fashionMini();
  const model = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
  const { x, y } = tensorsOf(firstN(data.test, 16));
  const entry = resolveEvaluationEntry({ attack: 'pgd', steps: 5, step_size: 0.03, loss: 'kl' });
  assert.ok(entry.attack === 'pgd');
  const before = tf.memory().numTensors;
  const xAdv = pgd.perturb(evalLogits(model), x, y, 0.1, entry.settings, new Rng(1));
  assert.equal(tf.memory().numTensors, before + 1, 'the clean output it moves away from is freed');
  const target = tf.softmax(evalLogits(model)(x));
  const kl = tf.sum(tf.mul(target, tf.sub(tf.log(target), tf.logSoftmax(evalLogits(model)(xAdv))))).dataSync()[0];
  assert.ok(kl > 1e-3, `KL after the attack is ${kl}`);
  tf.dispose([x, y, target, xAdv]);
  model.params.dispose();
});

test('on the trained teacher: robust accuracy <= clean, PGD-20 <= FGSM, accuracy falls with epsilon', async () => {
  const data = await fashionMini();
  const teacher = shippedTeacher();
  const e = await evaluateModel(teacher, firstN(data.test, 300), {
    epsilon: 0.1,
    attacks: ['clean', 'fgsm', 'pgd-20', 'cw-20'].map((a) => resolveEvaluationEntry(a)),
    epsilons: [0, 0.05, 0.1, 0.2],
    batchSize: 150,
    seed: 5,
  });
  const acc = Object.fromEntries(e.results.map((r) => [r.attack, r.accuracy]));
  assert.ok(acc.clean > 0.6, `a trained teacher should be accurate, got ${acc.clean}`);
  for (const a of ['fgsm', 'pgd-20', 'cw-20', 'worst-case']) assert.ok(acc[a] <= acc.clean, `${a} ${acc[a]} > clean ${acc.clean}`);
  assert.ok(acc['pgd-20'] <= acc.fgsm, `PGD-20 ${acc['pgd-20']} > FGSM ${acc.fgsm}`);
  assert.ok(acc['worst-case'] <= Math.min(acc.fgsm, acc['pgd-20'], acc['cw-20']));
  const curve = e.accuracyVsEpsilon.map((p) => p.accuracy);
  for (let i = 1; i < curve.length; i++) assert.ok(curve[i] <= curve[i - 1] + 0.02, `accuracy rose with epsilon: ${curve}`);
  assert.ok(acc['pgd-20'] > 0.3, `the PGD-AT teacher should stay robust at 0.1, got ${acc['pgd-20']}`);
  teacher.params.dispose();
});

test('the accuracy-against-epsilon curve uses the PGD of the list with the most steps, found by attack and steps', async () => {
  const split = firstN((await fashionMini()).test, 4);
  const curveOf = async (written: unknown[]) => {
    const jobs: Array<{ label: string; epsilon: number }> = [];
    const correctness = async (s: { count: number }, job: { entry: { label: string }; epsilon: number; offset?: number }) => {
      // A job runs in blocks; its first block stands for it.
      if (!job.offset) jobs.push({ label: job.entry.label, epsilon: job.epsilon });
      return { correct: new Uint8Array(s.count).fill(1), report: emptyReport() };
    };
    const cfg = { epsilon: 0.1, attacks: written.map((a) => resolveEvaluationEntry(a)), epsilons: [0, 0.05, 0.1], batchSize: 2, seed: 1 };
    // The model is never called: the correctness function above stands in for the attacks.
    await evaluateModel(null as never, split, cfg, { correctness: correctness as never });
    return jobs.slice(written.length).map((j) => `${j.label}@${j.epsilon}`);
  };
  // A CW entry labelled like PGD is not a PGD; the 50-step section is the strongest one.
  assert.deepEqual(await curveOf(['clean', 'pgd-20', { attack: 'cw', steps: 99, label: 'pgd-99' }, { attack: 'pgd', steps: 50, label: 'strong' }]), ['strong@0.05']);
  // Without a PGD, the curve runs PGD-20 at every epsilon but 0 (clean's figures).
  assert.deepEqual(await curveOf(['clean', 'cw-30']), ['pgd-20@0.05', 'pgd-20@0.1']);
});
