import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineEvent, engineEvent } from '../../src/protocol/events';
import { loadExperiment } from '../../src/engine/experiment/load';
import type { ExperimentSpec } from '../../src/engine/experiment/schema';
import { readCheckpoint } from '../../src/engine/run/checkpoint';
import { runExperiment } from '../../src/engine/run/run';
import { createRunDir, runDirPaths } from '../../src/engine/run/runDir';
import { CheckpointStore, pointerFile } from '../../src/engine/run/checkpointStore';
import { useWasm } from './helpers';
import { TEACHER_CHECKPOINT } from './paths';

before(useWasm);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-run-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A small but complete GACD experiment (the shipped teacher, 256 training images). */
function tinySpec(extra = ''): ExperimentSpec {
  const file = path.join(work, `tiny-${Math.random().toString(36).slice(2)}.gacd`);
  fs.writeFileSync(
    file,
    `name: tiny
seed: 3
allow_outside_workspace: true
data:
  dataset: fashion-mnist-mini
  train_size: 256
  test_size: 100
teacher:
  model: small-cnn
  checkpoint: ${TEACHER_CHECKPOINT}
student:
  model: tiny-cnn
method:
  name: gacd
  negatives: 128
training:
  epochs: 2
  batch_size: 64
  lr: 0.05
  attack:
    epsilon: 0.1
    steps: 2
evaluation:
  attacks: [clean, fgsm, pgd-5]
  epsilons: [0, 0.1]
${extra}`,
  );
  const loaded = loadExperiment(file);
  assert.ok(loaded.spec, JSON.stringify(loaded.problems));
  return loaded.spec!;
}

async function run(spec: ExperimentSpec, root: string | null = null, opts: { stopAfterProgress?: number; events?: EngineEvent[] } = {}) {
  const dir = root ? runDirPaths(root) : createRunDir(work, spec.name, 'name: tiny', spec);
  const events = opts.events ?? [];
  let progress = 0;
  const result = await runExperiment({
    spec,
    baseDir: work,
    dir,
    resumed: root !== null,
    listeners: [(e) => { events.push(e); if (e.type === 'progress') progress++; }],
    shouldStop: () => opts.stopAfterProgress !== undefined && progress >= opts.stopAfterProgress,
  });
  return { ...result, dir, events };
}

function studentWeights(root: string): Float32Array {
  const p = JSON.parse(fs.readFileSync(pointerFile(path.join(root, 'checkpoints'), 'student'), 'utf8')) as { path: string };
  return modelWeights(path.join(root, 'checkpoints', p.path));
}

/** The model's weights in a checkpoint folder (not the optimizer's or the method's state). */
function modelWeights(folder: string): Float32Array {
  const ck = readCheckpoint(folder);
  const model = ck.state.tensors.filter((t) => t.group === 'model');
  const end = model.reduce((n, t) => Math.max(n, t.offset + t.length), 0);
  return ck.values.slice(0, end);
}

test('a run writes the run directory, valid events and results', async () => {
  const r = await run(tinySpec());
  assert.equal(r.status, 'finished');
  const lines = fs.readFileSync(r.dir.events, 'utf8').trim().split('\n');
  const events = lines.map((l) => engineEvent.parse(JSON.parse(l)));
  assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i));
  const types = new Set(events.map((e) => e.type));
  for (const t of ['run-start', 'stage-start', 'progress', 'epoch', 'similarity', 'sample-weights', 'checkpoint', 'evaluation', 'run-end']) {
    assert.ok(types.has(t as EngineEvent['type']), `no ${t} event`);
  }
  const start = events.find((e) => e.type === 'run-start')!;
  assert.equal(start.type === 'run-start' && start.backend, 'wasm');
  const results = JSON.parse(fs.readFileSync(r.dir.results, 'utf8'));
  assert.deepEqual(results.models.map((m: { model: string }) => m.model), ['teacher', 'student']);
  assert.ok(fs.existsSync(r.dir.spec) && fs.existsSync(r.dir.experimentCopy));
});

test('a run stopped mid-epoch and resumed ends with the same weights as an uninterrupted run', async () => {
  const whole = await run(tinySpec());
  assert.equal(whole.status, 'finished');
  const stopped = await run(tinySpec(), null, { stopAfterProgress: 3 });
  assert.equal(stopped.status, 'stopped');
  assert.ok(!fs.existsSync(stopped.dir.results));
  const resumed = await run(tinySpec(), stopped.dir.root);
  assert.equal(resumed.status, 'finished');
  assert.ok(resumed.events.some((e) => e.type === 'run-start' && e.resumed));
  const a = studentWeights(whole.dir.root);
  const b = studentWeights(resumed.dir.root);
  assert.equal(a.length, b.length);
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  assert.equal(maxDiff, 0, `weights differ by up to ${maxDiff}`);
});

test('a NaN loss before any checkpoint stops the run with a clear error that says none is kept', async () => {
  const spec = tinySpec();
  spec.training.lr = 1e12;
  const r = await run(spec);
  assert.equal(r.status, 'failed');
  const err = r.events.find((e) => e.type === 'error');
  assert.ok(err && err.type === 'error' && err.code === 'non-finite-loss', JSON.stringify(err));
  assert.match(err.message, /^student: the loss became (NaN|Infinity|-Infinity) at epoch 1, step \d+ .*; the update was not applied; no checkpoint of student had been written yet/);
  assert.match(err.fix ?? '', /lower training.lr/);
  assert.doesNotMatch(err.fix ?? '', /resume/, 'there is nothing to resume from');
  assert.ok(!r.events.some((e) => e.type === 'checkpoint' && e.model === 'student'));
  assert.ok(!fs.existsSync(pointerFile(r.dir.checkpoints, 'student')));
});

test('a NaN loss after a checkpoint stops the run and leaves that checkpoint on disk as it was', async () => {
  // A sound start, stopped after one step: the student's checkpoint at epoch 0, step 1 ...
  const stopped = await run(tinySpec(), null, { stopAfterProgress: 1 });
  assert.equal(stopped.status, 'stopped');
  const store = new CheckpointStore(stopped.dir.checkpoints, 'student');
  const pointer = fs.readFileSync(store.pointer, 'utf8');
  const before = store.latest()!.checkpoint.values;
  assert.ok(before.every((v) => Number.isFinite(v)));
  // ... then resumed with a learning rate that blows the weights up at the first update.
  const spec = tinySpec();
  spec.training.lr = 1e12;
  const r = await run(spec, stopped.dir.root);
  assert.equal(r.status, 'failed');
  const err = r.events.find((e) => e.type === 'error');
  assert.ok(err && err.type === 'error' && err.code === 'non-finite-loss', JSON.stringify(err));
  assert.match(err.message, /^student: the loss became (NaN|Infinity|-Infinity) at epoch 1, step \d+ .*, and the last checkpoint \(student-e0-s1: epoch 0, step 1\) is kept$/);
  assert.match(err.fix ?? '', /resume from the last checkpoint/);
  assert.ok(!r.events.some((e) => e.type === 'checkpoint' && e.model === 'student'), 'the NaN came before the next checkpoint');
  assert.equal(fs.readFileSync(store.pointer, 'utf8'), pointer, 'the pointer was not touched');
  assert.deepEqual(store.latest()!.checkpoint.values, before, 'the weights on disk are the ones from before the NaN');
});

test('a full disk is reported clearly, the previous checkpoint stays valid, and the run resumes', async () => {
  const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mnt]);
  try {
    const spec = tinySpec();
    const dir = createRunDir(mnt, spec.name, 'name: tiny', spec);
    const events: EngineEvent[] = [];
    const filler = path.join(mnt, 'filler');
    // After the first checkpoint, fill the disk so the next one cannot be written.
    const result = await runExperiment({
      spec,
      baseDir: work,
      dir,
      resumed: false,
      listeners: [
        (e) => {
          events.push(e);
          if (e.type === 'checkpoint' && !fs.existsSync(filler)) {
            try {
              fs.writeFileSync(filler, Buffer.alloc(6 * 1024 * 1024));
            } catch {
              // The filler stops where the disk does: that is the point.
            }
          }
        },
      ],
      shouldStop: () => false,
    });
    assert.equal(result.status, 'failed');
    const err = events.find((e) => e.type === 'error');
    assert.ok(err && err.type === 'error' && err.code === 'disk-full', JSON.stringify(err));
    assert.match(err.message, /disk is full/);
    const p = JSON.parse(fs.readFileSync(pointerFile(dir.checkpoints, 'student'), 'utf8'));
    assert.equal(p.epoch, 1);
    readCheckpoint(path.join(dir.checkpoints, p.path));
    fs.rmSync(filler);
    const resumed = await run(spec, dir.root);
    assert.equal(resumed.status, 'finished');
  } finally {
    execFileSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});

test('a teacher checkpoint of the wrong architecture is refused with a clear message', async () => {
  const spec = tinySpec();
  spec.teacher!.model = 'tiny-cnn';
  const r = await run(spec);
  assert.equal(r.status, 'failed');
  const err = r.events.find((e) => e.type === 'error');
  assert.ok(err && err.type === 'error');
  assert.match(err.message, /the checkpoint is a small-cnn, but the experiment asks for a tiny-cnn; set model: small-cnn/);
});

test('a run on two threads (shared steps and evaluation) ends with the weights of a run on one', async () => {
  const one = await run(tinySpec('workers: 1'));
  const two = await run(tinySpec('workers: 2'));
  assert.equal(one.status, 'finished');
  assert.equal(two.status, 'finished');
  const a = studentWeights(one.dir.root);
  const b = studentWeights(two.dir.root);
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    maxAbs = Math.max(maxAbs, Math.abs(a[i]));
  }
  // The gradients are summed in two parts, so rounding differs, and PGD's sign() can amplify a
  // last-bit difference: equal up to a small tolerance, not bit for bit.
  assert.ok(maxDiff <= 2e-3 * maxAbs, `weights differ by up to ${maxDiff} (largest weight ${maxAbs})`);
  // That tolerance means something only if training moves the weights much further than the two
  // runs differ: a run that trained nothing would pass it. Compare with the last epoch's change.
  const epochBefore = modelWeights(path.join(one.dir.checkpoints, 'student-e1-s0'));
  let moved = 0;
  for (let i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i] - epochBefore[i]));
  assert.ok(maxDiff < moved / 10, `the runs differ by up to ${maxDiff}, not far below what the last epoch moved a weight (${moved})`);
  // The second run finds the fixed teacher's figures in the evaluation cache: the same figures,
  // marked so. Per class, one image of ten is ten points: compared apart, at that grain.
  const results = (r: typeof one) => JSON.parse(fs.readFileSync(r.dir.results, 'utf8')).models.map(({ cached: _c, perClass: _p, ...m }: { cached?: boolean; perClass?: unknown }) => m);
  const perClass = (r: typeof one) => JSON.parse(fs.readFileSync(r.dir.results, 'utf8')).models.map((m: { perClass: unknown }) => m.perClass);
  assertClose(results(two), results(one), 0.02, 'results');
  assertClose(perClass(two), perClass(one), 0.1 + 1e-9, 'per class');
});

/** Same structure, numbers within `tolerance`. */
function assertClose(actual: unknown, expected: unknown, tolerance: number, at: string): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Math.abs(actual - expected) <= tolerance, `${at}: ${actual} vs ${expected}`);
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${at}: not an object`);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${at}: keys`);
    for (const [k, v] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[k], v, tolerance, `${at}.${k}`);
  } else {
    assert.deepEqual(actual, expected, at);
  }
}
