/**
 * The evaluation a reviewer can trust: accuracy per class that adds up to the whole, an
 * interrupted evaluation that resumes to the same figures, a cache that evaluates fixed weights
 * once, and reliability flags raised where they should be (and only there).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { EventBody } from '../../src/protocol/events';
import { resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { emptyReport } from '../../src/engine/attacks/attack';
import type { Model } from '../../src/engine/models/model';
import { EvaluationState, evaluateModel } from '../../src/engine/run/evaluate';
import { evaluateAndReport } from '../../src/engine/run/modelEvaluation';
import { evaluationFlags, modelFlags } from '../../src/engine/run/reliability';
import { findDataset } from '../../src/engine/data/catalog';
import { fashionMini, firstN, shippedTeacher, useWasm } from './helpers';

before(useWasm);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-eval-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function teacher(): Model {
  const m = shippedTeacher();
  return m;
}

const config = (attacks: unknown[]) => ({ epsilon: 0.1, attacks: attacks.map((a) => resolveEvaluationEntry(a)), epsilons: [0, 0.1], batchSize: 20, seed: 5 });

test('accuracy per class, weighted by the class counts, is each row\'s accuracy', async () => {
  const split = firstN((await fashionMini()).test, 100);
  const m = teacher();
  const e = await evaluateModel(m, split, config(['clean', 'fgsm', 'pgd-3']));
  assert.equal(e.perClass.counts.reduce((a, b) => a + b, 0), 100);
  const rows = [...e.results.map((r) => r.attack)];
  assert.deepEqual(e.perClass.rows.map((r) => r.attack), rows);
  for (const row of e.perClass.rows) {
    const whole = e.results.find((r) => r.attack === row.attack)!.accuracy;
    const weighted = row.accuracy.reduce((s, a, k) => s + a * e.perClass.counts[k], 0) / 100;
    assert.ok(Math.abs(weighted - whole) < 1e-9, `${row.attack}: ${weighted} vs ${whole}`);
  }
  const worst = e.perClass.rows.find((r) => r.attack === 'worst-case')!.accuracy;
  assert.equal(e.worstClass.accuracy, Math.min(...worst.filter((_, k) => e.perClass.counts[k] > 0)));
  m.params.dispose();
});

test('an evaluation killed after a few blocks resumes to the same figures as one run through', async () => {
  const split = firstN((await fashionMini()).test, 100);
  const m = teacher();
  const cfg = config(['clean', 'pgd-3', 'cw-3']);
  const whole = await evaluateModel(m, split, cfg);
  let saved: EvaluationState | undefined;
  let blocks = 0;
  const kill = new Error('killed');
  await assert.rejects(
    evaluateModel(m, split, cfg, {
      save: (s) => {
        saved = JSON.parse(JSON.stringify(s));
        if (++blocks === 7) throw kill;
      },
    }),
    /killed/,
  );
  assert.ok(saved && Object.keys(saved.jobs).length >= 2, 'the state names the rows begun');
  const progress: number[] = [];
  const resumed = await evaluateModel(m, split, cfg, { resume: saved, onProgress: (p) => progress.push(p.done) });
  assert.deepEqual(resumed, whole);
  assert.ok(progress.length < 15, `only the blocks not done ran again (${progress.length})`);
  m.params.dispose();
});

test('the cache evaluates the same weights, settings and data once; other weights are evaluated anew', async () => {
  const split = firstN((await fashionMini()).test, 60);
  const m = teacher();
  const info = findDataset('fashion-mnist-mini')!;
  const events: EventBody[] = [];
  const options = {
    model: m,
    label: 'teacher',
    method: 'pgd-at',
    split,
    data: { dataset: info.name, split: 'test' as const, classes: null, resize: null, classNames: info.classNames },
    config: config(['clean', 'pgd-3']),
    pool: null,
    emit: (e: EventBody) => events.push(e),
    cacheDir: path.join(work, 'cache'),
    card: { backend: 'wasm' },
  };
  const first = await evaluateAndReport(options);
  const progressFirst = events.filter((e) => e.type === 'evaluation-progress').length;
  assert.ok(progressFirst > 0);
  assert.equal(first.results.cached, undefined);
  const second = await evaluateAndReport(options);
  assert.equal(second.results.cached, true);
  assert.equal(events.filter((e) => e.type === 'evaluation-progress').length, progressFirst, 'nothing evaluated again');
  assert.deepEqual({ ...second.results, cached: undefined }, { ...first.results, cached: undefined });
  assert.equal(second.card.weightsSha256, first.card.weightsSha256);
  assert.deepEqual(second.card.threat, { norm: 'Linf', epsilon: 0.1, inputRange: [0, 1] });
  assert.equal(second.card.data.examples, 60);
  // Other weights: a new key.
  tf.tidy(() => m.params.trainableNamed()[0][1].assign(tf.mul(m.params.trainableNamed()[0][1], 0.5)));
  const third = await evaluateAndReport(options);
  assert.equal(third.results.cached, undefined);
  assert.notEqual(third.card.weightsSha256, first.card.weightsSha256);
  m.params.dispose();
});

/** A stand-in model from a logits function (the flags look only at `apply`). */
const fake = (logits: (x: tf.Tensor4D) => tf.Tensor2D): Model =>
  ({ arch: 'fake', apply: (x: tf.Tensor4D) => ({ logits: logits(x), features: {} }) }) as unknown as Model;

test('a randomised model and a model with probability outputs raise their flags; the teacher raises neither', async () => {
  const split = firstN((await fashionMini()).test, 16);
  const w = tf.randomNormal([784, 10], 0, 0.1, 'float32', 1);
  const linear = (x: tf.Tensor4D) => tf.matMul(tf.reshape(x, [x.shape[0], 784]), w) as tf.Tensor2D;
  let calls = 0;
  const noisy = fake((x) => tf.add(linear(x), tf.randomNormal([x.shape[0], 10], 0, 0.1, 'float32', ++calls)) as tf.Tensor2D);
  assert.deepEqual(modelFlags(noisy, split).map((f) => f.code), ['random-forward']);
  const softmax = fake((x) => tf.softmax(linear(x)));
  assert.deepEqual(modelFlags(softmax, split).map((f) => f.code), ['softmax-outputs']);
  const m = teacher();
  assert.deepEqual(modelFlags(m, split), []);
  m.params.dispose();
  w.dispose();
});

test('a model whose gradients are zero raises the zero-gradient and flat-loss flags under PGD', async () => {
  const split = firstN((await fashionMini()).test, 40);
  const w = tf.randomNormal([784, 10], 0, 0.3, 'float32', 2);
  // Rounding the logits: the same predictions for tiny moves, and a zero input gradient everywhere.
  const masked = fake((x) => tf.round(tf.matMul(tf.reshape(x, [x.shape[0], 784]), w)) as tf.Tensor2D);
  const cfg = config(['clean', 'pgd-3']);
  const e = await evaluateModel(masked, split, cfg);
  assert.equal(e.reports['pgd-3'].zeroGradient, 40);
  assert.equal(e.reports['pgd-3'].samples, 40);
  const codes = evaluationFlags(cfg.attacks, e.results, e.reports, e.examples).map((f) => f.code);
  assert.ok(codes.includes('zero-gradients'), codes.join());
  assert.ok(codes.includes('loss-not-rising'), codes.join());
  w.dispose();
});

test('the flags from the figures: a weaker attack beating a stronger one, Square beyond the white-box attacks, few points', () => {
  const entries = ['clean', 'fgsm', 'pgd-20'].map((a) => resolveEvaluationEntry(a));
  const results = [
    { attack: 'clean', epsilon: 0.1, accuracy: 0.9 },
    { attack: 'fgsm', epsilon: 0.1, accuracy: 0.4 },
    { attack: 'pgd-20', epsilon: 0.1, accuracy: 0.5 },
  ];
  const reports = { clean: emptyReport(), fgsm: emptyReport(), 'pgd-20': { ...emptyReport(), brokenBy: { square: 30 } } };
  const flags = evaluationFlags(entries, results, reports, 10000);
  assert.deepEqual(flags.map((f) => f.code), ['weaker-beats-stronger', 'square-beats-white-box']);
  assert.match(flags[0].message, /fgsm left 40.0% accuracy but the stronger pgd-20 left 50.0%/);
  assert.match(flags[1].message, /broke 30 of the 10000 points \(0.3%\)/);
  // Within the margins: nothing.
  const close = results.map((r) => (r.attack === 'fgsm' ? { ...r, accuracy: 0.498 } : r));
  const quiet = evaluationFlags(entries, close, { ...reports, 'pgd-20': { ...emptyReport(), brokenBy: { square: 20 } } }, 10000);
  assert.deepEqual(quiet, []);
  const few = evaluationFlags(entries, close, { clean: emptyReport(), fgsm: emptyReport(), 'pgd-20': emptyReport() }, 1000);
  assert.deepEqual(few.map((f) => f.code), ['few-points']);
  assert.match(few[0].message, /with 1000 test points, the 95% interval of an accuracy near 50% is ±3.1 points/);
});
