import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { fgsm } from '../../src/engine/attacks/fgsm';
import { pgd } from '../../src/engine/attacks/pgd';
import { parseEvalAttack } from '../../src/engine/attacks/registry';
import { evalLogits } from '../../src/engine/methods/method';
import { buildModel } from '../../src/engine/models/registry';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { loadWeights, readCheckpoint } from '../../src/engine/run/checkpoint';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, tensorsOf, useWasm } from './helpers';
import { TEACHER_CHECKPOINT } from './paths';

before(useWasm);

for (const loss of ['ce', 'cw'] as const) {
  for (const attack of [fgsm, pgd]) {
    test(`${attack.name} (${loss}) stays within epsilon and [0, 1] and leaks nothing`, async () => {
      const data = await fashionMini();
      const model = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
      const { x, y } = tensorsOf(firstN(data.test, 32));
      const before = tf.memory().numTensors;
      const eps = 0.1;
      const xAdv = attack.perturb(evalLogits(model), x, y, { epsilon: eps, stepSize: 0.025, steps: 5, randomStart: true, loss }, new Rng(1));
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
  assert.throws(() => pgd.perturb(evalLogits(model), x, y, { epsilon: 0.1, stepSize: 0.03, steps: 2, randomStart: false, loss: 'kl' }, new Rng(1)), /target probabilities/);
  const target = tf.softmax(evalLogits(model)(x));
  // A random start: at x itself the KL to the model's own output is at its minimum (zero gradient).
  const xAdv = pgd.perturb(evalLogits(model), x, y, { epsilon: 0.1, stepSize: 0.03, steps: 5, randomStart: true, loss: 'kl', targetProbs: target }, new Rng(1));
  const kl = tf.sum(tf.mul(target, tf.sub(tf.log(target), tf.logSoftmax(evalLogits(model)(xAdv))))).dataSync()[0];
  assert.ok(kl > 1e-3, `KL after the attack is ${kl}`);
  tf.dispose([x, y, target, xAdv]);
  model.params.dispose();
});

test('evaluation attack names parse; unknown ones are refused', () => {
  assert.equal(parseEvalAttack('pgd-20').steps, 20);
  assert.equal(parseEvalAttack('cw-30').loss, 'cw');
  assert.equal(parseEvalAttack('clean').attack, null);
  assert.throws(() => parseEvalAttack('pgd20'), /unknown evaluation attack/);
});

test('on the trained teacher: robust accuracy <= clean, PGD-20 <= FGSM, accuracy falls with epsilon', async () => {
  const data = await fashionMini();
  const teacher = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  loadWeights(readCheckpoint(TEACHER_CHECKPOINT), teacher, TEACHER_CHECKPOINT);
  const e = await evaluateModel(teacher, firstN(data.test, 300), {
    epsilon: 0.1,
    attacks: ['clean', 'fgsm', 'pgd-20', 'cw-20'],
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
