/**
 * Runs with teachers beyond the one robust teacher on the student's task, to the end on tiny data:
 * a teacher trained on Fashion-MNIST classes 0-4 guiding a student on classes 5-9 by features
 * (GACD without reweighting), each model evaluated on its own task.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineEvent } from '../../src/protocol/events';
import { loadExperiment } from '../../src/engine/experiment/load';
import { runExperiment } from '../../src/engine/run/run';
import { createRunDir } from '../../src/engine/run/runDir';
import { useWasm } from './helpers';

before(useWasm);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-teachers-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

async function runText(text: string) {
  const file = path.join(work, `exp-${Math.random().toString(36).slice(2)}.gacd`);
  fs.writeFileSync(file, text);
  const loaded = loadExperiment(file);
  assert.ok(loaded.spec, JSON.stringify(loaded.problems));
  const spec = loaded.spec!;
  const dir = createRunDir(work, spec.name, text, spec);
  const events: EngineEvent[] = [];
  const result = await runExperiment({ spec, baseDir: work, dir, resumed: false, listeners: [(e) => events.push(e)], shouldStop: () => false });
  return { ...result, events };
}

const TRAINING = `training:
  epochs: 1
  batch_size: 64
  attack: {epsilon: 0.1, steps: 2}
evaluation:
  attacks: [clean, pgd-5]
  epsilons: [0.1]
`;

test('a teacher on classes 0-4 guides a student on classes 5-9 by GACD without reweighting', async () => {
  const r = await runText(`name: cross-task
seed: 1
workers: 1
data:
  dataset: fashion-mnist-mini
  classes: [5, 6, 7, 8, 9]
  train_size: 200
  test_size: 100
teacher:
  model: small-cnn
  train: {method: pgd-at, epochs: 1, batch_size: 64}
  data: {dataset: fashion-mnist-mini, classes: [0, 1, 2, 3, 4], train_size: 200, test_size: 100}
student:
  model: tiny-cnn
method:
  name: gacd
  reweight: none
  negatives: 64
${TRAINING}`);
  assert.equal(r.status, 'finished', JSON.stringify(r.events.filter((e) => e.type === 'error')));
  const teacher = r.results.find((m) => m.model === 'teacher')!;
  const student = r.results.find((m) => m.model === 'student')!;
  // Each is evaluated on its own task: the worst class names come from its own label set.
  assert.ok(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat'].includes(teacher.worstClass!.className), teacher.worstClass!.className);
  assert.ok(['Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'].includes(student.worstClass!.className), student.worstClass!.className);
  for (const m of [teacher, student]) assert.deepEqual(m.results.map((x) => x.attack).slice(0, 2), ['clean', 'pgd-5']);
  const similarity = r.events.find((e) => e.type === 'similarity' && e.model === 'student');
  assert.ok(similarity && similarity.type === 'similarity');
  assert.equal(similarity.logitCorrelationGap, undefined, 'no logit comparison across label sets');
  assert.ok(Number.isFinite(similarity.cka.clean));
});

test('MTARD with two teachers, the robust one from its checkpoint and a natural one trained first, runs to the end', async () => {
  const r = await runText(`name: two-teachers
seed: 2
workers: 1
allow_outside_workspace: true
data:
  dataset: fashion-mnist-mini
  train_size: 200
  test_size: 60
teacher:
  model: small-cnn
  checkpoint: ${path.resolve(__dirname, '../../examples/checkpoints/teacher-fashion')}
teachers:
  natural:
    model: small-cnn
    train: {method: natural, epochs: 1, batch_size: 64}
student:
  model: tiny-cnn
method:
  name: mtard
${TRAINING}`);
  assert.equal(r.status, 'finished', JSON.stringify(r.events.filter((e) => e.type === 'error')));
  assert.deepEqual(r.results.map((m) => m.model), ['teacher', 'teacher:natural', 'student']);
  assert.equal(r.results[1].method, 'natural');
  // The weights of the two teachers adapt and are reported each epoch.
  const epoch = r.events.find((e) => e.type === 'epoch' && e.model === 'student');
  assert.ok(epoch && epoch.type === 'epoch' && epoch.adaptiveWeights, 'the epoch event carries the adaptive weights');
  const weights = Object.values(epoch.adaptiveWeights!);
  assert.equal(weights.length, 2);
  assert.ok(weights.every((w) => w > 0 && w < 1), JSON.stringify(epoch.adaptiveWeights));
});

test('a checkpoint teacher whose classes are not its data\'s is refused with the fix', async () => {
  const r = await runText(`name: mismatch
workers: 1
allow_outside_workspace: true
data:
  dataset: fashion-mnist-mini
  classes: [5, 6, 7, 8, 9]
  train_size: 100
  test_size: 50
teacher:
  model: small-cnn
  checkpoint: ${path.resolve(__dirname, '../../examples/checkpoints/teacher-fashion')}
student:
  model: tiny-cnn
method:
  name: gacd
  reweight: none
${TRAINING}`);
  assert.equal(r.status, 'failed');
  const error = r.events.find((e) => e.type === 'error');
  assert.ok(error && error.type === 'error');
  assert.match(error.message, /the teacher has 10 classes but its data \(fashion-mnist-mini\) has 5: give the teacher a `data:` section with the dataset and classes it was trained on/);
});
