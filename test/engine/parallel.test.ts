/** Evaluation shared among worker threads gives exactly the single-thread figures. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerPool } from '../../src/engine/parallel/pool';
import { buildModel } from '../../src/engine/models/registry';
import { loadWeights, readCheckpoint } from '../../src/engine/run/checkpoint';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { fashionMini, firstN, useWasm } from './helpers';
import { TEACHER_CHECKPOINT } from './paths';

before(useWasm);

test('two threads evaluate to the same per-attack accuracies as one', async () => {
  const data = await fashionMini();
  const teacher = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  loadWeights(readCheckpoint(TEACHER_CHECKPOINT), teacher, TEACHER_CHECKPOINT);
  const split = firstN(data.test, 230); // not a multiple of the batch size: uneven shares
  const cfg = { epsilon: 0.1, attacks: ['clean', 'fgsm', 'pgd-5', 'cw-5'], epsilons: [0, 0.05], batchSize: 50, seed: 9 };
  const single = await evaluateModel(teacher, split, cfg);
  const pool = await WorkerPool.start(2, 'wasm');
  try {
    assert.equal(pool.size, 2);
    const shared = await evaluateModel(teacher, split, cfg, pool.correctnessFor(teacher));
    assert.deepEqual(shared, single);
  } finally {
    await pool.close();
    teacher.params.dispose();
  }
});
