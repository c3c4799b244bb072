import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
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
