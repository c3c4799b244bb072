import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { doc, fixtures, MINIMAL, spanText, strictService, tempWorkspace } from './helpers';

test('diagnostics are the problems gacd check reports, at the same places', () => {
  const { service, errors } = strictService();
  for (const name of ['bad', 'malformed', 'no-teacher', 'quickstart', 'cifar']) {
    const file = path.join(fixtures, `${name}.gacd`);
    const text = fs.readFileSync(file, 'utf8');
    const problems = loadExperiment(file, { text }).problems;
    const diagnostics = service.validate(doc(text, file));
    assert.deepEqual(
      diagnostics.map((d) => [d.span.start.line + 1, d.span.start.character + 1, d.code, d.severity]),
      problems.map((p) => [p.line, p.column, p.code, p.severity]),
      name,
    );
    diagnostics.forEach((d, i) => assert.ok(d.message.startsWith(problems[i].message), name));
  }
  assert.deepEqual(errors, []);
});

test('ranges sit on the offending key or value, with the data quick fixes need', () => {
  const { service } = strictService();
  const text = fs.readFileSync(path.join(fixtures, 'bad.gacd'), 'utf8');
  const diagnostics = service.validate(doc(text));
  const byCode = (code: string) => diagnostics.find((d) => d.code === code)!;
  assert.equal(spanText(text, byCode('unknown-key').span), 'augmnt');
  assert.deepEqual(byCode('unknown-key').data?.replacements, ['augment']);
  assert.match(byCode('unknown-key').message, /did you mean augment\?/);
  assert.equal(spanText(text, byCode('epsilon-units').span), '8');
  assert.deepEqual(byCode('epsilon-units').data?.replacements, ['8/255']);
  const dataset = diagnostics.find((d) => d.code === 'unknown-name' && spanText(text, d.span) === 'cifar-10')!;
  assert.equal(dataset.data?.replacements?.[0], 'cifar10');
  assert.equal(spanText(text, diagnostics.find((d) => d.code === 'bad-value')!.span), 'linear');
  assert.equal(byCode('weak-evaluation').severity, 'warning');
});

test('a YAML error in one section does not hide the problems of the others', () => {
  const { service } = strictService();
  const text = fs.readFileSync(path.join(fixtures, 'malformed.gacd'), 'utf8');
  const codes = service.validate(doc(text)).map((d) => d.code);
  assert.ok(codes.includes('yaml-syntax'));
  assert.ok(codes.includes('duplicate-key'));
  assert.ok(codes.includes('unknown-key'), 'evaluation.batch_sise, after the broken training section');
});

test('covers the semantic checks: larger student, paths, unconfirmed GACD settings', () => {
  const { root, cleanup } = tempWorkspace();
  try {
    const { service } = strictService(root);
    const file = path.join(root, 'exp.gacd');
    const text = `data:
  dataset: cifar10
  path: ../elsewhere
teacher:
  model: tiny-cnn
  checkpoint: checkpoints/missing
student:
  model: small-cnn
method:
  name: gacd
  beta: 1
`;
    const diagnostics = service.validate(doc(text, file));
    const find = (code: string) => diagnostics.filter((d) => d.code === code);
    assert.equal(spanText(text, find('outside-workspace')[0].span), '../elsewhere');
    assert.equal(spanText(text, find('missing-file')[0].span), 'checkpoints/missing');
    assert.equal(find('student-larger')[0].severity, 'warning');
    assert.equal(spanText(text, find('student-larger')[0].span), 'small-cnn');
    const notes = find('unconfirmed');
    assert.ok(notes.length >= 10 && notes.every((d) => d.severity === 'info'));
    const beta = notes.find((d) => spanText(text, d.span) === 'beta')!;
    assert.match(beta.message, /CRD's weight on the contrastive term/);
  } finally {
    cleanup();
  }
});

test('# gacd-ignore: CODE silences that code on the next line only', () => {
  const { service } = strictService();
  const text = `${MINIMAL}training:
  attack:
    # gacd-ignore: epsilon-units
    epsilon: 8
    step_size: 2
`;
  const diagnostics = service.validate(doc(text));
  const units = diagnostics.filter((d) => d.code === 'epsilon-units');
  assert.equal(units.length, 1, 'the step size on the line after is still reported');
  assert.equal(units[0].span.start.line, 10);
  assert.ok(!diagnostics.some((d) => d.code === 'unused-ignore'));
});

test('ignore comments stack, take several codes, and an unused one gets a hint', () => {
  const { service } = strictService();
  const text = `data:
  dataset: fashion-mnist-mini
teacher:
  model: tiny-cnn
  train:
    method: pgd-at
# gacd-ignore: student-larger
# gacd-ignore: wrong-type, epsilon-units
student:
  # gacd-ignore: student-larger, bad-value
  model: small-cnn
method:
  name: pgd-at
`;
  const diagnostics = service.validate(doc(text));
  assert.ok(!diagnostics.some((d) => d.code === 'student-larger'));
  const unused = diagnostics.filter((d) => d.code === 'unused-ignore');
  assert.deepEqual(
    unused.map((d) => spanText(text, d.span)),
    ['student-larger', 'wrong-type', 'epsilon-units', 'bad-value'],
  );
  assert.ok(unused.every((d) => d.severity === 'hint' && d.unnecessary));
});

test('a byte-order mark does not shift the first line', () => {
  const { service } = strictService();
  const text = `\uFEFFdatta:\n  dataset: mnist\n`;
  const d = service.validate(doc(text)).find((x) => x.code === 'unknown-key')!;
  assert.equal(spanText(text, d.span), 'datta');
});

test('an unknown key in an evaluation entry written as a section: marked on the key, with the closest setting', () => {
  const { service } = strictService();
  const block = `${MINIMAL}evaluation:\n  attacks:\n    - clean\n    - attack: pgd\n      stpes: 50\n`;
  const inBlock = service.validate(doc(block)).filter((d) => d.code === 'unknown-key');
  assert.equal(inBlock.length, 1);
  assert.equal(inBlock[0].span.start.line, block.split('\n').indexOf('      stpes: 50'));
  assert.match(inBlock[0].message, /^attack pgd: "stpes" is not one of its settings \(steps, step_size, random_start, loss, restarts\) \(did you mean steps\?\)$/);
  assert.equal(inBlock[0].severity, 'error');
  // Marked on the key, with the closest setting as the replacement its quick fix offers.
  assert.equal(spanText(block, inBlock[0].span), 'stpes');
  assert.deepEqual((inBlock[0].data as { replacements?: string[] } | undefined)?.replacements?.[0], 'steps');
  // In a flow entry the key is judged by the attack it names: confidence is cw's, not pgd's.
  const flow = `${MINIMAL}evaluation:\n  attacks: [clean, {attack: cw, steps: 5}, {attack: pgd, confidense: 9}]\n`;
  const inFlow = service.validate(doc(flow)).filter((d) => d.code === 'unknown-key');
  assert.equal(inFlow.length, 1);
  assert.equal(inFlow[0].span.start.line, flow.split('\n').findIndex((l) => l.includes('confidense')));
  assert.match(inFlow[0].message, /"confidense" is not one of its settings/);
});
