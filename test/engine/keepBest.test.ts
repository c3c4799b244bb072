/**
 * training.keep_best: the epoch with the best PGD-10 accuracy on the validation split is kept apart
 * and is the one evaluated; the epoch events' accuracies are measured on that split.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineEvent } from '../../src/protocol/events';
import { loadExperiment } from '../../src/engine/experiment/load';
import { readCheckpoint } from '../../src/engine/run/checkpoint';
import { runExperiment } from '../../src/engine/run/run';
import { createRunDir } from '../../src/engine/run/runDir';
import { useWasm } from './helpers';

before(useWasm);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-best-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('keep_best keeps the best validation epoch apart and evaluates it', async () => {
  const text = `name: best
seed: 4
workers: 1
data:
  dataset: fashion-mnist-mini
  train_size: 220
  validation_size: 60
  test_size: 40
student:
  model: tiny-cnn
method:
  name: pgd-at
training:
  epochs: 3
  batch_size: 64
  lr: 0.5
  keep_best: true
  attack: {epsilon: 0.1, steps: 1}
evaluation:
  attacks: [clean, fgsm]
  epsilons: []
`;
  const file = path.join(work, 'best.gacd');
  fs.writeFileSync(file, text);
  const spec = loadExperiment(file).spec!;
  const dir = createRunDir(work, spec.name, text, spec);
  const events: EngineEvent[] = [];
  const r = await runExperiment({ spec, baseDir: work, dir, resumed: false, listeners: [(e) => events.push(e)], shouldStop: () => false });
  assert.equal(r.status, 'finished');
  const epochs = events.filter((e): e is Extract<EngineEvent, { type: 'epoch' }> => e.type === 'epoch');
  assert.equal(epochs.length, 3);
  // The validation split is 60 images: every accuracy is a multiple of 1/60.
  for (const e of epochs) assert.ok(Math.abs(e.testAccuracy * 60 - Math.round(e.testAccuracy * 60)) < 1e-6, String(e.testAccuracy));
  const best = JSON.parse(fs.readFileSync(path.join(dir.checkpoints, 'student-best', 'best.json'), 'utf8'));
  const top = Math.max(...epochs.map((e) => e.robustAccuracy!));
  assert.equal(best.robustAccuracy, top);
  assert.equal(best.epoch, epochs.find((e) => e.robustAccuracy === top)!.epoch, 'the first epoch that reached the best');
  assert.ok(events.some((e) => e.type === 'checkpoint' && e.best === true));
  // The card of the evaluated student names the best checkpoint's weights.
  const card = JSON.parse(fs.readFileSync(path.join(dir.evaluation, 'student.card.json'), 'utf8'));
  const ck = readCheckpoint(path.join(dir.checkpoints, 'student-best'));
  const model = ck.state.tensors.filter((t) => t.group === 'model');
  const end = model.reduce((n, t) => Math.max(n, t.offset + t.length), 0);
  const values = ck.values.slice(0, end);
  assert.equal(card.weightsSha256, createHash('sha256').update(Buffer.from(values.buffer)).digest('hex'));
});
