/**
 * Every shipped experiment passes the checks (examples, paper-scale recipes: New Experiment's templates), and every
 * method of the catalog has a small example and a paper-scale recipe that use it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { methods } from '../../src/engine/methods/catalog';

const root = path.resolve(__dirname, '../..');
const folders = ['examples', 'examples/paper'];
const files = folders.flatMap((d) =>
  fs
    .readdirSync(path.join(root, d))
    .filter((f) => f.endsWith('.gacd'))
    .map((f) => path.join(root, d, f)),
);

test('every example, recipe and template loads without an error or a warning', () => {
  assert.ok(files.length >= 20, `${files.length} files`);
  for (const file of files) {
    const r = loadExperiment(file, { workspaceRoot: root });
    // The paper recipes' CIFAR-10 may not be downloaded here: that warning depends on the machine.
    const loud = r.problems.filter((p) => (p.severity === 'error' || p.severity === 'warning') && p.code !== 'dataset-not-found');
    assert.deepEqual(loud.map((p) => `${p.line}: ${p.message}`), [], path.relative(root, file));
    assert.ok(r.spec, path.relative(root, file));
  }
});

test('each method has a small example on the bundled data and a paper-scale recipe on CIFAR-10', () => {
  for (const m of methods) {
    const small = path.join(root, 'examples', `${m.name}.gacd`);
    const paper = path.join(root, 'examples', 'paper', `${m.name}.gacd`);
    for (const file of [small, paper]) assert.ok(fs.existsSync(file), `${path.relative(root, file)} exists`);
    const s = loadExperiment(small, { workspaceRoot: root }).spec!;
    assert.equal(s.method.name, m.name);
    assert.equal(s.data.dataset, 'fashion-mnist-mini');
    const p = loadExperiment(paper, { workspaceRoot: root }).spec!;
    assert.equal(p.method.name, m.name);
    assert.equal(p.data.dataset, 'cifar10');
  }
});
