import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CodeAction, Diagnostic } from '../../src/server/service/types';
import { applyEdits, doc, fixtures, MINIMAL, strictService } from './helpers';

function actions(text: string, code: string, nth = 0): { fixes: CodeAction[]; diagnostic: Diagnostic; apply: (a: CodeAction) => string } {
  const { service, errors } = strictService();
  const d = doc(text);
  const diagnostic = service.validate(d).filter((x) => x.code === code)[nth];
  assert.ok(diagnostic, `a ${code} diagnostic`);
  const fixes = service.codeActions(d, diagnostic.span).filter((a) => a.diagnostics[0].code === code);
  assert.deepEqual(errors, []);
  return { fixes, diagnostic, apply: (a) => applyEdits(text, a.edits) };
}

function remaining(text: string): string[] {
  const { service } = strictService();
  // Whether the dataset is downloaded depends on the machine, and no edit here changes it.
  return service.validate(doc(text)).filter((d) => d.severity !== 'info' && d.code !== 'dataset-not-found').map((d) => d.code);
}

const bad = fs.readFileSync(path.join(fixtures, 'bad.gacd'), 'utf8');

test('unknown key: change it to the closest one', () => {
  const { fixes, apply } = actions(bad, 'unknown-key');
  assert.equal(fixes[0].title, 'Change the key to "augment"');
  assert.equal(fixes[0].preferred, true);
  assert.match(apply(fixes[0]), /\n {2}augment: none\n/);
});

test('bad enum value: one fix per allowed value, the closest preferred', () => {
  const { fixes, apply } = actions(bad, 'bad-value');
  assert.deepEqual(fixes.filter((f) => f.title.startsWith('Change')).map((f) => f.title), ['Change to cosine', 'Change to constant', 'Change to piecewise']);
  assert.match(apply(fixes[1]), /schedule: constant\n/);
  const method = actions(bad, 'unknown-name', 1);
  assert.equal(method.fixes[0].title, 'Change to gacd');
  assert.equal(method.fixes[0].preferred, true);
});

test('epsilon units: 8 becomes 8/255', () => {
  const { fixes, apply } = actions(bad, 'epsilon-units');
  assert.equal(fixes[0].title, 'Change to 8/255');
  const fixed = apply(fixes[0]);
  assert.match(fixed, /epsilon: 8\/255\n/);
  assert.ok(!remaining(fixed).includes('epsilon-units'));
});

test('a missing required section is added, in the schema\'s order', () => {
  const text = 'data:\n  dataset: mnist\n# the method\nmethod:\n  name: pgd-at\n';
  const { fixes, apply } = actions(text, 'missing-section');
  assert.equal(fixes[0].title, 'Add section student: model: small-cnn');
  const fixed = apply(fixes[0]);
  assert.equal(fixed, 'data:\n  dataset: mnist\nstudent:\n  model: small-cnn\n# the method\nmethod:\n  name: pgd-at\n');
  assert.deepEqual(remaining(fixed), []);
});

test('a distilling method without a teacher: add a teacher trained first', () => {
  const text = fs.readFileSync(path.join(fixtures, 'no-teacher.gacd'), 'utf8');
  const { fixes, apply } = actions(text, 'missing-section');
  const fixed = apply(fixes.find((f) => f.title === 'Add section teacher: model: small-cnn')!);
  assert.match(fixed, /\nteacher:\n {2}model: small-cnn\n {2}train:\n {4}method: pgd-at\nstudent:/);
  assert.deepEqual(remaining(fixed), []);
});

test('a method block without its name: add each method', () => {
  const text = 'data:\n  dataset: mnist\nstudent:\n  model: tiny-cnn\nmethod:\n  critic: nce\n';
  const { fixes, apply } = actions(text, 'missing-key');
  assert.deepEqual(fixes.filter((f) => f.title.startsWith('Add')).map((f) => f.title), [
    'Add name: natural to method',
    'Add name: pgd-at to method',
    'Add name: ard to method',
    'Add name: gacd to method',
    'Add name: trades to method',
    'Add name: kd to method',
    'Add name: rslad to method',
    'Add name: iad to method',
  ]);
  const fixed = apply(fixes[3]);
  assert.equal(fixed, 'data:\n  dataset: mnist\nstudent:\n  model: tiny-cnn\nmethod:\n  critic: nce\n  name: gacd\n');
});

test('a missing required key is added to its section', () => {
  const text = `student:\n  model: tiny-cnn\nmethod:\n  name: pgd-at\ndata:\n  augment: none\n`;
  const { fixes, apply } = actions(text, 'missing-key');
  assert.equal(fixes[0].title, 'Add dataset: fashion-mnist-mini to data');
  assert.equal(apply(fixes[0]), `student:\n  model: tiny-cnn\nmethod:\n  name: pgd-at\ndata:\n  augment: none\n  dataset: fashion-mnist-mini\n`);
});

test('a duplicate key: remove this one or the other', () => {
  const text = fs.readFileSync(path.join(fixtures, 'malformed.gacd'), 'utf8');
  const { fixes, apply } = actions(text, 'duplicate-key');
  const mine = fixes.find((f) => f.title.startsWith('Remove this duplicate'))!;
  const other = fixes.find((f) => f.title.startsWith('Remove the other'))!;
  assert.ok(apply(mine).startsWith('data:\n  dataset: fashion-mnist-mini\nstudent:'));
  assert.ok(apply(other).startsWith('data:\n  dataset: mnist\nstudent:'));
  const block = 'data:\n  dataset: mnist\nstudent:\n  model: tiny-cnn\nmethod:\n  name: pgd-at\ntraining:\n  epochs: 2\n  attack:\n    steps: 3\n\ntraining:\n  epochs: 3\n';
  const dup = actions(block, 'duplicate-key');
  const removed = dup.apply(dup.fixes.find((f) => f.title.startsWith('Remove the other'))!);
  assert.equal(removed, 'data:\n  dataset: mnist\nstudent:\n  model: tiny-cnn\nmethod:\n  name: pgd-at\n\ntraining:\n  epochs: 3\n');
});

test('an FGSM-only evaluation gets pgd-20 and cw-20, in a flow list or a block list', () => {
  const flow = actions(bad, 'weak-evaluation');
  assert.match(flow.apply(flow.fixes[0]), /attacks: \[clean, fgsm, pgd-20, cw-20\]/);
  const text = `${MINIMAL}evaluation:\n  attacks:\n    - clean\n    - fgsm\n  batch_size: 100\n`;
  const block = actions(text, 'weak-evaluation');
  const fixed = block.apply(block.fixes[0]);
  assert.match(fixed, /\n {4}- fgsm\n {4}- pgd-20\n {4}- cw-20\n {2}batch_size: 100\n/);
  assert.deepEqual(remaining(fixed), []);
});

test('a warning can be silenced on purpose with a gacd-ignore comment', () => {
  const text = `${MINIMAL}evaluation:\n  attacks: [clean]\n`;
  const { fixes, apply } = actions(text, 'weak-evaluation');
  const silence = fixes.find((f) => f.title.includes('gacd-ignore'))!;
  const fixed = apply(silence);
  assert.match(fixed, /\n {2}# gacd-ignore: weak-evaluation\n {2}attacks: \[clean\]/);
  assert.deepEqual(remaining(fixed), []);
});

test('an unused gacd-ignore comment can be removed', () => {
  const text = `${MINIMAL}# gacd-ignore: student-larger\nseed: 1\n`;
  const { fixes, apply } = actions(text, 'unused-ignore');
  assert.equal(apply(fixes[0]), `${MINIMAL}seed: 1\n`);
});

test('a method that needs a naturally trained teacher gets a quick fix that adds one, trained first', () => {
  const text = 'data:\n  dataset: mnist\nteacher:\n  model: small-cnn\n  train: {method: pgd-at}\nstudent:\n  model: tiny-cnn\nmethod:\n  name: mtard\n';
  const { fixes, diagnostic, apply } = actions(text, 'missing-section');
  assert.match(diagnostic.message, /needs a naturally trained teacher \(role 'natural'\)/);
  const fix = fixes.find((f) => f.title.startsWith('Add section teachers: natural'));
  assert.ok(fix, fixes.map((f) => f.title).join('; '));
  const fixed = apply(fix);
  assert.match(fixed, /\nteachers:\n  natural:\n    model: [\w-]+\n    train:\n      method: natural\n/);
  assert.ok(!remaining(fixed).includes('missing-section'), remaining(fixed).join());
});

test('a key left blank is missing a value: each allowed value is set after the colon', () => {
  const text = MINIMAL.replace('model: tiny-cnn', 'model:');
  const { fixes, diagnostic, apply } = actions(text, 'missing-value');
  assert.equal(diagnostic.message, 'student.model has no value: it needs one of small-cnn, tiny-cnn, preact-resnet18, resnet18, mobilenetv2, wrn-34-10');
  assert.equal(fixes[0].title, 'Set model: small-cnn');
  const fixed = apply(fixes[1]);
  assert.match(fixed, /\n {2}model: tiny-cnn\n/);
  assert.deepEqual(remaining(fixed), []);
});

test('epsilon units: the dataset\'s usual epsilon is offered too', () => {
  const text = `${MINIMAL}training:\n  attack:\n    epsilon: 8\n`;
  const { fixes, diagnostic, apply } = actions(text, 'epsilon-units');
  assert.deepEqual(fixes.filter((f) => f.title.startsWith('Change')).map((f) => f.title), ['Change to 8/255', 'Change to 0.1']);
  assert.match(diagnostic.message, /did you mean 8\/255, or fashion-mnist-mini's usual 0\.1\?/);
  assert.match(apply(fixes[1]), /epsilon: 0\.1\n/);
  // On CIFAR-10 the usual value is the one 8 means, offered once.
  const cifar = actions(text.replace('fashion-mnist-mini', 'cifar10'), 'epsilon-units');
  assert.deepEqual(cifar.fixes.filter((f) => f.title.startsWith('Change')).map((f) => f.title), ['Change to 8/255']);
  // Too large to be grey levels: only the usual value.
  const big = actions(text.replace('epsilon: 8', 'epsilon: 300'), 'epsilon-units');
  assert.deepEqual(big.fixes.filter((f) => f.title.startsWith('Change')).map((f) => f.title), ['Change to 0.1']);
});
