/**
 * New Experiment's templates are the examples: every example is offered, and what the command
 * writes into another folder loads without errors and resolves to the example's own spec (name
 * and folder aside), the shipped teacher checkpoint copied beside it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { instantiateTemplate, listTemplates, writeTemplate } from '../../src/extension/experimentTemplates';
import { loadExperiment } from '../../src/engine/experiment/load';

const ROOT = path.resolve(__dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');

test('every example is a template, the quickstart first, each with the first sentence of its comment', () => {
  const templates = listTemplates(EXAMPLES);
  const files = [
    ...fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.gacd')),
    ...fs.readdirSync(path.join(EXAMPLES, 'paper')).filter((f) => f.endsWith('.gacd')).map((f) => `paper/${f}`),
  ];
  assert.deepEqual(templates.map((t) => t.file).sort(), files.sort());
  assert.equal(templates[0].file, 'quickstart.gacd');
  assert.match(templates[0].detail, /^Quickstart: distil the robustness of a PGD-AT teacher/);
  assert.ok(templates.every((t) => t.detail.length > 0 && t.detail.length <= 121), 'one line each');
});

test('a template written elsewhere is its example: the same spec, its name from the file, the teacher copied beside it', () => {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-tpl-')));
  fs.mkdirSync(path.join(ws, '.git'));
  try {
    for (const t of listTemplates(EXAMPLES)) {
      const target = path.join(ws, 'exps', `my-${path.basename(t.file)}`);
      writeTemplate(EXAMPLES, t.file, target);
      const mine = loadExperiment(target, { workspaceRoot: ws });
      const errors = mine.problems.filter((p) => p.severity === 'error').map((p) => p.message);
      assert.deepEqual(errors, [], t.file);
      const example = loadExperiment(path.join(EXAMPLES, t.file), { workspaceRoot: ROOT });
      const name = `my-${path.basename(t.file, '.gacd')}`;
      assert.equal(mine.spec!.name, name);
      // Paths resolve from each file's own folder; the rest is the example's, setting for setting.
      const plain = (s: unknown) => JSON.parse(JSON.stringify(s).split(path.join(ws, 'exps')).join('<dir>').split(EXAMPLES).join('<dir>'));
      assert.deepEqual(plain({ ...mine.spec, name: '' }), plain({ ...example.spec, name: '' }), t.file);
    }
    assert.ok(fs.existsSync(path.join(ws, 'exps', 'checkpoints', 'teacher-fashion', 'tensors.bin')), 'the shipped teacher was copied');
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});

test('the opening comment names the new file; a checkpoint already beside the target is not copied again', () => {
  const ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-tpl-')));
  try {
    const target = path.join(ws, 'quick.gacd');
    const first = instantiateTemplate(EXAMPLES, 'quickstart.gacd', target);
    assert.match(first.text, /^# {3}npx gacd run quick\.gacd$/m);
    assert.match(first.text, /^name: quick$/m);
    assert.deepEqual(first.copies, [{ from: path.join(EXAMPLES, 'checkpoints', 'teacher-fashion'), to: path.join(ws, 'checkpoints', 'teacher-fashion') }]);
    fs.mkdirSync(path.join(ws, 'checkpoints', 'teacher-fashion'), { recursive: true });
    assert.deepEqual(instantiateTemplate(EXAMPLES, 'quickstart.gacd', target).copies, []);
    assert.deepEqual(instantiateTemplate(EXAMPLES, 'paper/gacd.gacd', target).copies, [], 'a paper recipe trains its teacher');
  } finally {
    fs.rmSync(ws, { recursive: true, force: true });
  }
});
