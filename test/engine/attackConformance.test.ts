/**
 * Conformance of every registered attack, so that the next attack is checked the day it is
 * registered: on a trained model, the adversarial images stay within epsilon of x and within
 * [0, 1], robust accuracy is at most clean accuracy, no tensor leaks, and the same seed gives the
 * same images bit for bit. Each attack runs with its defaults and with every setting moved off its
 * default that the catalog lets a test move cheaply (few steps, restarts, a random start).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { AttackEntry, AttackName, attackNames, findAttack, resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { attackImplementations, perturbWith } from '../../src/engine/attacks/registry';
import { evalLogits } from '../../src/engine/methods/method';
import type { Model } from '../../src/engine/models/model';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, shippedTeacher, tensorsOf, useWasm } from './helpers';

const EPSILON = 0.1;
let model: Model;
let x: tf.Tensor4D;
let y: tf.Tensor1D;

before(async () => {
  await useWasm();
  // The trained teacher: on a model that classifies well, an attack has accuracy to take away.
  model = shippedTeacher();
  ({ x, y } = tensorsOf(firstN((await fashionMini()).test, 48)));
});

after(() => {
  tf.dispose([x, y]);
  model.params.dispose();
});

/** The attack with its defaults, and with few steps, two restarts and a random start where it has those settings. */
function variants(name: AttackName): AttackEntry[] {
  const keys = Object.keys(findAttack(name)!.settings.shape);
  const moved: Record<string, unknown> = { attack: name, ...shortened(name) };
  if (keys.includes('steps')) moved.steps = 3;
  if (keys.includes('restarts')) moved.restarts = 2;
  if (keys.includes('random_start')) moved.random_start = true;
  return [{ attack: name, ...shortened(name) }, moved].map((v) => resolveEvaluationEntry(v) as AttackEntry);
}

/**
 * A value off the default for each setting an attack may have. A new setting must get one here,
 * which the test below enforces, so that every documented setting is shown to take effect.
 */
const MOVES: Record<string, unknown> = {
  steps: 2,
  step_size: 0.01,
  random_start: 'flip',
  loss: 'cw',
  restarts: 3,
  confidence: 0.1,
  iterations: 2,
  queries: 300,
  eot: 'randomised-only',
};

/**
 * The AA-style suites at their defaults take minutes (100 iterations, 9 targets, 5,000 queries,
 * EOT 20): the conformance suite runs them cut short; test/engine/aaStyle.test.ts runs them whole.
 */
const SHORT_SUITE: Record<string, number> = { iterations: 3, queries: 20, eot: 2 };
const shortened = (name: AttackName): Record<string, unknown> =>
  Object.fromEntries(Object.keys(findAttack(name)!.settings.shape).filter((k) => k in SHORT_SUITE).map((k) => [k, SHORT_SUITE[k]]));

const correctCount = (images: tf.Tensor4D) =>
  tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(evalLogits(model)(images), 1), y), 'int32')).dataSync()[0]);

test('every attack of the catalog is registered under its own name', () => {
  assert.deepEqual(Object.keys(attackImplementations).sort(), [...attackNames].sort());
  for (const [name, implementation] of Object.entries(attackImplementations)) assert.equal(implementation.name, name);
});

for (const name of Object.keys(attackImplementations) as AttackName[]) {
  for (const entry of variants(name)) {
    test(`${entry.label}: within epsilon and [0, 1], no more accurate than clean, no leak, same seed same images`, () => {
      const logitsFn = evalLogits(model);
      const before = tf.memory().numTensors;
      const first = perturbWith(entry, logitsFn, x, y, EPSILON, new Rng(7));
      assert.equal(tf.memory().numTensors, before + 1, 'only the adversarial batch is left');

      const [distance, low, high] = tf.tidy(() => [tf.max(tf.abs(tf.sub(first, x))), tf.min(first), tf.max(first)].map((t) => t.dataSync()[0]));
      assert.ok(distance <= EPSILON + 1e-6, `${entry.label} moved ${distance} > epsilon ${EPSILON}`);
      assert.ok(low >= 0 && high <= 1, `${entry.label} left [0, 1]: [${low}, ${high}]`);

      const clean = correctCount(x);
      const robust = correctCount(first);
      assert.ok(robust <= clean, `${entry.label}: ${robust} correct under attack > ${clean} clean`);

      const second = perturbWith(entry, logitsFn, x, y, EPSILON, new Rng(7));
      assert.deepEqual(second.dataSync(), first.dataSync(), `${entry.label} gave other images for the same seed`);

      tf.dispose([first, second]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaked');
    });
  }
}

for (const name of Object.keys(attackImplementations) as AttackName[]) {
  test(`${name}: every setting takes effect (moving it off its default changes the images)`, () => {
    const info = findAttack(name)!;
    const keys = Object.keys(info.settings.shape);
    const defaults = info.settings.parse({}) as Record<string, unknown>;
    // A few steps keep the test quick; `steps` itself is then moved from 3 to 2.
    const base: Record<string, unknown> = { attack: name, ...shortened(name), ...(keys.includes('steps') ? { steps: 3 } : {}) };
    const imagesOf = (written: Record<string, unknown>) => {
      const entry = resolveEvaluationEntry(written) as AttackEntry;
      return tf.tidy(() => perturbWith(entry, evalLogits(model), x, y, EPSILON, new Rng(11)).dataSync());
    };
    const reference = imagesOf(base);
    for (const key of keys) {
      assert.ok(key in MOVES, `no move for ${name}'s setting ${key}: add one to MOVES`);
      // EOT averages gradients over passes of a randomised model: on this deterministic one it
      // changes nothing (aaStyle.test.ts shows it taking effect on a randomised model).
      if (MOVES[key] === 'randomised-only') continue;
      const moved = MOVES[key] === 'flip' ? !defaults[key] : MOVES[key];
      const images = imagesOf({ ...base, [key]: moved });
      assert.ok(images.some((v, i) => v !== reference[i]), `${name}: ${key} = ${String(moved)} gave the same images as ${String(base[key] ?? defaults[key])}`);
    }
  });
}

for (const name of Object.keys(attackImplementations) as AttackName[]) {
  if (!('restarts' in findAttack(name)!.settings.shape)) continue;
  test(`${name}: with restarts each sample keeps its worst run (wrong after one run, wrong after three)`, () => {
    const wrongAfter = (restarts: number) => {
      const entry = resolveEvaluationEntry({ attack: name, steps: 3, restarts }) as AttackEntry;
      return tf.tidy(() => {
        const xAdv = perturbWith(entry, evalLogits(model), x, y, EPSILON, new Rng(5));
        return tf.notEqual(tf.argMax(evalLogits(model)(xAdv), 1), y).dataSync();
      });
    };
    const one = wrongAfter(1);
    const three = wrongAfter(3);
    one.forEach((w, i) => assert.ok(!w || three[i], `${name}: sample ${i} is wrong after one run but not after three`));
  });
}
