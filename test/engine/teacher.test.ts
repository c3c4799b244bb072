/** The shipped quickstart teacher is what its recipe made: same bytes, same scores. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { readCheckpoint } from '../../src/engine/run/checkpoint';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { fashionMini, shippedTeacher, useWasm } from './helpers';
import { ROOT, TEACHER_CHECKPOINT } from './paths';

before(useWasm);

const recipe = JSON.parse(fs.readFileSync(path.join(TEACHER_CHECKPOINT, 'recipe.json'), 'utf8'));

test('the shipped teacher names its recipe, which is a valid experiment with the same seed', () => {
  const loaded = loadExperiment(path.join(ROOT, recipe.recipe));
  assert.ok(loaded.spec, JSON.stringify(loaded.problems));
  assert.equal(loaded.spec!.seed, recipe.seed);
  assert.equal(loaded.spec!.student.model, readCheckpoint(TEACHER_CHECKPOINT).state.arch);
  assert.equal(loaded.spec!.method.name, 'pgd-at');
});

test('the shipped weights are the bytes the recipe produced', () => {
  const bin = fs.readFileSync(path.join(TEACHER_CHECKPOINT, 'tensors.bin'));
  assert.equal(createHash('sha256').update(bin).digest('hex'), recipe.sha256);
});

test("the shipped teacher scores what the recipe's run recorded", async () => {
  const data = await fashionMini();
  const teacher = shippedTeacher();
  const e = await evaluateModel(teacher, data.test, {
    epsilon: recipe.evaluation.epsilon,
    // The recipe's list up to PGD-20: each attack draws its seed in turn, so the prefix matches.
    attacks: ['clean', 'fgsm', 'pgd-20'].map((a) => resolveEvaluationEntry(a)),
    epsilons: [],
    batchSize: recipe.evaluation.batchSize,
    seed: recipe.evaluation.seed,
  });
  for (const r of e.results.filter((x) => x.attack !== 'worst-case')) {
    assert.ok(
      Math.abs(r.accuracy - recipe.metrics[r.attack]) <= 0.005,
      `${r.attack}: ${r.accuracy} now, ${recipe.metrics[r.attack]} recorded`,
    );
  }
  teacher.params.dispose();
});
