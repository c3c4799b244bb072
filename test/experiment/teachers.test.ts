/**
 * Teachers by role and across tasks, as the checks see them: one role given twice, a method
 * without the role it needs, soft labels across label sets, and the notes on KL conventions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { byCode, check, errors, tempWorkspace } from './helpers';

const base = (method: string, teacher: string, data = '  dataset: fashion-mnist-mini\n') => `data:
${data}${teacher}student:
  model: tiny-cnn
method:
${method}`;

const TEACHER = 'teacher:\n  model: small-cnn\n  train: {method: pgd-at, epochs: 1}\n';

test('teachers.adversarial is the robust teacher, the same as teacher:', () => {
  const r = check(base('  name: ard\n', 'teachers:\n  adversarial:\n    model: small-cnn\n    train: {method: pgd-at, epochs: 1}\n'));
  assert.deepEqual(errors(r), []);
  assert.equal(r.spec!.teacher!.model, 'small-cnn');
  assert.deepEqual(r.spec!.teachers.adversarial, r.spec!.teacher);
  assert.equal(r.spec!.teachers.natural, null);
});

test('giving the robust teacher twice is an error on teachers.adversarial', () => {
  const r = check(base('  name: ard\n', `${TEACHER}teachers:\n  adversarial:\n    model: small-cnn\n    train: {method: pgd-at}\n`));
  const [p] = byCode(r, 'duplicate-teacher');
  assert.equal(p.severity, 'error');
  assert.equal(p.line, 7);
});

test('a natural teacher without a source, or trained by a distilling method, is refused like the robust one', () => {
  const r = check(base('  name: ard\n', `${TEACHER}teachers:\n  natural:\n    model: small-cnn\n`));
  assert.match(byCode(r, 'no-teacher-source')[0].message, /teachers.natural has neither a checkpoint nor a train block/);
  assert.match(byCode(r, 'no-teacher-source')[0].fix!, /method: natural/);
  const r2 = check(base('  name: ard\n', `${TEACHER}teachers:\n  natural:\n    model: small-cnn\n    train: {method: gacd}\n`));
  assert.equal(byCode(r2, 'teacher-needs-teacher').length, 1);
});

test('a soft-label method across label sets is an error naming both label sets; GACD without reweighting is not', () => {
  const other = `${TEACHER}  data: {dataset: fashion-mnist-mini, classes: [0, 1, 2, 3, 4]}\n`;
  const data = '  dataset: fashion-mnist-mini\n  classes: [5, 6, 7, 8, 9]\n';
  const ard = check(base('  name: ard\n', other, data));
  const [p] = byCode(ard, 'label-sets-differ');
  assert.equal(p.severity, 'error');
  assert.match(p.message, /teacher label set \(fashion-mnist-mini classes \[0, 1, 2, 3, 4\]\) is not the student's \(fashion-mnist-mini classes \[5, 6, 7, 8, 9\]\)/);
  assert.match(p.fix!, /gacd with reweight: none, or crd/);
  const gacd = check(base('  name: gacd\n', other, data));
  assert.match(byCode(gacd, 'label-sets-differ')[0].fix!, /reweight: none/);
  const features = check(base('  name: gacd\n  reweight: none\n', other, data));
  assert.deepEqual(errors(features), []);
  assert.deepEqual(features.spec!.teacher!.data!.classes, [0, 1, 2, 3, 4]);
  // The same classes written on both sides are one label set.
  const same = check(base('  name: ard\n', `${TEACHER}  data: {dataset: fashion-mnist-mini, classes: [5, 6, 7, 8, 9]}\n`, data));
  assert.deepEqual(byCode(same, 'label-sets-differ'), []);
});

test('gacd check says what a KL convention changes against the official code, once per method block', () => {
  const ard = check(base('  name: ard\n', TEACHER));
  const notes = byCode(ard, 'convention');
  assert.equal(notes.length, 1);
  assert.equal(notes[0].severity, 'info');
  assert.match(notes[0].message, /official code uses 'mean', so its KL terms here are 10x larger than in that code \(kl_reduction: mean reproduces it\)/);
  assert.match(notes[0].message, /attacks in train mode \(attack_mode: train reproduces it\)/);
  const asCoded = check(base('  name: ard\n  kl_reduction: mean\n  attack_mode: train\n', TEACHER));
  assert.deepEqual(byCode(asCoded, 'convention'), []);
  const fewer = check(base('  name: ard\n  kl_reduction: mean\n', TEACHER, '  dataset: fashion-mnist-mini\n  classes: [0, 1, 2, 3, 4]\n'));
  assert.match(byCode(fewer, 'convention')[0].message, /on 5 classes it is 5x smaller than the KL itself/);
  assert.equal(byCode(fewer, 'convention')[0].line, 11, 'on the written kl_reduction');
});

test("a teacher's own dataset folder must stay inside the workspace", () => {
  const r = check(base('  name: gacd\n  reweight: none\n', `${TEACHER}  data: {dataset: fashion-mnist, path: /elsewhere/fashion}\n`));
  assert.equal(byCode(r, 'outside-workspace').length, 1);
});

test('every path of every teacher becomes absolute in the spec, the robust one under both its names', () => {
  const ws = tempWorkspace();
  try {
    for (const d of ['ck/robust', 'data/other']) fs.mkdirSync(path.join(ws.root, d), { recursive: true });
    fs.writeFileSync(path.join(ws.root, 'ck', 'natural.pt'), '');
    const text = base(
      '  name: mtard\n',
      'teacher:\n  model: small-cnn\n  checkpoint: ck/robust\n  data: {dataset: fashion-mnist-mini, path: data/other}\nteachers:\n  natural:\n    model: small-cnn\n    checkpoint: ck/natural.pt\n',
    );
    const r = check(text, ws.root);
    assert.deepEqual(errors(r), []);
    const spec = r.spec!;
    assert.equal(spec.teacher!.checkpoint, path.join(ws.root, 'ck/robust'));
    assert.equal(spec.teachers.adversarial!.checkpoint, path.join(ws.root, 'ck/robust'));
    assert.equal(spec.teachers.adversarial!.data!.path, path.join(ws.root, 'data/other'));
    assert.equal(spec.teacher!.data!.path, path.join(ws.root, 'data/other'));
    assert.equal(spec.teachers.natural!.checkpoint, path.join(ws.root, 'ck/natural.pt'), 'a .pt file is a valid checkpoint');
  } finally {
    ws.cleanup();
  }
});
