import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DocumentSymbol } from '../../src/server/service/types';
import { doc, fixtures, spanText, strictService } from './helpers';

const quickstart = fs.readFileSync(path.join(fixtures, 'quickstart.gacd'), 'utf8');

test('document symbols: sections, settings and list entries named after what they hold', () => {
  const { service, errors } = strictService();
  const symbols = service.documentSymbols(doc(quickstart));
  assert.deepEqual(errors, []);
  assert.deepEqual(symbols.map((s) => s.name), ['name', 'seed', 'data', 'teacher', 'student', 'method', 'training', 'baselines']);
  const get = (name: string) => symbols.find((s) => s.name === name)!;
  assert.equal(get('method').kind, 'section');
  assert.equal(get('method').detail, 'gacd');
  assert.deepEqual(get('method').children.map((c) => [c.name, c.detail]), [['name', 'gacd'], ['critic', 'infonce']]);
  assert.deepEqual(get('baselines').children.map((c) => c.name), ['pgd-at', 'ard']);
  assert.equal(get('baselines').kind, 'list');
  const training = get('training');
  assert.equal(spanText(quickstart, training.selectionSpan), 'training');
  assert.match(spanText(quickstart, training.span), /^training:\n {2}epochs: 5\n {2}attack:\n {4}epsilon: 0\.1$/);
  const within = (s: DocumentSymbol): boolean =>
    s.children.every(within) &&
    (s.selectionSpan.start.line > s.span.start.line ||
      (s.selectionSpan.start.line === s.span.start.line && s.selectionSpan.start.character >= s.span.start.character));
  assert.ok(symbols.every(within));
});

test('folding: sections, list entries, multi-line flow lists and comment blocks', () => {
  const { service } = strictService();
  const text = `# one
# two
data:
  dataset: mnist

student:
  model: tiny-cnn
baselines:
  - method: ard
    label: a
  - method: natural
evaluation:
  attacks: [clean,
    pgd-20]
`;
  const ranges = service.foldingRanges(doc(text)).map((r) => [r.startLine, r.endLine, r.kind ?? '']);
  assert.deepEqual(ranges, [
    [0, 1, 'comment'],
    [2, 3, ''],
    [5, 6, ''],
    [7, 10, ''],
    [8, 9, ''],
    [11, 13, ''],
    [12, 13, ''],
  ]);
});

test('folding keeps working while a line is broken', () => {
  const { service } = strictService();
  const ranges = service.foldingRanges(doc('data:\n  dataset: [mnist\n  path: x\nstudent:\n  model: tiny\n'));
  assert.ok(ranges.some((r) => r.startLine === 3 && r.endLine === 4));
});
