import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { applyNotesMode } from '../../src/engine/experiment/problems';
import { createLanguageService } from '../../src/server/service/languageService';
import { doc, fixtures, MINIMAL, repoRoot, spanText, strictService, tempWorkspace } from './helpers';

test('diagnostics are the problems gacd check reports, at the same places', () => {
  const { service, errors } = strictService();
  for (const name of ['bad', 'malformed', 'no-teacher', 'quickstart', 'cifar']) {
    const file = path.join(fixtures, `${name}.gacd`);
    const text = fs.readFileSync(file, 'utf8');
    // Both show the notes on unconfirmed settings as one summary per file by default.
    const problems = applyNotesMode(loadExperiment(file, { text }).problems, 'summary');
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
    // One note per file by default, on the method's name key (hovering `gacd` shows its documentation alone).
    const [summary, ...more] = find('unconfirmed');
    assert.equal(more.length, 0);
    assert.equal(summary.severity, 'info');
    assert.equal(spanText(text, summary.span), 'name');
    assert.match(summary.message, /^gacd: 16 settings are reconstructed from the abstract.*\(gamma, beta, alpha, .*attack_loss\)/);
    assert.match(summary.message, /set gacd\.notes to all/);

    service.configure({ notes: 'all' });
    const notes = service.validate(doc(text, file)).filter((d) => d.code === 'unconfirmed');
    assert.ok(notes.length === 16 && notes.every((d) => d.severity === 'info' && d.data?.summarises === undefined));
    const beta = notes.find((d) => spanText(text, d.span) === 'beta')!;
    assert.match(beta.message, /CRD's weight on the contrastive term/);

    service.configure({ notes: 'off' });
    assert.deepEqual(service.validate(doc(text, file)).filter((d) => d.code === 'unconfirmed'), []);
    assert.ok(service.validate(doc(text, file)).some((d) => d.code === 'student-larger'), 'off silences only the notes');
  } finally {
    cleanup();
  }
});

test('the untouched quickstart shows one note, with one quick fix, and the notes of two GACD blocks make one note', () => {
  const file = path.join(repoRoot, 'examples/quickstart.gacd');
  const text = fs.readFileSync(file, 'utf8');
  const service = createLanguageService({ workspaceRoot: () => repoRoot });
  const diagnostics = service.validate(doc(text, file));
  assert.deepEqual(diagnostics.map((d) => d.code), ['unconfirmed']);
  const line = diagnostics[0].span.start.line;
  const actions = service.codeActions(doc(text, file), { start: { line, character: 0 }, end: { line, character: 80 } });
  assert.deepEqual(actions.map((a) => a.title), ['Silence "unconfirmed" on this line (# gacd-ignore)']);
  // The editor lists the diagnostics under the cursor above a hover: none covers the method's name,
  // whose hover is its documentation alone.
  const value = text.split('\n')[line].indexOf('gacd');
  assert.ok(diagnostics.every((d) => d.span.end.character <= value), 'the note sits on the key, before the value');
  assert.match(service.hover(doc(text, file), { line, character: value + 1 })!.contents, /^\*\*Guided Adversarial Contrastive Distillation\*\* \(`gacd`\)/);

  // With every note shown, the fourteen notes of that line still get one silencing quick fix, for all of them.
  const all = createLanguageService({ workspaceRoot: () => repoRoot, notes: 'all' });
  const each = all.validate(doc(text, file));
  assert.equal(each.filter((d) => d.span.start.line === line).length, 14);
  const fixes = all.codeActions(doc(text, file), { start: { line, character: 0 }, end: { line, character: 80 } });
  assert.equal(fixes.length, 1);
  assert.equal(fixes[0].diagnostics.length, 14);

  const two = `${text}\n`.replace('  - method: natural\n', '  - method: natural\n  - method: gacd\n    label: gacd-b\n');
  const notes = service.validate(doc(two, file)).filter((d) => d.code === 'unconfirmed');
  assert.equal(notes.length, 1);
  assert.match(notes[0].message, /32 settings \(in method, baselines\[1\]\)/);
});

test('an ignore comment above the method silences the summary, and one above a setting is not stale in summary mode', () => {
  const { root, cleanup } = tempWorkspace();
  try {
    const { service } = strictService(root);
    const file = path.join(root, 'exp.gacd');
    const base = `${MINIMAL.replace(/method:\n  name: \S+/, 'method:\n  name: gacd')}`;
    const silenced = base.replace('  name: gacd', '  # gacd-ignore: unconfirmed\n  name: gacd');
    assert.ok(silenced.includes('gacd-ignore'), 'the fixture names gacd');
    assert.deepEqual(service.validate(doc(silenced, file)).filter((d) => d.code === 'unconfirmed' || d.code === 'unused-ignore'), []);
    const onSetting = base.replace('  name: gacd', '  name: gacd\n  # gacd-ignore: unconfirmed\n  beta: 1');
    const shown = service.validate(doc(onSetting, file));
    assert.deepEqual(shown.filter((d) => d.code === 'unused-ignore'), [], 'the comment silences the beta note of the all mode');
    assert.equal(shown.filter((d) => d.code === 'unconfirmed').length, 1);
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
