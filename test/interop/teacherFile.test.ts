/**
 * A teacher given as a PyTorch file in an experiment: imported on first use next to the file,
 * with the normalisation the file's teacher section gives, and used by the run (its evaluation
 * is the PyTorch model's, within float rounding of PyTorch's own logits).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineEvent } from '../../src/protocol/events';
import { loadExperiment } from '../../src/engine/experiment/load';
import { runExperiment } from '../../src/engine/run/run';
import { createRunDir } from '../../src/engine/run/runDir';
import { useWasm } from '../engine/helpers';
import { logitsOf, readFloats, relativeError, scratch, torch } from './helpers';

before(useWasm);
const work = scratch('teacher-file');
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('teacher.checkpoint naming a .pt file is imported beside it and distilled from', async () => {
  const pt = path.join(work, 'teacher.pt');
  torch('make', 'small-cnn', pt, '--classes', '10', '--shape', '28,28,1', '--batch', '2', '--seed', '3', '--mean', '0.5', '--std', '0.25');
  const text = `name: pt-teacher
seed: 1
workers: 1
data:
  dataset: fashion-mnist-mini
  train_size: 120
  test_size: 40
teacher:
  model: small-cnn
  checkpoint: teacher.pt
  normalization: {mean: [0.5], std: [0.25]}
student:
  model: tiny-cnn
method:
  name: ard
training:
  epochs: 1
  batch_size: 60
  attack: {epsilon: 0.1, steps: 1}
evaluation:
  attacks: [clean, fgsm]
  epsilons: []
`;
  const file = path.join(work, 'exp.gacd');
  fs.writeFileSync(file, text);
  fs.mkdirSync(path.join(work, '.git'));
  const loaded = loadExperiment(file, { workspaceRoot: work });
  assert.deepEqual(loaded.problems.filter((p) => p.severity === 'error'), []);
  const spec = loaded.spec!;
  const events: EngineEvent[] = [];
  const dir = createRunDir(path.join(work, 'runs'), spec.name, text, spec);
  const r = await runExperiment({ spec, baseDir: work, dir, resumed: false, listeners: [(e) => events.push(e)], shouldStop: () => false });
  assert.equal(r.status, 'finished', JSON.stringify(events.filter((e) => e.type === 'error')));
  const imported = path.join(work, 'teacher.pt.gacd-import');
  assert.ok(fs.existsSync(path.join(imported, 'state.json')), 'imported beside the file');
  const stage = events.find((e) => e.type === 'stage-start' && e.model === 'teacher');
  assert.ok(stage && stage.type === 'stage-start' && stage.loadedFrom === imported);
  const state = JSON.parse(fs.readFileSync(path.join(imported, 'state.json'), 'utf8'));
  assert.deepEqual(state.normalization, { mean: [0.5], std: [0.25] });
  assert.equal(r.results[0].model, 'teacher');
  // The imported teacher computes PyTorch's logits, its normalisation included.
  const ours = logitsOf(imported, readFloats(`${pt}.inputs.bin`), [28, 28, 1]);
  assert.ok(relativeError(ours, readFloats(`${pt}.logits.bin`)) < 1e-4);
});
