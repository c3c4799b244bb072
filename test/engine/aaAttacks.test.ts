/**
 * The attacks of an AA-style evaluation (apgd-ce, apgd-dlr, apgd-t, square): APGD's step-size
 * checkpoints and Square's schedule against values computed by hand from the official code
 * (fra31/auto-attack); the DLR losses and their gradients against a PyTorch transcription of the
 * code's dlr_loss and dlr_loss_targeted (Debian's /usr/bin/python3); and on the shipped teacher
 * (small-cnn, Fashion-MNIST, eps 0.1) over the first bundled test images: APGD-CE at least as
 * strong as PGD-20, APGD-T on what APGD-CE left, Square well below clean; on a model that masks its
 * gradients (its input is rounded, so every input gradient is exactly zero), APGD fails, reports
 * zero gradients for every point and a loss that never rose, while Square still succeeds. The
 * conformance suite checks the rest through the registry:
 *   node --import tsx --test --test-name-pattern="apgd|square" test/engine/attackConformance.test.ts
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { apgdCheckpoints, runApgd } from '../../src/engine/attacks/apgd';
import { AttackReport, emptyReport, LogitsFn } from '../../src/engine/attacks/attack';
import { AttackEntry, resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { dlrPerSample, targetedDlrPerSample } from '../../src/engine/attacks/dlr';
import { perturbWith } from '../../src/engine/attacks/registry';
import { runSquare, squareFraction, squareSide } from '../../src/engine/attacks/square';
import { evalLogits } from '../../src/engine/methods/method';
import type { Model } from '../../src/engine/models/model';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, shippedTeacher, tensorsOf, useWasm } from './helpers';

const EPSILON = 0.1;
const IMAGES = 100;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

before(async () => {
  await useWasm();
  model = shippedTeacher();
  ({ x, y } = tensorsOf(firstN((await fashionMini()).test, IMAGES)));
});

after(() => {
  tf.dispose([x, y]);
  model.params.dispose();
});

const accuracy = (logitsFn: LogitsFn, images: tf.Tensor4D, labels = y) =>
  tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(logitsFn(images), 1), labels), 'float32')).dataSync()[0]);

/** The accuracy under an attack of the catalog, written as in an experiment file. */
function underAttack(logitsFn: LogitsFn, written: string | Record<string, unknown>, seed = 1, report?: AttackReport, images = x, labels = y): number {
  const adversarial = perturbWith(resolveEvaluationEntry(written) as AttackEntry, logitsFn, images, labels, EPSILON, new Rng(seed), report);
  try {
    return accuracy(logitsFn, adversarial, labels);
  } finally {
    adversarial.dispose();
  }
}

test("APGD's checkpoints are the code's: windows of 22%, each 3% shorter, at least 6%", () => {
  // By hand from autopgd_base.py: k = 22, then max(k - 3, 6): 22, 19, 16, 13, 10, 7, 6, 6 iterations.
  assert.deepEqual(apgdCheckpoints(100), [22, 41, 57, 70, 80, 87, 93, 99]);
  // The paper's p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06), p_0 = 0, p_1 = 0.22, in hundredths.
  const p = [0, 22];
  while (p.at(-1)! + Math.max(p.at(-1)! - p.at(-2)! - 3, 6) <= 100) p.push(p.at(-1)! + Math.max(p.at(-1)! - p.at(-2)! - 3, 6));
  assert.deepEqual(apgdCheckpoints(100), p.slice(1));
  // Few iterations: every window is at least one iteration (int(0.22·10) = 2, then 1, 1, ...).
  assert.deepEqual(apgdCheckpoints(10), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(apgdCheckpoints(1), [1]);
});

test("Square's schedule of p and the side of its squares are the code's (rescaled to the queries)", () => {
  // 5,000 queries map iteration i to 2i on the code's 10,000: p halves after 10, 50, 200, ... .
  assert.deepEqual([0, 5, 6, 25, 26, 100, 101, 4000, 4001].map((i) => squareFraction(i, 5000)), [0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.8 / 256, 0.8 / 512]);
  assert.equal(squareFraction(1, 100), 0.8 / 4, '100 queries: iteration 1 is 100 of 10,000, past 50');
  // 28x28: sqrt(0.8·784) = 25.04 -> 25; sqrt(0.4·784) = 17.7 -> 18; the smallest is one pixel.
  assert.deepEqual([0.8, 0.4, 0.8 / 512].map((p) => squareSide(p, 28, 28, 1)), [25, 18, 1]);
  assert.equal(squareSide(0.8, 32, 32, 3), 29);
});

/** The code's dlr_loss and dlr_loss_targeted (autopgd_base.py), verbatim but for the function heads. */
const TORCH_DLR = `
import json, sys, torch
d = json.load(sys.stdin)
x = torch.tensor(d['logits'], dtype=torch.float32, requires_grad=True)
y = torch.tensor(d['labels'])
y_target = torch.tensor(d['targets'])
def dlr_loss(x, y):
    x_sorted, ind_sorted = x.sort(dim=1)
    ind = (ind_sorted[:, -1] == y).float()
    u = torch.arange(x.shape[0])
    return -(x[u, y] - x_sorted[:, -2] * ind - x_sorted[:, -1] * (
        1. - ind)) / (x_sorted[:, -1] - x_sorted[:, -3] + 1e-12)
def dlr_loss_targeted(x, y):
    x_sorted, ind_sorted = x.sort(dim=1)
    u = torch.arange(x.shape[0])
    return -(x[u, y] - x[u, y_target]) / (x_sorted[:, -1] - .5 * (
        x_sorted[:, -3] + x_sorted[:, -4]) + 1e-12)
out = {}
for name, f in [('dlr', dlr_loss), ('targeted', dlr_loss_targeted)]:
    v = f(x, y)
    (g,) = torch.autograd.grad(v.sum(), x)
    out[name] = {'value': v.tolist(), 'grad': g.tolist()}
print(json.dumps(out))
`;

test('the DLR losses and their gradients match a PyTorch transcription of the code', () => {
  // Rows where the label is the largest logit, the second, the third (DLR is then constant: zero
  // gradient, the reference's issue #108) and the last; no ties, so both sorts agree.
  const logits = [
    [3.1, -0.4, 1.2, 0.3, -2.2, 0.9, -1.1, 2.4, -0.7, 0.05],
    [0.2, 4.5, -1.3, 2.2, 0.7, -0.9, 1.9, -2.8, 0.4, -0.15],
    [-1.0, 0.6, 2.9, -0.2, 3.3, 1.4, -0.8, 0.1, 2.1, -2.4],
    [12.0, -7.5, 3.3, 9.1, -0.2, 5.5, 1.7, -3.9, 0.8, 6.6],
    [0.01, 0.02, -0.03, 0.04, -0.05, 0.06, -0.07, 0.08, -0.09, 0.1],
  ];
  const labels = [0, 3, 8, 7, 9];
  const targets = [7, 1, 4, 0, 7];
  const reference = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', TORCH_DLR], { input: JSON.stringify({ logits, labels, targets }), encoding: 'utf8' }),
  ) as Record<'dlr' | 'targeted', { value: number[]; grad: number[][] }>;
  const z = tf.tensor2d(logits);
  const yt = tf.tensor1d(labels, 'int32');
  const tt = tf.tensor1d(targets, 'int32');
  const ours = {
    dlr: (v: tf.Tensor2D) => dlrPerSample(v, yt),
    targeted: (v: tf.Tensor2D) => targetedDlrPerSample(v, yt, tt),
  };
  for (const name of ['dlr', 'targeted'] as const) {
    const value = tf.tidy(() => Array.from(ours[name](z).dataSync()));
    const grad = tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(ours[name](v as tf.Tensor2D)))(z).arraySync() as number[][]);
    value.forEach((v, i) => assert.ok(Math.abs(v - reference[name].value[i]) <= 1e-5 * Math.max(1, Math.abs(v)), `${name} row ${i}: ${v} vs PyTorch ${reference[name].value[i]}`));
    grad.flat().forEach((g, i) => assert.ok(Math.abs(g - reference[name].grad.flat()[i]) <= 1e-5, `${name} gradient ${i}: ${g} vs PyTorch ${reference[name].grad.flat()[i]}`));
  }
  // Row 2's label is the third largest logit: the untargeted DLR is -(z_π3 - z_π1)/(z_π1 - z_π3) = 1
  // there, whatever the logits, so its gradient is zero.
  assert.ok(Math.abs(reference.dlr.value[2] - 1) < 1e-6);
  assert.ok(reference.dlr.grad[2].every((g) => Math.abs(g) < 1e-6));
  tf.dispose([z, yt, tt]);
});

test('on the shipped teacher: APGD-CE is at least as strong as PGD-20, APGD-T runs target by target on what it left', () => {
  const f = evalLogits(model);
  const clean = accuracy(f, x);
  const pgd20 = underAttack(f, 'pgd-20');
  const report = emptyReport();
  const adversarialCe = perturbWith(resolveEvaluationEntry('apgd-ce-100') as AttackEntry, f, x, y, EPSILON, new Rng(1), report);
  const apgdCe = accuracy(f, adversarialCe);
  console.log(`# ${IMAGES} images, eps ${EPSILON}: clean ${clean.toFixed(2)}, pgd-20 ${pgd20.toFixed(2)}, apgd-ce-100 ${apgdCe.toFixed(2)}`);
  assert.ok(apgdCe <= pgd20 + 0.01, `APGD-CE ${apgdCe} > PGD-20 ${pgd20} + 1 point`);
  assert.ok(apgdCe < clean);
  // One run on the points the teacher classifies correctly; its loss rose.
  assert.deepEqual([report.runs, report.flatRuns, report.samples], [1, 0, Math.round(clean * IMAGES)]);

  // The cascade's next step, cheaper than the standard run (3 targets, 30 iterations each): APGD-T
  // on the points APGD-CE left.
  const left = tf.tidy(() => tf.equal(tf.argMax(f(adversarialCe), 1), y).dataSync());
  const rows = Array.from(left.keys()).filter((i) => left[i]);
  const [xs, ys] = tf.tidy(() => [tf.gather(x, rows), tf.gather(y, rows)]) as [tf.Tensor4D, tf.Tensor1D];
  const targeted = runApgd(f, xs, ys, { epsilon: EPSILON, steps: 30, restarts: 1, loss: 'dlr-targeted', targets: 3 }, new Rng(2));
  const stillRight = Math.round(accuracy(f, targeted.adversarial, ys) * rows.length);
  console.log(`# apgd-t (3 targets x 30) on the ${rows.length} points APGD-CE left: ${stillRight} still right; runs ${JSON.stringify(targeted.runs)}`);
  assert.deepEqual(targeted.runs.map((r) => r.targetRank), [2, 3, 4]);
  assert.ok(stillRight <= rows.length, 'never more than it was given');
  assert.equal(targeted.runs[0].samples, rows.length);
  tf.dispose([adversarialCe, xs, ys, targeted.adversarial]);
});

test('on the shipped teacher: Square takes accuracy well below clean, and counts its queries', () => {
  const f = evalLogits(model);
  const clean = accuracy(f, x);
  const { adversarial, queries } = runSquare(f, x, y, { epsilon: EPSILON, steps: 300, restarts: 1 }, new Rng(3));
  const robust = accuracy(f, adversarial);
  console.log(`# square-300: ${robust.toFixed(2)} (clean ${clean.toFixed(2)}), ${queries.reduce((s, q) => s + q, 0)} queries`);
  assert.ok(robust <= clean - 0.1, `Square ${robust} vs clean ${clean}`);
  // Points misclassified from the start are not queried; the others at most 1 + 300 times.
  const wrongAtStart = tf.tidy(() => tf.notEqual(tf.argMax(f(x), 1), y).dataSync());
  queries.forEach((q, i) => assert.ok(wrongAtStart[i] ? q === 0 : q >= 1 && q <= 301, `point ${i}: ${q} queries`));
  adversarial.dispose();
});

test('a model that masks its gradients: APGD fails and reports it, Square does not', () => {
  const f = evalLogits(model);
  // The input rounded to 1/255: the same classifier, but every input gradient is exactly zero.
  const masked: LogitsFn = (images) => f(tf.div(tf.round(tf.mul(images, 255)), 255) as tf.Tensor4D);
  const [xs, ys] = tf.tidy(() => [tf.slice(x, 0, 40), tf.slice(y, 0, 40)]) as [tf.Tensor4D, tf.Tensor1D];
  const clean = accuracy(masked, xs, ys);
  const report = emptyReport();
  const apgd = underAttack(masked, 'apgd-ce-20', 1, report, xs, ys);
  const squareReport = emptyReport();
  const square = underAttack(masked, 'square-300', 1, squareReport, xs, ys);
  console.log(`# masked model, 40 images: clean ${clean.toFixed(2)}, apgd-ce-20 ${apgd.toFixed(2)}, square-300 ${square.toFixed(2)}; ${JSON.stringify(report)}`);
  assert.equal(report.zeroGradient, report.samples, 'every attacked point had a zero gradient');
  assert.ok(report.samples > 0);
  assert.equal(report.flatRuns, report.runs, 'the loss never rose');
  assert.ok(square <= apgd - 0.1, `Square ${square} should beat APGD ${apgd} on a masked model`);
  // Square counts its queries: at least one per correctly classified point, at most 1 + 300 each.
  const correct = Math.round(clean * 40);
  assert.ok(squareReport.queries >= correct && squareReport.queries <= correct * 301, `${squareReport.queries} queries`);
  tf.dispose([xs, ys]);
});
