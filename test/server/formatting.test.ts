import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { applyEdits, doc, exampleFiles, strictService } from './helpers';

function format(text: string, tabSize = 2): string {
  const { service, errors } = strictService();
  const out = applyEdits(text, service.format(doc(text), { tabSize }));
  assert.deepEqual(errors, []);
  return out;
}

test('normalises indentation, spacing and blank lines, and keeps every comment', () => {
  const text = `# The experiment.
name:    x
data:
    dataset: mnist     # a trailing comment
    # about the path
    path: null



baselines:
-   method: ard
    label: a   
- method: natural
evaluation:
      attacks: [clean,
         pgd-20]   
      # the end of evaluation


`;
  assert.equal(
    format(text),
    `# The experiment.
name: x
data:
  dataset: mnist     # a trailing comment
  # about the path
  path: null

baselines:
- method: ard
  label: a
- method: natural
evaluation:
  attacks: [clean,
     pgd-20]
  # the end of evaluation
`,
  );
});

test('indents with the editor\'s tab size', () => {
  assert.equal(
    format('training:\n  attack:\n    steps: 3\nbaselines:\n  - method: ard\n    alpha: 0.5\n', 4),
    'training:\n    attack:\n        steps: 3\nbaselines:\n    - method: ard\n      alpha: 0.5\n',
  );
});

test('block scalars move with their key, their content untouched', () => {
  const text = 'name: x\nnotes:\n      text: |\n        line one\n          indented   \n\n        line three\n';
  assert.equal(format(text), 'name: x\nnotes:\n  text: |\n    line one\n      indented   \n\n    line three\n');
});

test('a document with a YAML error, or already formatted, is left alone', () => {
  const { service } = strictService();
  assert.deepEqual(service.format(doc('data:\n  dataset: [mnist\n  path: x\n')), []);
  for (const file of exampleFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const once = format(text);
    assert.equal(format(once), once, `formatting ${file} twice changes nothing more`);
    assert.equal((once.match(/#/g) ?? []).length, (text.match(/#/g) ?? []).length, `${file} keeps its comments`);
  }
});
