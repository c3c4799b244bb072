import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { negativeMask, nceLoss } from '../../src/engine/methods/contrastive';
import { MemoryBank } from '../../src/engine/methods/memoryBank';
import { normalisedWeights, reweight, reweightRows } from '../../src/engine/methods/reweight';
import { useWasm } from './helpers';

before(useWasm);

test('reweighting: schemes, mean 1, confidence ordering', () => {
  const logits = tf.tensor2d([[5, 0, 0], [0, 5, 0], [0, 0, 5], [1, 1, 1]]);
  const labels = Int32Array.from([0, 0, 2, 1]);
  const none = reweight('none', 0.1, logits, labels);
  assert.deepEqual(Array.from(none.weights), [1, 1, 1, 1]);
  const correct = reweight('correct', 0.1, logits, labels);
  assert.deepEqual(Array.from(correct.teacherCorrect), [1, 0, 1, 0]);
  assert.ok(Math.abs(correct.weights.reduce((a, b) => a + b) / 4 - 1) < 1e-6);
  assert.equal(correct.weights[1], 0);
  const conf = reweight('confidence', 0.1, logits, labels);
  assert.ok(conf.weights[0] > conf.weights[3] && conf.weights[3] > conf.weights[1]);
  const power = reweight('confidence-power', 0.1, logits, labels);
  // beta = 0.1 flattens the weights: the spread is smaller than with plain confidence.
  assert.ok(Math.max(...power.weights) - Math.min(...power.weights) < Math.max(...conf.weights) - Math.min(...conf.weights));
  logits.dispose();
});

test('memory bank: momentum update keeps rows unit length and moves towards the new embedding', () => {
  const bank = new MemoryBank(10, 4, 0.5, 1);
  const e = Float32Array.from([1, 0, 0, 0]);
  for (let i = 0; i < 10; i++) bank.update(Int32Array.from([3]), e);
  const row = bank.values.subarray(12, 16);
  assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
  assert.ok(row[0] > 0.99, `row 3 should converge to e, got ${Array.from(row)}`);
  const g = bank.gather(Int32Array.from([3, 3]));
  assert.deepEqual(g.shape, [2, 4]);
  g.dispose();
});

test('reweighting rows then normalising the whole batch gives the whole batch\'s weights', () => {
  const logits = tf.tensor2d([[5, 0, 0], [0, 5, 0], [0, 0, 5], [1, 1, 1]]);
  const labels = Int32Array.from([0, 0, 2, 1]);
  const whole = reweight('confidence', 0.1, logits, labels).weights;
  const top = tf.slice(logits, [0], [1]) as tf.Tensor2D;
  const rest = tf.slice(logits, [1], [3]) as tf.Tensor2D;
  const parts = [reweightRows('confidence', 0.1, top, labels.subarray(0, 1)), reweightRows('confidence', 0.1, rest, labels.subarray(1))];
  const joined = normalisedWeights(Float32Array.from([...parts[0].weights, ...parts[1].weights]));
  assert.deepEqual(Array.from(joined), Array.from(whole));
  // All wrong under 'correct': uniform, not zero.
  assert.deepEqual(Array.from(normalisedWeights(new Float32Array(3))), [1, 1, 1]);
  tf.dispose([logits, top, rest]);
});

test("the NCE critic matches CRD's formula computed element by element, and the mask clears own samples and classes", () => {
  const b = 5;
  const k = 40;
  const d = 8;
  const norm = (t: tf.Tensor2D) => tf.div(t, tf.norm(t, 'euclidean', 1, true)) as tf.Tensor2D;
  const anchor = norm(tf.randomNormal([b, d], 0, 1, 'float32', 1));
  const positive = norm(tf.randomNormal([b, d], 0, 1, 'float32', 2));
  const negatives = norm(tf.randomNormal([k, d], 0, 1, 'float32', 3));
  const trainLabels = Int32Array.from({ length: 50 }, (_, i) => i % 3);
  const idx = Int32Array.from({ length: k }, (_, j) => (j * 7) % 50);
  const rows = { indices: Int32Array.from([0, 7, 14, 21, 28]), labels: Int32Array.from([0, 1, 2, 0, 1]) };
  const [z, tau, n] = [37.5, 0.07, 50];
  for (const classNegatives of [true, false]) {
    const mask = negativeMask(idx, rows, trainLabels, classNegatives);
    const m = mask.arraySync();
    for (let i = 0; i < b; i++) {
      for (let j = 0; j < k; j++) {
        const allowed = idx[j] !== rows.indices[i] && (!classNegatives || trainLabels[idx[j]] !== rows.labels[i]);
        assert.equal(m[i][j], allowed ? 1 : 0, `mask[${i}][${j}]`);
      }
    }
    // CRD's formula in plain JavaScript, in float64, element by element.
    const [a, p, q, mk] = [anchor.arraySync(), positive.arraySync(), negatives.arraySync(), mask.arraySync()];
    const dot = (u: number[], v: number[]) => u.reduce((acc, x, t) => acc + x * v[t], 0);
    const direct = a.map((row, i) => {
      const mPn = mk[i].reduce((x, y) => x + y, 0) / n;
      const hPos = Math.exp(dot(row, p[i]) / tau) / z;
      let loss = -Math.log(hPos / (hPos + mPn + 1e-7));
      q.forEach((neg, j) => {
        const h = Math.exp(dot(row, neg) / tau) / z;
        if (mk[i][j]) loss -= Math.log(mPn / (h + mPn + 1e-7));
      });
      return loss;
    });
    const ours = tf.tidy(() => nceLoss(anchor, positive, negatives, mask, z, tau, n).arraySync());
    ours.forEach((v, i) => assert.ok(Math.abs(v - direct[i]) <= 1e-4 * Math.abs(direct[i]), `row ${i}: ${v} vs ${direct[i]}`));
    mask.dispose();
  }
  tf.dispose([anchor, positive, negatives]);
});
