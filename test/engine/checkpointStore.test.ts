/** The checkpoint store: which checkpoint is in charge after a save, a crash, a torn or truncated file. */
import { test, before, after, mock } from 'node:test';
import assert from 'node:assert/strict';
import nodeFs from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadWeights } from '../../src/engine/run/checkpoint';
import { CheckpointMeta, CheckpointStore, pointerFile } from '../../src/engine/run/checkpointStore';
import { buildModel } from '../../src/engine/models/registry';
import type { Model } from '../../src/engine/models/model';
import { Rng } from '../../src/engine/util/rng';
import { useWasm } from './helpers';

let model: Model;
before(async () => {
  await useWasm();
  model = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
});

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-store-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

let folderCount = 0;
/** A fresh `checkpoints/` folder. */
function checkpointsDir(): string {
  const dir = path.join(work, `run-${++folderCount}`, 'checkpoints');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Sets every weight of `m` to `value`, so that each saved checkpoint is recognisable by its numbers. */
function fill(m: Model, value: number): void {
  for (const [, v] of m.params.entries()) v.assign(tf.fill(v.shape, value));
}

function meta(label: string, epoch: number, step = 0, completed = false): CheckpointMeta {
  return {
    arch: model.arch,
    inputShape: model.inputShape,
    numClasses: model.numClasses,
    model: label,
    method: 'pgd-at',
    epoch,
    step,
    completed,
    rng: { dataEpochStart: new Rng(1).state, attack: new Rng(2).state },
  };
}

/** Saves `model` with every weight equal to `value`. */
function save(store: CheckpointStore, value: number, epoch: number, step = 0, completed = false): string {
  fill(model, value);
  return store.save(meta(store.label, epoch, step, completed), { model, methodParams: null, optimizer: [], methodState: { bank: [value, value] } });
}

/** The single value every weight of the store's latest checkpoint holds. */
function latestValue(store: CheckpointStore): number {
  const latest = store.latest();
  assert.ok(latest, 'a checkpoint is in charge');
  const values = new Set(latest.checkpoint.values);
  assert.equal(values.size, 1, 'one value throughout');
  return [...values][0];
}

test('save then latest: the same weights, position and completion come back', () => {
  const dir = checkpointsDir();
  const store = new CheckpointStore(dir, 'student');
  assert.equal(store.latest(), null, 'no checkpoint yet');
  const folder = save(store, 0.25, 3, 7);
  assert.equal(folder, path.join(dir, 'student-e3-s7'));
  assert.deepEqual(JSON.parse(fs.readFileSync(pointerFile(dir, 'student'), 'utf8')), { path: 'student-e3-s7', epoch: 3, step: 7, completed: false });
  const latest = store.latest()!;
  assert.equal(latest.completed, false);
  assert.equal(latest.folder, folder);
  assert.equal(latest.checkpoint.state.epoch, 3);
  assert.equal(latest.checkpoint.state.step, 7);
  const restored = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
  loadWeights(latest.checkpoint, restored, folder);
  for (const [name, v] of restored.params.entries()) {
    assert.ok(v.dataSync().every((x) => x === 0.25), `${name} restored`);
  }
  restored.params.dispose();
  save(store, 0.5, 4, 0, true);
  assert.equal(store.latest()!.completed, true);
  assert.equal(latestValue(store), 0.5);
});

test('rotation keeps the newest checkpoint and the one before it, and only touches its own model', () => {
  const dir = checkpointsDir();
  const student = new CheckpointStore(dir, 'student');
  const baseline = new CheckpointStore(dir, 'baseline:pgd-at');
  const teacher = new CheckpointStore(dir, 'teacher');
  save(baseline, 9, 1);
  save(teacher, 8, 5, 0, true);
  // A crashed write of an earlier process leaves a temporary folder; the next save clears it.
  fs.mkdirSync(path.join(dir, 'student-e0-s5.tmp-999999'));
  for (let epoch = 1; epoch <= 4; epoch++) save(student, epoch, epoch);
  assert.deepEqual(student.folders(), ['student-e4-s0', 'student-e3-s0']);
  assert.deepEqual(fs.readdirSync(dir).sort(), [
    'baseline-pgd-at-e1-s0',
    'baseline-pgd-at.json',
    'student-e3-s0',
    'student-e4-s0',
    'student.json',
    'teacher-e5-s0',
    'teacher.json',
  ]);
  assert.equal(latestValue(student), 4);
  assert.equal(latestValue(baseline), 9);
  assert.equal(latestValue(teacher), 8);
  assert.deepEqual(teacher.folders(), ['teacher-e5-s0']);
});

test('a torn or hand-edited pointer is an error that names the file and the way out', () => {
  const dir = checkpointsDir();
  const store = new CheckpointStore(dir, 'student');
  save(store, 1, 1);
  save(store, 2, 2);
  const pointer = pointerFile(dir, 'student');
  const whole = fs.readFileSync(pointer, 'utf8');
  fs.writeFileSync(pointer, whole.slice(0, 12));
  assert.throws(
    () => store.latest(),
    (e: Error) => {
      assert.ok(e.message.startsWith(`${pointer}: not valid JSON`), e.message);
      // The newest folder is complete (it is written before the pointer), so that is the one offered.
      assert.match(e.message, /fix: to continue from the checkpoint student-e2-s0 kept beside it, write \{"path":"student-e2-s0","epoch":2,"step":0,"completed":false\} into/);
      assert.match(e.message, /or delete .*student\.json to train student from the start/);
      return true;
    },
  );
  fs.writeFileSync(pointer, JSON.stringify({ path: '../../elsewhere', epoch: 2, step: 0, completed: false }));
  assert.throws(() => store.latest(), (e: Error) => e.message.startsWith(`${pointer}: "path": must be the name of a checkpoint folder`));
  fs.writeFileSync(pointer, JSON.stringify({ path: 'student-e2-s0', epoch: 'two', step: 0, completed: false }));
  assert.throws(() => store.latest(), (e: Error) => e.message.startsWith(`${pointer}: "epoch": `));
  // A pointer that disagrees with the folder it names is not trusted either.
  fs.writeFileSync(pointer, JSON.stringify({ path: 'student-e2-s0', epoch: 2, step: 0, completed: true }));
  assert.throws(() => store.latest(), /says student at epoch 2, step 0 \(completed\), but .*student-e2-s0 holds student at epoch 2, step 0;/);
  fs.writeFileSync(pointer, whole);
  assert.equal(latestValue(store), 2);
});

test('a truncated tensors.bin or a missing folder is an error that names it', () => {
  const dir = checkpointsDir();
  const store = new CheckpointStore(dir, 'student');
  save(store, 1, 1);
  save(store, 2, 2);
  const bin = path.join(dir, 'student-e2-s0', 'tensors.bin');
  fs.truncateSync(bin, fs.statSync(bin).size - 100);
  assert.throws(
    () => store.latest(),
    (e: Error) => {
      assert.ok(e.message.startsWith(`${bin}: expected `), e.message);
      assert.match(e.message, /truncated or corrupt/);
      assert.match(e.message, /fix: to continue from the checkpoint student-e1-s0 kept beside it/);
      return true;
    },
  );
  fs.rmSync(path.join(dir, 'student-e2-s0'), { recursive: true });
  assert.throws(() => store.latest(), /student\.json: names the checkpoint folder student-e2-s0, which does not exist; fix: to continue from the checkpoint student-e1-s0/);
});

test('a crash between writing the folder and the pointer leaves the previous checkpoint in charge', () => {
  const dir = checkpointsDir();
  const store = new CheckpointStore(dir, 'student');
  save(store, 1, 1);
  // The pointer's temporary file cannot be created (a folder is in its way), as if the process
  // died right after the new checkpoint folder was written.
  const blocker = path.join(dir, `.student.json.tmp-${process.pid}`);
  fs.mkdirSync(blocker);
  assert.throws(() => save(store, 2, 2));
  assert.ok(fs.existsSync(path.join(dir, 'student-e2-s0', 'state.json')), 'the new folder was written');
  assert.equal(store.current()!.path, 'student-e1-s0');
  assert.equal(latestValue(store), 1);
  fs.rmSync(blocker, { recursive: true });
  // The next save makes the orphan folder go and keeps the one that was in charge before it.
  save(store, 3, 3);
  assert.deepEqual(store.folders(), ['student-e3-s0', 'student-e1-s0']);
  assert.equal(latestValue(store), 3);
});

test('a save flushes every file it writes and the folders holding them', () => {
  const dir = checkpointsDir();
  const store = new CheckpointStore(dir, 'student');
  const opened = new Map<number, string>();
  const realOpen = nodeFs.openSync;
  const open = mock.method(nodeFs, 'openSync', (file: nodeFs.PathLike, ...rest: unknown[]) => {
    const fd = (realOpen as (...a: unknown[]) => number)(file, ...rest);
    opened.set(fd, String(file));
    return fd;
  });
  const flushed: string[] = [];
  const realFsync = nodeFs.fsyncSync;
  const fsync = mock.method(nodeFs, 'fsyncSync', (fd: number) => {
    flushed.push(opened.get(fd) ?? `fd ${fd}`);
    realFsync(fd);
  });
  try {
    save(store, 1, 1);
  } finally {
    open.mock.restore();
    fsync.mock.restore();
  }
  const tmp = path.join(dir, `student-e1-s0.tmp-${process.pid}`);
  const pointerTmp = path.join(dir, `.student.json.tmp-${process.pid}`);
  for (const expected of [path.join(tmp, 'tensors.bin'), path.join(tmp, 'state.json'), tmp, pointerTmp, dir]) {
    assert.ok(flushed.includes(expected), `${expected} was not flushed; flushed: ${flushed.join(', ')}`);
  }
  // The parent folder is flushed after the checkpoint folder's rename and again after the pointer's.
  assert.equal(flushed.filter((f) => f === dir).length, 2);
  assert.ok(flushed.indexOf(pointerTmp) > flushed.indexOf(tmp), 'the pointer is written after the folder');
});
