/**
 * A real tiny run (a teacher trained by a `train:` block, the student, a baseline, the evaluation
 * of all three) on one thread: its `run-progress` figure never goes back, covers every phase,
 * reaches 1 only at the end, and no two events are more than 10 s apart. The heartbeat inside the
 * attacks is checked apart, on one attack, since a fast machine has no silence to fill here.
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
import * as tf from '@tensorflow/tfjs-core';
import { pgdWithOptions } from '../../src/engine/attacks/pgd';
import { setHeartbeat } from '../../src/engine/util/heartbeat';
import { Rng } from '../../src/engine/util/rng';
import { useWasm } from './helpers';

before(useWasm);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-heartbeat-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

test('a run reports one progress figure that never lies and is never silent for 10 s', async () => {
  const file = path.join(work, 'tiny.gacd');
  const text = `name: tiny
seed: 1
workers: 1
data:
  dataset: fashion-mnist-mini
  train_size: 256
teacher:
  model: tiny-cnn
  train: {method: pgd-at, epochs: 1, batch_size: 128}
student:
  model: tiny-cnn
method:
  name: gacd
  negatives: 64
baselines:
  - method: natural
training:
  epochs: 2
  batch_size: 128
  attack:
    epsilon: 0.1
    steps: 2
evaluation:
  attacks: [clean, pgd-10]
  epsilons: [0, 0.1]
  test_size: 200
  batch_size: 100
`;
  fs.writeFileSync(file, text);
  const loaded = loadExperiment(file);
  assert.ok(loaded.spec, JSON.stringify(loaded.problems));
  const events: EngineEvent[] = [];
  const r = await runExperiment({
    spec: loaded.spec!,
    baseDir: work,
    dir: createRunDir(work, 'tiny', text, loaded.spec!),
    resumed: false,
    listeners: [(e) => events.push(e)],
    shouldStop: () => false,
  });
  assert.equal(r.status, 'finished', JSON.stringify(events.filter((e) => e.type === 'error')));

  const times = events.map((e) => Date.parse(e.time));
  const gaps = times.slice(1).map((t, i) => t - times[i]);
  assert.ok(Math.max(...gaps) <= 10_000, `longest silence ${Math.max(...gaps)} ms`);

  const progress = events.filter((e): e is Extract<EngineEvent, { type: 'run-progress' }> => e.type === 'run-progress');
  const fractions = progress.map((p) => p.fraction);
  for (let i = 1; i < fractions.length; i++) assert.ok(fractions[i] >= fractions[i - 1], `fraction fell: ${fractions[i - 1]} -> ${fractions[i]}`);
  assert.equal(fractions.filter((f) => f === 1).length, 1, 'one event says the run is done');
  assert.equal(progress.at(-1)!.fraction, 1);
  assert.equal(events.at(-2)!.type, 'run-progress', 'the figure reaches 1 just before run-end');
  assert.equal(events.at(-1)!.type, 'run-end');

  // Every phase is reported: the teacher's training, the student's, the baseline's, each evaluation.
  const seen = new Set(progress.map((p) => `${p.phase}:${p.model}`));
  for (const k of ['training:teacher', 'training:student', 'training:baseline:natural', 'evaluation:teacher', 'evaluation:student', 'evaluation:baseline:natural']) {
    assert.ok(seen.has(k), `no progress during ${k} (saw ${[...seen].join(', ')})`);
  }
  // When the evaluation starts, a real part of the work is still ahead.
  const firstEval = progress.find((p) => p.phase === 'evaluation')!;
  assert.ok(firstEval.fraction < 0.9, `the evaluation starts at ${firstEval.fraction}`);
});

test('an attack beats the heartbeat at each of its steps, so a run inside it can speak', () => {
  const x = tf.randomUniform([4, 28, 28, 1]) as tf.Tensor4D;
  const y = tf.tensor1d([0, 1, 2, 3], 'int32');
  const w = tf.randomNormal([28 * 28, 10]);
  const logits = (input: tf.Tensor4D) => tf.matMul(tf.reshape(input, [-1, 28 * 28]), w) as tf.Tensor2D;
  let beats = 0;
  const restore = setHeartbeat(() => beats++);
  try {
    tf.tidy(() => pgdWithOptions(logits, x, y, { epsilon: 0.1, stepSize: 0.02, steps: 7, randomStart: true, loss: 'ce' }, new Rng(0)));
  } finally {
    restore();
    tf.dispose([x, y, w]);
  }
  assert.equal(beats, 7);
});
