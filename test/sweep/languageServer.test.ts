/** The language service in a `sweep:` block: the member count on hover, setting paths completed and described, bad entries marked. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cursor, doc, spanText, strictService } from '../server/helpers';

const BASE = 'data:\n  dataset: fashion-mnist-mini\nstudent:\n  model: tiny-cnn\nmethod:\n  name: gacd\n';

function hover(marked: string) {
  const { service, errors } = strictService();
  const { text, pos } = cursor(marked);
  const h = service.hover(doc(text), pos);
  assert.deepEqual(errors, []);
  return { contents: h?.contents, covered: h && spanText(text, h.span) };
}

test('hover on sweep: gives the number of members; on a path, the setting it names', () => {
  const h = hover(`${BASE}swe|ep:\n  grid:\n    seed: [0, 1, 2]\n    method.name: [ard, gacd]\n  zip:\n    training.lr: [0.1, 0.05]\n    training.epochs: [5, 10]\n`);
  assert.equal(h.covered, 'sweep');
  assert.match(h.contents!, /12 members/);
  assert.match(h.contents!, /seed \(3\) × method\.name \(2\) × training\.lr \(2, zipped\)/);
  const p = hover(`${BASE}sweep:\n  grid:\n    training.at|tack.steps: [1, 2]\n`);
  assert.match(p.contents!, /\*\*training\.attack\.steps\*\*: an integer/);
  assert.match(p.contents!, /Number of PGD steps/);
});

test('completion under grid: offers dotted setting paths, a method\'s own settings under the method named', () => {
  const { service } = strictService();
  const { text, pos } = cursor(`${BASE}sweep:\n  grid:\n    seed: [0, 1]\n    training.e|\n`);
  const items = service.complete(doc(text), pos);
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('training.epochs'), labels.slice(0, 20).join(', '));
  assert.ok(labels.includes('method.negatives'), 'GACD\'s own setting');
  assert.ok(!labels.includes('seed'), 'a path written already');
  assert.ok(!labels.some((l) => l.startsWith('sweep') || l === 'name'), 'paths that cannot vary');
  const epochs = items.find((i) => i.label === 'training.epochs')!;
  assert.equal(spanText(text, epochs.span), 'training.e', 'the dotted word typed so far is replaced');
  assert.equal(epochs.insertText, 'training.epochs: [$1]');
});

test('diagnostics: an unknown path with its did-you-mean, a bad value on its line', () => {
  const { service } = strictService();
  const text = `${BASE}sweep:\n  grid:\n    trainng.lr: [0.1]\n    seed: [0, -1]\n`;
  const diags = service.validate(doc(text));
  const path = diags.find((d) => /trainng\.lr names no setting/.test(d.message))!;
  assert.equal(spanText(text, path.span), 'trainng.lr');
  const value = diags.find((d) => /seed must be at least 0/.test(d.message))!;
  assert.equal(spanText(text, value.span), '-1');
});
