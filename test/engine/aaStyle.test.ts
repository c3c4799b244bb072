/**
 * The AA-style suites as a whole: the cascade is at most each of its components and at most
 * PGD-20 on a trained model; on a model that masks its gradients, Square breaks what the white-box
 * attacks cannot and the flags say so; EOT takes effect on a randomised model; and `gacd eval`
 * reports an `aa-style` row and the flags in its JSON.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { type AttackEntry, resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import type { Model } from '../../src/engine/models/model';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { evaluationFlags } from '../../src/engine/run/reliability';
import { perturbWith } from '../../src/engine/attacks/registry';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, shippedTeacher, tensorsOf, useWasm } from './helpers';
import { ROOT } from './paths';

before(useWasm);

const accuracyOf = (e: Awaited<ReturnType<typeof evaluateModel>>, label: string) => e.results.find((r) => r.attack === label)!.accuracy;

test('on the shipped teacher the cascade is at most PGD-20 and (up to a point) each component run alone', async () => {
  const split = firstN((await fashionMini()).test, 60);
  const teacher = shippedTeacher();
  const attacks = [
    'clean',
    'pgd-20',
    { attack: 'apgd-ce', steps: 30, label: 'apgd-ce' },
    { attack: 'apgd-t', steps: 30, label: 'apgd-t' },
    { attack: 'square', steps: 300, label: 'square' },
    { attack: 'aa-style', iterations: 30, queries: 300, label: 'aa-style' },
  ].map((a) => resolveEvaluationEntry(a));
  const e = await evaluateModel(teacher, split, { epsilon: 0.1, attacks, epsilons: [], batchSize: 60, seed: 3 });
  const aa = accuracyOf(e, 'aa-style');
  assert.ok(aa <= accuracyOf(e, 'pgd-20'), `aa-style ${aa} vs pgd-20 ${accuracyOf(e, 'pgd-20')}`);
  // The components after the first run on fewer points from other random starts: one point of slack.
  for (const c of ['apgd-ce', 'apgd-t', 'square']) assert.ok(aa <= accuracyOf(e, c) + 1 / 60 + 1e-9, `aa-style ${aa} vs ${c} ${accuracyOf(e, c)}`);
  assert.ok(aa < accuracyOf(e, 'clean'));
  const broken = e.reports['aa-style'].brokenBy;
  assert.ok((broken['apgd-ce'] ?? 0) > 0, JSON.stringify(broken));
  teacher.params.dispose();
});

/** A stand-in model from a logits function. */
const fake = (logits: (x: tf.Tensor4D) => tf.Tensor2D): Model =>
  ({ arch: 'fake', apply: (x: tf.Tensor4D) => ({ logits: logits(x), features: {} }) }) as unknown as Model;

test('a model that masks its gradients: Square breaks what APGD cannot, and the flags say so', async () => {
  const split = firstN((await fashionMini()).test, 40);
  const w = tf.randomNormal([784, 10], 0, 0.3, 'float32', 4);
  // Rounded logits: a zero input gradient everywhere, the same decisions as the linear model.
  const masked = fake((x) => tf.round(tf.mul(tf.matMul(tf.reshape(x, [x.shape[0], 784]), w), 4)) as tf.Tensor2D);
  const attacks = ['clean', 'pgd-5', { attack: 'aa-style', iterations: 5, queries: 300, label: 'aa-style' }].map((a) => resolveEvaluationEntry(a));
  const e = await evaluateModel(masked, split, { epsilon: 0.1, attacks, epsilons: [], batchSize: 40, seed: 1 });
  const broken = e.reports['aa-style'].brokenBy;
  // Without gradients the white-box attacks break only what their random starts happen to.
  const whiteBox = (broken['apgd-ce'] ?? 0) + (broken['apgd-t'] ?? 0);
  assert.ok((broken.square ?? 0) > whiteBox, `Square broke ${broken.square}, the white-box attacks ${whiteBox}`);
  assert.equal(e.reports['aa-style'].zeroGradient, e.reports['aa-style'].samples);
  assert.ok(accuracyOf(e, 'aa-style') < accuracyOf(e, 'pgd-5'));
  const codes = evaluationFlags(attacks, e.results, e.reports, e.examples).map((f) => f.code);
  for (const code of ['zero-gradients', 'square-beats-white-box']) assert.ok(codes.includes(code), codes.join());
  w.dispose();
});

test('aa-style-rand: EOT takes effect on a randomised model', async () => {
  const { x, y } = tensorsOf(firstN((await fashionMini()).test, 12));
  const teacher = shippedTeacher();
  let pass = 0;
  // The teacher behind dropout on its input: each pass sees other pixels, so its gradient differs.
  const noisy = (xi: tf.Tensor4D) => {
    const keep = tf.cast(tf.greater(tf.randomUniform(xi.shape, 0, 1, 'float32', ++pass), 0.1), 'float32');
    return teacher.apply(tf.mul(xi, keep) as tf.Tensor4D, { training: false }).logits;
  };
  const imagesWith = (eot: number) => {
    pass = 0;
    const entry = resolveEvaluationEntry({ attack: 'aa-style-rand', iterations: 3, eot }) as AttackEntry;
    return tf.tidy(() => perturbWith(entry, noisy, x, y, 0.1, new Rng(2)).dataSync());
  };
  const one = imagesWith(1);
  const four = imagesWith(4);
  assert.ok(one.some((v, i) => v !== four[i]), 'averaging the gradient over passes changes the search');
  tf.dispose([x, y]);
  teacher.params.dispose();
});

test('gacd eval --json: an aa-style row beside the others and the raised flags', () => {
  const r = spawnSync(
    process.execPath,
    ['bin/gacd.js', 'eval', 'examples/checkpoints/teacher-fashion', '--test-size', '20', '--json', '--attacks', 'clean,pgd-5,{attack: aa-style, iterations: 5, queries: 50, label: aa-style}'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const last = JSON.parse(r.stdout.trim().split('\n').pop()!);
  const row = last.results.find((x: { attack: string }) => x.attack === 'aa-style');
  assert.ok(row && row.accuracy >= 0 && row.accuracy <= 1, JSON.stringify(last.results));
  assert.ok(Array.isArray(last.flags));
  assert.ok(last.flags.some((f: { code: string }) => f.code === 'few-points'), JSON.stringify(last.flags));
  assert.equal(last.perClass.rows.length, last.results.length);
});
