/**
 * Runs you can tell apart: meta.json (label, tags, note) read and written without losing a byte
 * of a malformed file, the explorer's rows named by label and described by the settings that
 * differ from their siblings', and the model cards' weight hashes the comparison merges rows by.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTags } from '../../src/protocol/runMeta';
import { readRunMeta, runMetaPath, updateRunMeta } from '../../src/extension/runs/runMeta';
import { readWeightHashes } from '../../src/extension/runs/modelCards';
import { summarize } from '../../src/extension/runs/summary';
import { buildTree, type RunNode } from '../../src/extension/runs/treeModel';
import { fixtureRun, fixtureSpec } from '../webview/fixtures';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-labels-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function runDir(name: string): string {
  const dir = path.join(work, '.gacd-runs', 'exp', name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

test('meta.json: missing is empty; an update keeps the other fields and unknown keys; empty removes', () => {
  const dir = runDir('20261130-000001-aaaa');
  assert.deepEqual(readRunMeta(dir), { meta: { tags: [] } });
  updateRunMeta(dir, { label: '  GACD, lr 0.1 ' });
  updateRunMeta(dir, { tags: parseTags('#paper, ablation  paper') });
  fs.writeFileSync(runMetaPath(dir), JSON.stringify({ ...JSON.parse(fs.readFileSync(runMetaPath(dir), 'utf8')), starred: true }));
  updateRunMeta(dir, { note: 'teacher from the 100-epoch run' });
  assert.deepEqual(readRunMeta(dir).meta, { label: 'GACD, lr 0.1', tags: ['paper', 'ablation'], note: 'teacher from the 100-epoch run', starred: true });
  updateRunMeta(dir, { label: '' });
  assert.equal(readRunMeta(dir).meta.label, undefined, 'an empty label gives the run id back');
  assert.deepEqual(fs.readdirSync(dir), ['meta.json'], 'no temporary file is left behind');
  assert.throws(() => updateRunMeta(dir, { label: 'x'.repeat(121) }), /not saved to .*meta\.json: label: /);
});

test('a malformed meta.json gives a clear error naming the file, and is never overwritten', () => {
  const dir = runDir('20261130-000002-bbbb');
  const broken = '{ "label": "my run", tags: [ }';
  fs.writeFileSync(runMetaPath(dir), broken);
  const r = readRunMeta(dir);
  assert.match(r.error!, /meta\.json is not a valid run label file: not valid JSON \(.+\)\. Fix it or delete it/);
  assert.ok(r.error!.includes(dir), 'the error names the file');
  assert.deepEqual(r.meta, { tags: [] });
  assert.throws(() => updateRunMeta(dir, { label: 'new' }), /not a valid run label file/);
  assert.equal(fs.readFileSync(runMetaPath(dir), 'utf8'), broken, 'what the person wrote is still there');

  fs.writeFileSync(runMetaPath(dir), JSON.stringify({ label: 3, tags: 'a' }));
  assert.match(readRunMeta(dir).error!, /label: .*expected string, received number; tags: .*expected array, received string/);
});

test('tags typed in one line: spaces or commas, # dropped, duplicates once', () => {
  assert.deepEqual(parseTags(' #a, b  c,,a #'), ['a', 'b', 'c']);
  assert.deepEqual(parseTags(''), []);
});

/** A finished fixture run of experiment `exp` with the given seed, lr and method. */
function summary(name: string, o: { seed?: number; lr?: number; method?: string } = {}) {
  const { events } = fixtureRun({ runId: name, experiment: 'exp', seed: o.seed ?? 0, lr: o.lr ?? 0.05 });
  const spec = fixtureSpec({ epochs: 3, lr: o.lr ?? 0.05, seed: o.seed ?? 0 });
  if (o.method) spec.method = { ...spec.method, name: o.method };
  const withSpec = events.map((e) => (e.type === 'run-start' ? { ...e, runId: name, experiment: 'exp', spec } : e));
  return summarize(`/w/.gacd-runs/exp/${name}`, withSpec, { live: false });
}

test('explorer rows: the label names the row; the settings that differ from the siblings describe it', () => {
  const a = summary('20261130-000001-aaaa', { seed: 0, method: 'ard' });
  const b = { ...summary('20261130-000002-bbbb', { seed: 1 }), meta: { label: 'GACD seed 1', tags: ['paper'], note: 'the one in Table 2' } };
  const c = summary('20261130-000003-cccc', { seed: 1 });
  const rows = buildTree([a, b, c])[0].runs as RunNode[];
  const byDir = (s: { runDir: string }) => rows.find((r) => r.runDir === s.runDir)!;
  assert.equal(byDir(a).label, '20261130-000001-aaaa');
  assert.equal(byDir(b).label, 'GACD seed 1');
  assert.match(byDir(a).description, /^seed=0 · method\.name=ard · clean /);
  assert.match(byDir(b).description, /^seed=1 · method\.name=gacd · #paper · clean /);
  assert.doesNotMatch(byDir(b).description, / · gacd · /, 'the method is not said twice');
  const tip = byDir(b).tooltip;
  assert.match(tip, /^GACD seed 1 \(exp · 20261130-000002-bbbb\)$/m);
  assert.match(tip, /^tags: #paper$/m);
  assert.match(tip, /^note: the one in Table 2$/m);
  assert.match(tip, /^differs from the other runs of exp: seed=1, method\.name=gacd$/m);

  // Runs that differ in nothing say nothing of settings; a lone run neither.
  const same = buildTree([summary('20261130-000004-dddd'), summary('20261130-000005-eeee')])[0].runs as RunNode[];
  for (const r of same) assert.match(r.description, /^gacd · clean 80\.0%/);
  const lone = buildTree([{ ...a, metaError: '/x/meta.json is not a valid run label file: …' }])[0].runs[0] as RunNode;
  assert.match(lone.description, /^gacd · clean/, 'the method the engine trained (stage-start)');
  assert.match(lone.tooltip, /^meta\.json: \/x\/meta\.json is not a valid run label file/m);
});

test("the model cards' weight hashes, by model; a torn card is left out", () => {
  const dir = runDir('20261130-000006-ffff');
  fs.mkdirSync(path.join(dir, 'evaluation'));
  fs.writeFileSync(path.join(dir, 'evaluation', 'teacher.card.json'), JSON.stringify({ model: 'teacher', weightsSha256: 'ab12' }));
  fs.writeFileSync(path.join(dir, 'evaluation', 'teacher-natural.card.json'), JSON.stringify({ model: 'teacher:natural', weightsSha256: 'cd34' }));
  fs.writeFileSync(path.join(dir, 'evaluation', 'student.card.json'), '{"model": "stu');
  fs.writeFileSync(path.join(dir, 'evaluation', 'student.json'), JSON.stringify({ model: 'student' }));
  assert.deepEqual(readWeightHashes(dir), { teacher: 'ab12', 'teacher:natural': 'cd34' });
  assert.deepEqual(readWeightHashes(path.join(work, 'nowhere')), {});
});
