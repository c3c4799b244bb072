import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cursor, doc, MINIMAL, spanText, strictService } from './helpers';

function hover(marked: string): { contents?: string; covered?: string } {
  const { service, errors } = strictService();
  const { text, pos } = cursor(marked);
  const h = service.hover(doc(text), pos);
  assert.deepEqual(errors, []);
  return { contents: h?.contents, covered: h && spanText(text, h.span) };
}

test('a key: description, type, default, allowed values', () => {
  const h = hover('training:\n  sche|dule: cosine\n');
  assert.equal(h.covered, 'schedule');
  assert.match(h.contents!, /\*\*training\.schedule\*\*: one of constant, piecewise, cosine/);
  assert.match(h.contents!, /Learning-rate schedule/);
  assert.match(h.contents!, /Default: `cosine`/);
  assert.match(h.contents!, /Allowed: `constant`, `piecewise`, `cosine`/);
  const eps = hover('training:\n  attack:\n    eps|ilon: 8/255\n').contents!;
  assert.match(eps, /a number or null/);
  assert.match(eps, /Default: the dataset's usual epsilon/);
  assert.match(eps, /Range: 0 to 1/);
  assert.match(eps, /8\/255/);
});

test('the first character of a key after a section is that key, not the section before', () => {
  const h = hover('student:\n  model: tiny-cnn\n|method:\n  name: gacd\n');
  assert.equal(h.covered, 'method');
  assert.match(h.contents!, /\*\*method\*\*/);
});

test('a GACD setting the paper leaves unconfirmed says so, with the default chosen', () => {
  const h = hover('method:\n  name: gacd\n  neg|atives: 4096\n').contents!;
  assert.match(h, /Unconfirmed by the paper/);
  assert.match(h, /CRD's K/);
  assert.doesNotMatch(hover('method:\n  name: ard\n  temp|erature: 10\n').contents!, /Unconfirmed/);
});

test('a method, attack, model or dataset value: its paper and its one-line loss', () => {
  const gacd = hover('method:\n  name: ga|cd\n');
  assert.equal(gacd.covered, 'gacd');
  assert.match(gacd.contents!, /Guided Adversarial Contrastive Distillation/);
  assert.match(gacd.contents!, /Paper: Bai, Chen, Zhao, Wen, Jiang, Kot/);
  assert.match(gacd.contents!, /Loss: `L = gamma·CE/);
  const ard = hover('baselines:\n  - method: a|rd\n').contents!;
  assert.match(ard, /Goldblum/);
  const pgd = hover('evaluation:\n  attacks: [clean, pg|d-20]\n').contents!;
  assert.match(pgd, /Projected Gradient Descent/);
  assert.match(pgd, /20 steps/);
  assert.match(pgd, /Update: `x_\{k\+1\}/);
  const cw = hover('evaluation:\n  attacks:\n    - c|w-30\n').contents!;
  assert.match(cw, /Carlini/);
  const section = hover('evaluation:\n  attacks: [clean, {attack: p|gd, steps: 50}]\n');
  assert.equal(section.covered, 'pgd');
  assert.match(section.contents!, /Projected Gradient Descent/);
  assert.match(hover('student:\n  model: preact-res|net18\n').contents!, /11\.2M parameters/);
  assert.match(hover('data:\n  dataset: cifa|r10\n').contents!, /usual epsilon 8\/255/);
});

test('a key inside an evaluation entry written as a section: that attack\'s setting', () => {
  const steps = hover('evaluation:\n  attacks:\n    - clean\n    - attack: pgd\n      ste|ps: 50\n      restarts: 5\n');
  assert.equal(steps.covered, 'steps');
  assert.match(steps.contents!, /^\*\*evaluation\.attacks\[1\]\.steps\*\*: an integer\n/);
  assert.match(steps.contents!, /Number of PGD steps\. A setting of `pgd`, Projected Gradient Descent\./);
  assert.match(steps.contents!, /Default: `20`\./);
  assert.match(steps.contents!, /At least 1\./);
  // The same key in a cw entry is cw's, with cw's default.
  const cw = hover('evaluation:\n  attacks: [clean, {attack: cw, st|eps: 5, confidence: 20}]\n');
  assert.equal(cw.covered, 'steps');
  assert.match(cw.contents!, /Number of PGD steps on the margin loss\. A setting of `cw`/);
  assert.match(cw.contents!, /Default: `30`\./);
  const confidence = hover('evaluation:\n  attacks: [clean, {attack: cw, steps: 5, confi|dence: 20}]\n').contents!;
  assert.match(confidence, /Margin kappa/);
  assert.match(confidence, /Default: `50`\./);
  // `loss: cw` is the loss setting, not the cw attack.
  const loss = hover('evaluation:\n  attacks: [{attack: pgd, loss: c|w}]\n').contents!;
  assert.match(loss, /\*\*evaluation\.attacks\[0\]\.loss\*\*: one of ce, kl, cw/);
  assert.match(loss, /Allowed: `ce`, `kl`, `cw`\./);
  assert.doesNotMatch(loss, /Carlini and Wagner, IEEE/);
  const stepSize = hover('evaluation:\n  attacks: [{attack: pgd, step_size: 1/2|55}]\n');
  assert.equal(stepSize.covered, '1/255');
  assert.match(stepSize.contents!, /`1\/255` = 0\.00392157/);
  assert.match(stepSize.contents!, /null means epsilon\/4/);
  // The entry's own keys.
  const attack = hover('evaluation:\n  attacks:\n    - att|ack: cw\n').contents!;
  assert.match(attack, /\*\*evaluation\.attacks\[0\]\.attack\*\*: one of clean, fgsm, pgd, cw/);
  assert.match(attack, /Required\./);
  assert.match(hover('evaluation:\n  attacks:\n    - attack: cw\n      lab|el: cw-strong\n').contents!, /row in results and charts/);
  // Settings under `settings:`, as spec.json holds a resolved entry.
  assert.match(hover('evaluation:\n  attacks: [{attack: cw, settings: {conf|idence: 9}}]\n').contents!, /\*\*evaluation\.attacks\[0\]\.settings\.confidence\*\*/);
  // A key that is not a setting of the entry's attack has nothing to say.
  assert.equal(hover('evaluation:\n  attacks: [{attack: pgd, confi|dence: 20}]\n').contents, undefined);
});

test('an arithmetic value shows what it evaluates to', () => {
  const h = hover(`${MINIMAL}training:\n  attack:\n    epsilon: 8/2|55\n`);
  assert.equal(h.covered, '8/255');
  assert.match(h.contents!, /`8\/255` = 0\.0313725/);
});

test('nothing on blank space, comments and unknown keys', () => {
  assert.equal(hover('data:\n  dataset: mnist\n|\n').contents, undefined);
  assert.equal(hover('# a com|ment\ndata:\n  dataset: mnist\n').contents, undefined);
  assert.equal(hover('data:\n  datta|set: mnist\n').contents, undefined);
});

test('integer settings do not advertise arithmetic; a computed value is shown rounded', () => {
  const epochs = hover('training:\n  epo|chs: 4\n').contents!;
  assert.match(epochs, /an integer/);
  assert.doesNotMatch(epochs, /arithmetic|8\/255/);
  assert.match(hover('training:\n  l|r: 0.1\n').contents!, /Accepts arithmetic such as `8\/255`/);
  const value = hover('training:\n  attack:\n    epsilon: 1.5*0|.1\n').contents!;
  assert.match(value, /^`1\.5\*0\.1` = 0\.15\n/);
  // The dataset's usual epsilon as people write it.
  assert.match(hover('data:\n  dataset: cif|ar10\n').contents!, /usual epsilon 8\/255/);
  assert.match(hover('data:\n  dataset: fashion-mn|ist\n').contents!, /usual epsilon 0\.1;/);
});
