/** A sweep's members from its grid: and zip: lists, and the problems of a bad sweep, each on its own line. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { applyOverrides, expandAxes, memberCount, splitPath, sweepAxes } from '../../src/engine/experiment/sweep';
import { planSweep } from '../../src/engine/sweep/plan';
import { sweepManifest } from '../../src/protocol/sweep';
import { scratch, tinyExperiment } from './helpers';

const work = scratch('gacd-sweep-expand-');

function load(name: string, text: string) {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return { file, ...loadExperiment(file) };
}

const errorsOf = (r: ReturnType<typeof load>) => r.problems.filter((p) => p.severity === 'error');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('grid takes every combination (first axis slowest), zip pairs its lists, and the two combine', () => {
  const axes = sweepAxes({ grid: { seed: [0, 1, 2], 'method.name': ['ard', 'gacd'] }, zip: { 'training.lr': [0.1, 0.05], 'training.epochs': [10, 20] } });
  assert.equal(memberCount(axes), 3 * 2 * 2);
  const members = expandAxes(axes);
  assert.equal(members.length, 12);
  assert.deepEqual(members[0], [
    { path: 'seed', value: 0 },
    { path: 'method.name', value: 'ard' },
    { path: 'training.lr', value: 0.1 },
    { path: 'training.epochs', value: 10 },
  ]);
  // The zip choice varies fastest and keeps its lists together.
  assert.deepEqual(members[1].slice(2).map((o) => o.value), [0.05, 20]);
  assert.deepEqual(members[2].slice(0, 2).map((o) => o.value), [0, 'gacd']);
  assert.deepEqual(members[11].map((o) => o.value), [2, 'gacd', 0.05, 20]);
  assert.equal(new Set(members.map((m) => JSON.stringify(m))).size, 12, 'every member differs');
});

test('overrides are written at their dotted paths into a copy, list indices included', () => {
  assert.deepEqual(splitPath('baselines.0.method'), ['baselines', 0, 'method']);
  const plain = { training: { epochs: 1 }, baselines: [{ method: 'natural' }] };
  const out = applyOverrides(plain, [
    { path: 'training.attack.steps', value: 3 },
    { path: 'baselines.0.method', value: 'pgd-at' },
  ]);
  assert.deepEqual(out, { training: { epochs: 1, attack: { steps: 3 } }, baselines: [{ method: 'pgd-at' }] });
  assert.deepEqual(plain, { training: { epochs: 1 }, baselines: [{ method: 'natural' }] }, 'the file itself is untouched');
});

test('a good sweep passes the checks; gacd run ignores the block', () => {
  const r = load('good.gacd', tinyExperiment('sweep:\n  grid:\n    seed: [0, 1]\n    method.name: [natural, pgd-at]\n    training.attack.steps: [1, 2]\n  zip:\n    training.lr: [0.1, 0.05]\n    training.batch_size: [16, 32]\n'));
  assert.deepEqual(errorsOf(r), []);
  assert.deepEqual(r.spec!.sweep!.grid.seed, [0, 1]);
});

test('an unknown path is marked on its key with the closest setting; a fixed path is refused', () => {
  const text = tinyExperiment('sweep:\n  grid:\n    trainig.lr: [0.1]\n    training.epoch: [1, 2]\n    method.negatives: [16]\n    name: [a, b]\n');
  const r = load('paths.gacd', text);
  const errors = errorsOf(r);
  const at = (needle: string) => errors.find((p) => p.line === lineOf(text, needle));
  assert.match(at('trainig.lr')!.message, /trainig\.lr names no setting/);
  assert.equal(at('trainig.lr')!.fix, 'did you mean training.lr?');
  assert.equal(at('trainig.lr')!.column, 5);
  assert.equal(at('training.epoch:')!.fix, 'did you mean training.epochs?');
  assert.deepEqual(at('training.epoch:')!.data?.replacements, ['training.epochs']);
  // natural has no `negatives`: the path names no setting of the method chosen.
  assert.match(at('method.negatives')!.message, /"negatives" is not a key of method/);
  assert.match(at('name: [a, b]')!.message, /name cannot be swept/);
});

test('a bad value is marked on the value itself, with the setting\'s own message and fix', () => {
  const text = tinyExperiment('sweep:\n  grid:\n    seed: [0, 1.5]\n    method.name: [natural, pgd-att]\n    training.epochs: [1, 0]\n    data.train_size: [120, "many"]\n');
  const r = load('values.gacd', text);
  const errors = errorsOf(r);
  const on = (needle: string, col: number) => errors.find((p) => p.line === lineOf(text, needle) && p.column === col);
  assert.match(on('seed: [0, 1.5]', 15)!.message, /seed must be an integer, not 1\.5/);
  const method = on('method.name', 28)!;
  assert.match(method.message, /unknown method "pgd-att"/);
  assert.equal(method.fix, 'did you mean pgd-at?');
  assert.equal(method.data?.replacements?.[0], 'pgd-at', 'the quick fix replaces the value in the sweep');
  assert.match(on('training.epochs', 26)!.message, /training\.epochs must be at least 1, not 0/);
  assert.match(on('data.train_size', 28)!.message, /data\.train_size must be/);
  assert.equal(errors.length, 4, errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
});

test('zip lists of different lengths, and a value that breaks another setting, are marked on the sweep', () => {
  const text = tinyExperiment('sweep:\n  grid:\n    method.name: [trades, natural]\n  zip:\n    training.lr: [0.1, 0.05]\n    training.epochs: [1]\n').replace(
    'name: natural',
    'name: trades\n  beta: 6',
  );
  const r = load('zip.gacd', text);
  const errors = errorsOf(r);
  const zip = errors.find((p) => p.line === lineOf(text, 'training.epochs: [1]'))!;
  assert.match(zip.message, /training\.lr has 2 values, training\.epochs has 1/);
  // natural has no beta: the file's `beta: 6` is fine for trades, wrong for that member.
  const natural = errors.find((p) => p.line === lineOf(text, 'method.name: [trades'))!;
  assert.equal(natural.column, text.split('\n')[natural.line - 1].indexOf('natural') + 1);
  assert.match(natural.message, /^with method\.name = natural: .*beta/);
  assert.equal(errors.length, 2, errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n'));
});

test('the plan: each member a file that passes the checks, sweep.json valid against the protocol type', () => {
  const file = path.join(work, 'plan.gacd');
  fs.writeFileSync(file, tinyExperiment('sweep:\n  grid:\n    method.name: [natural, pgd-at]\n    seed: [0, 1, 2]\n'));
  const r = planSweep(file, { executor: 'local', parallel: 2, cores: 4 });
  assert.ok(r.plan, JSON.stringify(r.problems));
  const m = sweepManifest.parse(r.plan.manifest);
  assert.equal(m.members.length, 6);
  assert.deepEqual(m.members.map((x) => x.configuration), ['method.name=natural', 'method.name=natural', 'method.name=natural', 'method.name=pgd-at', 'method.name=pgd-at', 'method.name=pgd-at']);
  assert.deepEqual(m.members.map((x) => x.seed), [0, 1, 2, 0, 1, 2]);
  assert.equal((m.members[4].settings as { seed: number }).seed, 1);
  assert.match(m.members[4].runDir, new RegExp(`tiny/${m.id}-m04$`));
  assert.match(r.plan.memberTexts[4], /seed: 1\n/);
  assert.match(r.plan.memberTexts[4], /name: pgd-at/);
});

test('the plan: a trained teacher that no member varies is trained once; one that varies is not shared', () => {
  const withTeacher = (sweep: string) =>
    tinyExperiment(sweep).replace('student:\n', 'teacher:\n  model: small-cnn\n  train:\n    method: pgd-at\n    epochs: 2\nstudent:\n').replace('name: natural', 'name: ard');
  const shared = path.join(work, 'shared.gacd');
  fs.writeFileSync(shared, withTeacher('sweep:\n  grid:\n    seed: [0, 1]\n    method.name: [ard, rslad]\n'));
  const a = planSweep(shared, { executor: 'local', parallel: 1, cores: 2 });
  assert.ok(a.plan, JSON.stringify(a.problems));
  assert.equal(a.plan.manifest.teachers.length, 1);
  const t = a.plan.manifest.teachers[0];
  assert.match(t.checkpoint, /-teacher-adversarial\/checkpoints\/student-e2-s0$/);
  for (const text of a.plan.memberTexts) {
    assert.ok(text.includes(`checkpoint: ${t.checkpoint}`), 'every member loads the shared teacher');
    assert.ok(!/\n  train:/.test(text), 'no member trains its own');
  }
  assert.match(a.plan.teacherTexts[0], /student:\n  model: small-cnn/);

  const varies = path.join(work, 'varies.gacd');
  fs.writeFileSync(varies, withTeacher('sweep:\n  grid:\n    teacher.train.epochs: [1, 2]\n'));
  const b = planSweep(varies, { executor: 'local', parallel: 1, cores: 2 });
  assert.ok(b.plan, JSON.stringify(b.problems));
  assert.equal(b.plan.manifest.teachers.length, 0);
  assert.match(b.plan.notes.join('\n'), /teacher varies across members/);
});
