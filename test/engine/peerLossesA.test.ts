/**
 * TRADES, KD and RSLAD (group A of the peers): each loss on a tiny hand-made batch of logits against
 * PyTorch computing it the way the method's official code writes it (test/fixtures/peer_losses_a.py,
 * run by Debian's /usr/bin/python3), the values and the gradients with respect to the logits that
 * carry gradient there, to a relative 1e-5; the Gaussian start of the TRADES and RSLAD attacks; and
 * the catalog's defaults, as each code has them. None of the three follows a schedule (no warm-up,
 * ramp or adaptive weight), so there is no schedule to check. The conformance suite covers them
 * through the registry:
 *   node --import tsx --test --test-name-pattern="^(trades|kd|rslad):" test/engine/methodConformance.test.ts
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { findMethod } from '../../src/engine/methods/catalog';
import { kdLossRows } from '../../src/engine/methods/kd';
import type { MethodContext } from '../../src/engine/methods/method';
import { methodFactory } from '../../src/engine/methods/registry';
import { rsladLossRows } from '../../src/engine/methods/rslad';
import { tradesLossRows } from '../../src/engine/methods/trades';
import { buildModel } from '../../src/engine/models/registry';
import { NORMAL_START_STD, batchOf, startNoiseFor } from '../../src/engine/step/trainStep';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, useWasm } from './helpers';
import { type Matrix, assertClose, assertMatrixClose, handLogits as logits, torchReference } from './torchReference';

before(useWasm);

interface Reference {
  loss: number;
  grad: Record<string, Matrix>;
  [term: string]: number | Record<string, Matrix>;
}

/** PyTorch's value of a method's loss (as its official code writes it) on these logits. */
const reference = (input: Record<string, unknown>) => torchReference<Reference>('peer_losses_a.py', input);


const B = 6;
const C = 10;
const LABELS = [3, 0, 9, 1, 1, 7];
const CLEAN = logits(B, C, 11);
const ADV = logits(B, C, 12);
const TEACHER = logits(B, C, 13);
const WHOLE = { total: B };

/** The loss, named terms and gradients with respect to `inputs` of `fn` on fresh tensors. */
function valueAndGrads(inputs: Matrix[], fn: (...xs: tf.Tensor2D[]) => { loss: tf.Scalar }) {
  const xs = inputs.map((m) => tf.tensor2d(m));
  let terms: Record<string, number> = {};
  const grads = tf.grads((...a: tf.Tensor[]) => {
    const out = fn(...(a as tf.Tensor2D[]));
    terms = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, (v as tf.Scalar).dataSync()[0]]));
    return out.loss;
  })(xs);
  const result = { terms, grads: grads.map((g) => g.dataSync() as Float32Array) };
  tf.dispose([...xs, ...grads]);
  return result;
}

for (const reduction of ['batchmean', 'mean'] as const) {
  test(`trades: CE(f(x), y) + beta·KL(f(x) ‖ f(x')), gradient through both sides, as TRADES's code (${reduction})`, () => {
    const beta = 6;
    const ref = reference({ method: 'trades', labels: LABELS, clean: CLEAN, adv: ADV, beta, kl_reduction: reduction });
    const labels = tf.tensor1d(LABELS, 'int32');
    const ours = valueAndGrads([CLEAN, ADV], (clean, adv) => tradesLossRows(clean, adv, labels, beta, reduction, WHOLE));
    // The clean logits do carry gradient from the KL term: without it they would get CE's alone.
    const ceOnly = valueAndGrads([CLEAN, ADV], (clean, adv) => tradesLossRows(clean, adv, labels, 0, reduction, WHOLE));
    labels.dispose();
    for (const term of ['loss', 'natural', 'robust']) assertClose(ours.terms[term], ref[term] as number, term);
    assertMatrixClose(ours.grads[0], ref.grad.clean, 'dL/d clean logits');
    assertMatrixClose(ours.grads[1], ref.grad.adv, 'dL/d adversarial logits');
    assert.ok(Math.max(...ours.grads[0].map((g, i) => Math.abs(g - ceOnly.grads[0][i]))) > 1e-3);
  });

  test(`kd: alpha·T²·KL(T^T(x) ‖ S^T(x)) + (1 − alpha)·CE(S(x), y), as RepDistiller's DistillKL (${reduction})`, () => {
    const alpha = 0.9;
    const temperature = 4;
    const ref = reference({ method: 'kd', labels: LABELS, clean: CLEAN, teacher: TEACHER, alpha, temperature, kl_reduction: reduction });
    const labels = tf.tensor1d(LABELS, 'int32');
    const teacher = tf.tensor2d(TEACHER);
    const ours = valueAndGrads([CLEAN], (student) => kdLossRows(teacher, student, labels, alpha, temperature, reduction, WHOLE));
    tf.dispose([labels, teacher]);
    for (const term of ['loss', 'kd', 'ce']) assertClose(ours.terms[term], ref[term] as number, term);
    assertMatrixClose(ours.grads[0], ref.grad.clean, "dL/d student's logits");
  });

  test(`rslad: 5/6·KL(T(x) ‖ S(x')) + 1/6·KL(T(x) ‖ S(x)), as RSLAD's hand-written KL (${reduction})`, () => {
    const weights = { adv: 5 / 6, natural: 1 / 6 };
    const ref = reference({ method: 'rslad', clean: CLEAN, adv: ADV, teacher: TEACHER, adv_weight: weights.adv, natural_weight: weights.natural, kl_reduction: reduction });
    const teacher = tf.tensor2d(TEACHER);
    const ours = valueAndGrads([ADV, CLEAN], (adv, natural) => rsladLossRows(teacher, adv, natural, weights, reduction, WHOLE));
    teacher.dispose();
    for (const term of ['loss', 'adversarial', 'natural']) assertClose(ours.terms[term], ref[term] as number, term);
    assertMatrixClose(ours.grads[0], ref.grad.adv, 'dL/d adversarial logits');
    assertMatrixClose(ours.grads[1], ref.grad.clean, 'dL/d clean logits');
    // The code's log(b + 1e-5) shifts its value by at most 1e-5 per class, weights summing to 1.
    const perClass = reduction === 'mean' ? 1 : C;
    assert.ok(Math.abs(ours.terms.loss - (ref.loss_code as number)) <= 1e-5 * perClass * (1 + 1e-3), `${ours.terms.loss} vs the code's ${ref.loss_code}`);
  });
}

test('kl_reduction: mean is the batchmean KL over the classes, for every KL term of the three', () => {
  const labels = tf.tensor1d(LABELS, 'int32');
  const [clean, adv, teacher] = [CLEAN, ADV, TEACHER].map((m) => tf.tensor2d(m));
  const robust = (r: 'mean' | 'batchmean') => tradesLossRows(clean, adv, labels, 6, r, WHOLE).robust.dataSync()[0];
  const kd = (r: 'mean' | 'batchmean') => kdLossRows(teacher, clean, labels, 1, 4, r, WHOLE).kd.dataSync()[0];
  const rs = (r: 'mean' | 'batchmean') => rsladLossRows(teacher, adv, clean, { adv: 5 / 6, natural: 1 / 6 }, r, WHOLE).loss.dataSync()[0];
  for (const f of [robust, kd, rs]) assertClose(f('batchmean') / C, f('mean'), f.name);
  tf.dispose([labels, clean, adv, teacher]);
});

test('the three methods take the defaults of their official codes', () => {
  const defaults = (name: string) => findMethod(name)!.settings.parse({}) as Record<string, unknown>;
  assert.deepEqual(defaults('trades'), { beta: 6, kl_reduction: 'batchmean', attack_mode: 'eval' });
  assert.deepEqual(defaults('kd'), { alpha: 0.9, temperature: 4, kl_reduction: 'batchmean' });
  assert.deepEqual(defaults('rslad'), { adv_weight: 5 / 6, natural_weight: 1 / 6, kl_reduction: 'batchmean', attack_mode: 'eval' });
  assert.deepEqual(findMethod('trades')!.officialConventions, { kl_reduction: 'batchmean', attack_mode: 'eval' });
  assert.deepEqual(findMethod('rslad')!.officialConventions, { kl_reduction: 'mean', attack_mode: 'eval' });
  assert.equal(findMethod('kd')!.adversarial, false);
  assert.equal(findMethod('kd')!.needsTeacher, true);
  assert.equal(findMethod('trades')!.needsTeacher, false);
  // Arithmetic in a file: `adv_weight: 5/6` is the default itself.
  assert.equal((findMethod('rslad')!.settings.parse({ adv_weight: '5/6' }) as { adv_weight: number }).adv_weight, 5 / 6);
});

const ATTACK = { epsilon: 0.1, stepSize: 0.025, randomStart: true };

test('trades and rslad start their attack from x + 0.001·N(0, I); kd does not attack', async () => {
  for (const name of ['trades', 'rslad']) {
    assert.equal(findMethod(name)!.attackStart, 'normal');
    assert.deepEqual(startNoiseFor(name, ATTACK), { kind: 'normal', std: NORMAL_START_STD });
  }
  assert.equal(NORMAL_START_STD, 0.001);
  assert.equal(startNoiseFor('kd', ATTACK), null);
  assert.deepEqual(startNoiseFor('pgd-at', ATTACK), { kind: 'uniform', epsilon: 0.1 });

  // With no ascent step, x' is where the attack starts: x plus the trainer's Gaussian noise, as drawn.
  const data = firstN((await fashionMini()).train, 32);
  for (const name of ['trades', 'rslad', 'kd']) {
    const student = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const teacher = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
    const info = findMethod(name)!;
    const ctx: MethodContext = {
      student,
      teacher,
      teachers: { adversarial: teacher },
      settings: info.settings.parse({}) as Record<string, unknown>,
      attack: { ...ATTACK, steps: 0, start: info.attackStart ?? 'uniform' },
      trainSize: 32,
      trainLabels: data.labels,
      numClasses: 10,
      seed: 1,
    };
    const start = startNoiseFor(name, ATTACK);
    const rows = batchOf({ images: data.images, labels: data.labels, indices: Int32Array.from({ length: 32 }, (_, i) => i), size: 32 }, [28, 28, 1], start, new Rng(5));
    const x = rows.x;
    const prepared = methodFactory(name)(ctx).prepare(rows, {});
    const moved = tf.sub(prepared.input, x);
    if (name === 'kd') {
      assert.equal(tf.max(tf.abs(moved)).dataSync()[0], 0, 'kd trains on the clean x');
    } else {
      const drawn = tf.add(x, rows.noise!);
      assert.deepEqual(prepared.input.dataSync(), drawn.dataSync(), `${name}: x' is x plus the noise, as drawn`);
      drawn.dispose();
      const d = moved.dataSync() as Float32Array;
      const std = Math.sqrt(d.reduce((a, v) => a + v * v, 0) / d.length);
      // Gaussian, not uniform in the ball: std 0.001 (a uniform start would have about 0.058).
      assert.ok(Math.abs(std - 0.001) < 1e-4, `${name}: start noise std ${std}`);
    }
    tf.dispose([moved, prepared.input, ...Object.values(prepared.tensors), rows.x, rows.y, rows.noise ?? []]);
    student.params.dispose();
    teacher.params.dispose();
  }
});
