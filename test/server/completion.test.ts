import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attackNames, cwSettings, fgsmSettings, pgdSettings } from '../../src/engine/attacks/catalog';
import { datasetNames } from '../../src/engine/data/catalog';
import { methodNames } from '../../src/engine/methods/catalog';
import { modelNames } from '../../src/engine/models/catalog';
import { experimentFields } from '../../src/engine/experiment/schema';
import type { CompletionItem } from '../../src/server/service/types';
import { applyEdits, cursor, doc, MINIMAL, spanText, strictService, tempWorkspace } from './helpers';

function complete(marked: string, filePath?: string, snippets = true): { items: CompletionItem[]; text: string } {
  const { service, errors } = strictService();
  const { text, pos } = cursor(marked);
  const items = service.complete(doc(text, filePath), pos, { snippets });
  assert.deepEqual(errors, []);
  return { items, text };
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

test('top-level keys not yet written, and section snippets on an empty line', () => {
  const { items } = complete(`${MINIMAL}|`);
  const keys = items.filter((i) => i.kind !== 'snippet').map((i) => i.label);
  const all = Object.keys(experimentFields.shape);
  assert.deepEqual(keys, all.filter((k) => !['data', 'student', 'method'].includes(k)));
  assert.ok(keys.includes('evaluation') && keys.includes('teacher'));
  const snippets = labels(items.filter((i) => i.kind === 'snippet'));
  assert.ok(snippets.includes('evaluation with its defaults'));
  assert.ok(snippets.includes('training with its defaults'));
  assert.ok(!snippets.some((s) => s.startsWith('method')), 'method is already written');
});

test('keys of the section at the cursor, by indentation, even half typed', () => {
  assert.deepEqual(labels(complete('data:\n  dataset: mnist\n  au|\nstudent:\n  model: tiny-cnn\n').items), ['path', 'classes', 'train_size', 'test_size', 'validation_size', 'resize', 'augment']);
  assert.deepEqual(
    labels(complete('training:\n  epochs: 3\n  attack:\n    steps: 7\n    |\n').items),
    ['epsilon', 'step_size', 'random_start'],
  );
  const afterNested = labels(complete('training:\n  attack:\n    steps: 7\n  |\n').items.filter((i) => i.kind !== 'snippet'));
  assert.ok(afterNested.includes('epochs') && !afterNested.includes('attack'));
});

test('a method block offers that method\'s settings', () => {
  const gacd = labels(complete('method:\n  name: gacd\n  critic: nce\n  |').items);
  assert.ok(gacd.includes('beta') && gacd.includes('reweight') && !gacd.includes('critic') && !gacd.includes('name'));
  const ard = labels(complete('method:\n  |\n  name: ard\n').items);
  assert.deepEqual(ard, ['alpha', 'temperature', 'kl_reduction', 'attack_mode']);
  const baseline = labels(complete('baselines:\n  - method: ard\n    |\n').items);
  assert.deepEqual(baseline, ['label', 'alpha', 'temperature', 'kl_reduction', 'attack_mode']);
  const flow = labels(complete('method: { name: ard, | }').items);
  assert.deepEqual(flow, ['alpha', 'temperature', 'kl_reduction', 'attack_mode']);
});

test('enum values: methods, models, datasets, backends, schedules, choices', () => {
  assert.deepEqual(labels(complete('method:\n  name: |').items), methodNames);
  assert.deepEqual(labels(complete('baselines:\n  - method: g|').items), methodNames);
  assert.deepEqual(labels(complete('student:\n  model: |').items), modelNames);
  assert.deepEqual(labels(complete('data:\n  dataset: cif|').items), datasetNames);
  assert.deepEqual(labels(complete('backend: |').items), ['auto', 'tensorflow', 'wasm', 'cpu']);
  assert.deepEqual(labels(complete('training:\n  schedule: |').items), ['constant', 'piecewise', 'cosine']);
  assert.deepEqual(labels(complete('method:\n  name: gacd\n  critic: |').items), ['nce', 'infonce']);
  assert.deepEqual(labels(complete('allow_outside_workspace: |').items), ['true', 'false']);
  const method = complete('method:\n  name: |').items.find((i) => i.label === 'gacd')!;
  assert.match(method.documentation!, /arXiv:2009\.09922/);
  assert.match(method.documentation!, /Loss: `L = gamma/);
});

test('evaluation attacks, in a flow list and a block list, without the ones written', () => {
  const flow = complete('evaluation:\n  attacks: [clean, fgsm, |]').items;
  assert.ok(labels(flow).includes('pgd-20') && !labels(flow).includes('clean') && !labels(flow).includes('fgsm'));
  const pgd = flow.find((i) => i.label === 'pgd-20')!;
  assert.match(pgd.documentation!, /Madry/);
  assert.ok(attackNames.includes('pgd'));
  const block = labels(complete('evaluation:\n  attacks:\n    - clean\n    - |\n').items);
  assert.ok(block.includes('cw-20') && !block.includes('clean'));
  const newEntry = complete('evaluation:\n  attacks:\n    - clean\n    |\n').items.find((i) => i.label === 'pgd-20')!;
  assert.equal(newEntry.insertText, '- pgd-20');
});

test('an evaluation entry written as a section offers its attack\'s settings, flow or block', () => {
  // The keys come from the attack's own settings schema in the catalog, after `label`.
  const pgdKeys = Object.keys(pgdSettings.shape);
  const cwKeys = Object.keys(cwSettings.shape);
  const flow = complete('evaluation:\n  attacks: [clean, {attack: pgd, st|}]\n');
  assert.deepEqual(labels(flow.items), ['label', ...pgdKeys]);
  assert.ok(pgdKeys.includes('steps') && pgdKeys.includes('step_size') && !pgdKeys.includes('confidence'));
  assert.equal(spanText(flow.text, flow.items[0].span), 'st');
  const steps = flow.items.find((i) => i.label === 'steps')!;
  assert.equal(steps.detail, 'an integer');
  assert.equal(steps.insertText, 'steps: $1');
  assert.match(steps.documentation!, /\*\*evaluation\.attacks\[1\]\.steps\*\*: an integer/);
  assert.match(steps.documentation!, /Number of PGD steps\. A setting of `pgd`, Projected Gradient Descent\./);
  assert.match(steps.documentation!, /Default: `20`\./);
  // A flow entry in a block list, and the settings of another attack.
  assert.deepEqual(labels(complete('evaluation:\n  attacks:\n    - {attack: fgsm, |}\n').items), ['label', ...Object.keys(fgsmSettings.shape)]);
  const block = complete('evaluation:\n  attacks:\n    - clean\n    - attack: cw\n      steps: 30\n      |\n').items;
  assert.deepEqual(labels(block), ['label', ...cwKeys.filter((k) => k !== 'steps')]);
  const confidence = block.find((i) => i.label === 'confidence')!;
  assert.equal(confidence.insertText, 'confidence: ${1:50}');
  assert.match(confidence.documentation!, /Margin kappa/);
  const cwSteps = complete('evaluation:\n  attacks:\n    - attack: cw\n      st|\n').items.find((i) => i.label === 'steps')!;
  assert.equal(cwSteps.insertText, 'steps: ${1:30}', "cw's own default, not pgd's");
  assert.match(cwSteps.documentation!, /Default: `30`\./);
  // Before an attack is named, the entry offers `attack` first, then `label`.
  const empty = complete('evaluation:\n  attacks: [clean, {|}]\n').items;
  assert.deepEqual(labels(empty), ['attack', 'label']);
  assert.equal(empty[0].insertText, `attack: \${1|${['clean', ...attackNames].join(',')}|}`);
  assert.ok(empty[0].sortText! < empty[1].sortText!, 'attack is required');
  // A key retyped before its colon is offered again and replaced alone.
  const retyped = complete('evaluation:\n  attacks: [{attack: cw, ste|ps: 5}]\n').items.find((i) => i.label === 'steps')!;
  assert.equal(retyped.insertText, 'steps');
  // The settings under `settings:`, as a resolved entry (spec.json) writes them.
  assert.deepEqual(labels(complete('evaluation:\n  attacks: [{attack: pgd, settings: {steps: 5, |}}]\n').items), pgdKeys.filter((k) => k !== 'steps'));
  // A short label's list is unchanged, and a section before the cursor is one entry, not two.
  const after = labels(complete('evaluation:\n  attacks: [{attack: pgd, steps: 5}, clean, |]\n').items);
  assert.ok(after.includes('pgd-20') && !after.includes('clean') && !after.includes('steps'));
});

test('the values of an evaluation entry\'s keys: the attacks, and each setting\'s choices', () => {
  const names = ['clean', ...attackNames];
  assert.deepEqual(labels(complete('evaluation:\n  attacks:\n    - clean\n    - attack: |\n').items), names);
  const flow = complete('evaluation:\n  attacks: [clean, {attack: p|}]\n').items;
  assert.deepEqual(labels(flow), names);
  assert.match(flow.find((i) => i.label === 'pgd')!.documentation!, /Madry/);
  const loss = complete('evaluation:\n  attacks:\n    - {attack: pgd, loss: |}\n').items;
  assert.deepEqual(labels(loss), ['ce', 'kl', 'cw']);
  assert.equal(loss.find((i) => i.preselect)?.label, 'ce', 'the default');
  assert.match(loss[2].documentation!, /Loss to maximise/, "the loss setting's text, not the cw attack's");
  const blockLoss = labels(complete('evaluation:\n  attacks:\n    - attack: pgd\n      loss: |\n').items);
  assert.deepEqual(blockLoss, ['ce', 'kl', 'cw']);
  assert.deepEqual(labels(complete('evaluation:\n  attacks:\n    - attack: fgsm\n      random_start: |\n').items), ['true', 'false']);
  assert.deepEqual(labels(complete('evaluation:\n  attacks:\n    - attack: cw\n      steps: |\n').items), ['30']);
  // A setting of another attack is no setting here: nothing to offer.
  assert.deepEqual(complete('evaluation:\n  attacks:\n    - attack: pgd\n      confidence: |\n').items, []);
});

test('a completed evaluation entry is valid', () => {
  const marked = `${MINIMAL}evaluation:\n  attacks: [clean, pgd-20, {attack: cw, conf|}]\n`;
  const { items, text } = complete(marked, undefined, false);
  const confidence = items.find((i) => i.label === 'confidence')!;
  const result = applyEdits(text, [{ span: confidence.span, newText: `${confidence.insertText}50` }]);
  assert.match(result, /\{attack: cw, confidence: 50\}/);
  const { service } = strictService();
  assert.deepEqual(service.validate(doc(result)).filter((d) => d.severity === 'error'), []);
});

test('the replaced span is the word at the cursor', () => {
  const { items, text } = complete('data:\n  dataset: cif|ar\n');
  assert.equal(spanText(text, items[0].span), 'cifar');
  const key = complete('data:\n  dataset: mnist\n  aug|ment: none\n');
  const augment = key.items.find((i) => i.label === 'augment')!;
  assert.ok(augment, 'the key on the cursor\'s own line is the one being edited: still offered');
  assert.equal(spanText(key.text, augment.span), 'augment');
  const path = key.items.find((i) => i.label === 'path')!;
  assert.equal(path.insertText, 'path', 'a colon follows: insert the key alone');
});

test('snippets: a GACD method block and an evaluation block with their defaults', () => {
  const { items, text } = complete('data:\n  dataset: mnist\n|');
  const gacd = items.find((i) => i.label === 'method: gacd with its defaults')!;
  assert.equal(gacd.kind, 'snippet');
  assert.match(gacd.insertText, /^method:\n {2}name: gacd\n {2}gamma: \$\{1:1\}\n {2}beta: \$\{2:0\.8\}/);
  assert.match(gacd.insertText, /critic: \$\{\d+\|nce,infonce\|\}/);
  const evaluation = items.find((i) => i.label === 'evaluation with its defaults')!;
  assert.equal(evaluation.insertText, 'evaluation:\n  attacks: ${1:[clean, fgsm, pgd-20, cw-20]}\n  batch_size: ${2:250}');
  // The snippet inserted without its tab stops is a valid section.
  const plain = complete('data:\n  dataset: mnist\n|', undefined, false).items.find((i) => i.label === 'method: gacd with its defaults')!;
  const { service } = strictService();
  const result = applyEdits(text, [{ span: plain.span, newText: plain.insertText }]);
  const diagnostics = service.validate(doc(`${result}\nstudent:\n  model: tiny-cnn\nteacher:\n  model: small-cnn\n  train:\n    method: pgd-at\n`));
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
});

test('a list entry of baselines offers a method block per method', () => {
  const { items } = complete('baselines:\n  - |\n');
  const ard = items.find((i) => i.label === 'method: ard with its defaults')!;
  assert.equal(ard.insertText, 'method: ard\n    alpha: ${1:1}\n    temperature: ${2:30}\n    kl_reduction: ${3|batchmean,mean|}\n    attack_mode: ${4|eval,train|}');
});

test('key items insert the key with a value placeholder', () => {
  const { items } = complete('training:\n  sch|\n');
  assert.equal(items.find((i) => i.label === 'schedule')!.insertText, 'schedule: ${1|cosine,constant,piecewise|}');
  assert.equal(items.find((i) => i.label === 'epochs')!.insertText, 'epochs: ${1:5}');
  const top = complete('|').items;
  assert.equal(top.find((i) => i.label === 'method')!.insertText, 'method:\n  name: ${1|natural,pgd-at,ard,gacd,trades,kd,rslad,iad,adaad,igdm,crd,mtard|}');
  assert.equal(top.find((i) => i.label === 'data')!.insertText, `data:\n  dataset: \${1|${datasetNames.join(',')}|}`);
  const epochs = complete('training:\n  sch|\n', undefined, false).items.find((i) => i.label === 'epochs')!;
  assert.equal(epochs.insertText, 'epochs: 5');
  assert.equal(epochs.snippet, false);
});

test('numbers: the default and the usual epsilons', () => {
  const eps = complete('training:\n  attack:\n    epsilon: |').items;
  assert.deepEqual(labels(eps), ['8/255', '0.1', '0.3', 'null']);
  assert.deepEqual(labels(complete('training:\n  epochs: |').items), ['5']);
  // An integer accepts arithmetic only when it gives a whole number: its documentation does not offer `8/255`.
  assert.doesNotMatch(complete('training:\n  epochs: |').items[0].documentation!, /arithmetic|8\/255/);
  assert.match(eps[0].documentation!, /Accepts arithmetic such as `8\/255`/);
});

test('folders for the dataset and checkpoint paths, relative to the file', () => {
  const { root, cleanup } = tempWorkspace();
  try {
    fs.mkdirSync(path.join(root, 'checkpoints', 'teacher'), { recursive: true });
    fs.mkdirSync(path.join(root, 'checkpoints', 'other'));
    fs.writeFileSync(path.join(root, 'checkpoints', 'notes.txt'), '');
    const file = path.join(root, 'exp.gacd');
    const bySort = (items: CompletionItem[]) => [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label)).map((i) => i.label);
    // The client sorts by sortText: the folders come before `null`, which is not offered inside a path.
    assert.deepEqual(bySort(complete('teacher:\n  checkpoint: |', file).items), ['checkpoints', 'null']);
    const { items, text } = complete('teacher:\n  checkpoint: checkpoints/te|', file);
    assert.deepEqual(bySort(items), ['other', 'teacher']);
    assert.equal(spanText(text, items.find((i) => i.label === 'teacher')!.span), 'te');
  } finally {
    cleanup();
  }
});

test('a gacd-ignore comment completes the codes of the next line', () => {
  const { items } = complete(`${MINIMAL}training:\n  attack:\n    # gacd-ignore: |\n    epsilon: 8\n`);
  assert.deepEqual(labels(items), ['epsilon-units']);
  assert.deepEqual(complete('data: # a comment |\n').items, []);
});

test('right after a colon or a dash, the inserted text starts with the space YAML needs', () => {
  const method = complete('method:\n  name:|').items.find((i) => i.label === 'gacd')!;
  assert.equal(method.insertText, ' gacd');
  const attack = complete('evaluation:\n  attacks:\n    -|').items.find((i) => i.label === 'pgd-20')!;
  assert.equal(attack.insertText, ' pgd-20');
  const key = complete('baselines:\n  -|').items.find((i) => i.label === 'method')!;
  assert.ok(key.insertText.startsWith(' method: '));
  const block = complete('baselines:\n  -|').items.find((i) => i.label === 'method: ard with its defaults')!;
  assert.ok(block.insertText.startsWith(' method: ard\n    alpha: '), 'the settings line up under the method');
  assert.equal(complete('method:\n  name: |').items.find((i) => i.label === 'gacd')!.insertText, 'gacd');
});
