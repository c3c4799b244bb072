/**
 * The comparison's pure parts added for telling runs apart: labels in place of run ids, a model
 * that several runs share (same weights, same figures) shown once, each column's best contender
 * chosen without the teachers, only the settings that apply as columns, and bold in exports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestContenders, comparedCheckpointEvaluations, comparisonTable, foldRuns, isBest, runNames, sharedName, tableCells } from '../../webview/comparison/model';
import { toLatex, toMarkdown } from '../../webview/comparison/export';
import { differingSettings, flattenSpec, settingPairs, settingValue } from '../../src/protocol/specSettings';
import { checkpointEvaluationFixture, fixtureRun } from './fixtures';
import { withTeacher } from './teacherFixture';

test('differing settings: a missing spec takes no part; a method\'s own settings only among runs that have them', () => {
  const crd = { name: 'x', seed: 0, method: { name: 'crd', gamma: 1, beta: 0.8 }, training: { lr: 0.1 } };
  const trades = { name: 'y', seed: 0, method: { name: 'trades', beta: 6 }, training: { lr: 0.1 } };
  const crd2 = { name: 'z', seed: 1, method: { name: 'crd', gamma: 1, beta: 0.8 }, training: { lr: 0.1 } };
  // beta is compared (two methods have it and disagree); gamma is CRD's own and the same in both CRD runs.
  assert.deepEqual(differingSettings([crd, trades, crd2]), ['seed', 'method.name', 'method.beta']);
  assert.deepEqual(differingSettings([crd, crd2, null]), ['seed'], 'a run without a spec yet makes no column of every key');
  assert.deepEqual(differingSettings([crd, { ...crd, name: 'other' }]), [], 'the experiment name is no setting');
  // Outside the method block a key that one run lacks still differs (a baseline added, a teacher removed).
  assert.deepEqual(differingSettings([{ a: 1, b: { c: 2 } }, { a: 1 }]), ['b.c']);
  // A block null in one spec and filled in another is one setting; a key a spec lacks is null there.
  const natural = { model: 'small-cnn', checkpoint: '/ckpt/natural', train: null };
  const withNatural = { teachers: { adversarial: null, natural }, data: { validation_size: null } };
  const without = { teachers: { adversarial: null, natural: null }, data: {} };
  assert.deepEqual(differingSettings([withNatural, without]), ['teachers.natural']);
  // With two filled in that differ in a leaf, that leaf is a column too.
  const otherNatural = { ...withNatural, teachers: { adversarial: null, natural: { ...natural, checkpoint: '/ckpt/other' } } };
  assert.deepEqual(differingSettings([withNatural, without, otherNatural]), ['teachers.natural', 'teachers.natural.checkpoint']);
  assert.deepEqual(settingPairs(withNatural, ['teachers.natural'], 20), ['teachers.natural={"model":"small-cnn…']);
  assert.deepEqual(settingPairs(without, ['teachers.natural']), ['teachers.natural=null']);
  // The resolved spec's `teacher` repeats `teachers.adversarial`: only the latter is a column.
  const t1 = { teacher: { checkpoint: 'a' }, teachers: { adversarial: { checkpoint: 'a' } } };
  const t2 = { teacher: { checkpoint: 'b' }, teachers: { adversarial: { checkpoint: 'b' } } };
  assert.deepEqual(differingSettings([t1, t2]), ['teachers.adversarial.checkpoint']);
  assert.deepEqual(settingPairs(crd, ['method.name', 'seed', 'training.epochs']), ['method.name=crd', 'seed=0']);
  assert.deepEqual(settingPairs({ evaluation: { attacks: ['clean', 'fgsm', 'pgd-20'] } }, ['evaluation.attacks'], 12), ['evaluation.attacks=["clean","f…']);
  assert.deepEqual(flattenSpec({ a: { b: null } }), { 'a.b': 'null' });
  assert.equal(settingValue({ a: { b: [1, 2] } }, 'a.b'), '[1,2]');
  assert.equal(settingValue({ a: { b: 1 } }, 'a.c'), undefined);
});

test('runs are named by their labels; a label two runs share is told apart by the run ids', () => {
  const runs = foldRuns([
    fixtureRun({ runId: 'r1' }),
    { ...fixtureRun({ runId: 'r2' }), run: { ...fixtureRun({ runId: 'r2' }).run, label: 'baseline' } },
    { ...fixtureRun({ runId: 'r3' }), run: { ...fixtureRun({ runId: 'r3' }).run, label: 'baseline' } },
    { ...fixtureRun({ runId: 'r4' }), run: { ...fixtureRun({ runId: 'r4' }).run, label: 'ARD, lr 0.1' } },
  ]);
  assert.deepEqual(runNames(runs), ['r1', 'baseline (r2)', 'baseline (r3)', 'ARD, lr 0.1']);
  assert.equal(sharedName(['a']), 'a');
  assert.equal(sharedName(['a', 'b', 'c']), '3 runs: a, b, c');
});

test('a teacher with the same weights and figures in three runs is one row that says so', () => {
  const weights = (student: string) => ({ teacher: 'cb8c'.padEnd(64, '0'), student, 'baseline:natural': `${student}-nat` });
  const runs = foldRuns([
    { ...withTeacher(fixtureRun({ runId: 'a', skill: 0, lr: 0.05 }), 0.9), weights: weights('s1') },
    { ...withTeacher(fixtureRun({ runId: 'b', skill: 0.05, lr: 0.1 }), 0.9), weights: weights('s2') },
    { ...withTeacher(fixtureRun({ runId: 'c', skill: 0.02, lr: 0.2 }), 0.9), weights: weights('s3') },
  ]);
  runs[1].run = { ...runs[1].run, label: 'lr 0.1' };
  const t = comparisonTable(runs);
  const teachers = t.rows.filter((r) => r.model === 'teacher');
  assert.equal(teachers.length, 1);
  assert.deepEqual(teachers[0].runs, ['a', 'lr 0.1', 'c']);
  assert.equal(teachers[0].run, '3 runs: a, lr 0.1, c');
  assert.deepEqual(t.settings, ['training.lr']);
  assert.deepEqual(teachers[0].settings, [''], 'the runs that share it disagree on lr: no single value');
  assert.equal(t.rows.length, 7, 'three students, three baselines, one teacher');
  assert.equal(tableCells(t).find((r) => r[1] === 'student' && r[0] === 'lr 0.1')![2], '0.1');

  // Other weights, or the same weights evaluated to other figures, are rows of their own.
  const other = foldRuns([
    { ...withTeacher(fixtureRun({ runId: 'a' }), 0.9), weights: weights('s1') },
    { ...withTeacher(fixtureRun({ runId: 'b' }), 0.91), weights: weights('s2') },
    { ...withTeacher(fixtureRun({ runId: 'c' }), 0.9), weights: { teacher: 'ffff' } },
    withTeacher(fixtureRun({ runId: 'd' }), 0.9),
  ]);
  assert.equal(comparisonTable(other).rows.filter((r) => r.model === 'teacher').length, 4);
});

test('the best of each column is the best contender, never the teacher; ties are all best', () => {
  const runs = foldRuns([withTeacher(fixtureRun({ runId: 'a', skill: 0 }), 0.99), withTeacher(fixtureRun({ runId: 'b', skill: 0.05 }), 0.99)]);
  const t = comparisonTable(runs);
  assert.deepEqual(t.attacks, ['clean', 'fgsm', 'pgd-20', 'cw-20']);
  // The teachers (0.99 clean, 0.6 pgd-20) beat every student; the best is b's student (0.85, 0.5).
  const clean = t.rows.findIndex((r) => r.model === 'student' && r.run === 'b');
  assert.ok(Math.abs(t.best[0]! - 0.85) < 1e-12);
  assert.equal(isBest(t, clean, 0), true);
  assert.equal(isBest(t, t.rows.findIndex((r) => r.model === 'teacher'), 0), false);
  assert.deepEqual(
    t.rows.map((_, i) => isBest(t, i, 2)),
    t.rows.map((r) => r.model === 'student' && r.run === 'b'),
  );
  const rows = [
    { run: 'x', runs: ['x'], model: 'student', settings: [], accuracies: [0.5, null] },
    { run: 'y', runs: ['y'], model: 'baseline:natural', settings: [], accuracies: [0.5, 0.2] },
    { run: 'z', runs: ['z'], model: 'teacher:natural', settings: [], accuracies: [0.9, 0.9] },
  ];
  assert.deepEqual(bestContenders(rows, 2), [0.5, null], 'a tie is best; one contender alone is no contest');
});

test('exports carry the labels and set each column\'s best in bold', () => {
  const runs = foldRuns([fixtureRun({ runId: 'a', skill: 0 }), fixtureRun({ runId: 'b', skill: 0.05, lr: 0.2 })]);
  runs[0].run = { ...runs[0].run, label: 'GACD | lr 0.05' };
  const t = comparisonTable(runs);
  const cells = tableCells(t);
  const first = 2 + t.settings.length;
  const bold = (r: number, c: number) => c >= first && isBest(t, r, c - first);
  const md = toMarkdown(t.columns, cells, (i) => i >= first, bold);
  assert.match(md, /^\| GACD \\\| lr 0\.05 \| student \| 0\.05 \| 80\.0 \|/m);
  assert.match(md, /^\| b \| student \| 0\.2 \| \*\*85\.0\*\* \| \*\*67\.5\*\* \| \*\*50\.0\*\* \| \*\*48\.0\*\* \|$/m);
  assert.doesNotMatch(md.split('\n')[0], /\*\*/, 'the header is not bold');
  const tex = toLatex(t.columns, cells, (i) => i >= first, undefined, bold);
  assert.match(tex, /b & student & 0\.2 & \\textbf\{85\.0\} &/);
  assert.match(tex, /GACD \| lr 0\.05 & student/);
});

test("each run's evaluated checkpoints reach the comparison as one table named by run, a column per attack any ran", () => {
  const record = (checkpoint: string, accuracies: Record<string, number>) =>
    checkpointEvaluationFixture({ checkpoint, accuracies, epoch: 2, step: 3, method: 'pgd-at', examples: 50 });

  const a = fixtureRun({ runId: 'a' });
  const runs = foldRuns([
    { ...a, run: { ...a.run, label: 'first' }, checkpointEvaluations: [record('student-e2-s3', { clean: 0.8, fgsm: 0.4 })] },
    fixtureRun({ runId: 'b' }),
    { ...fixtureRun({ runId: 'c' }), checkpointEvaluations: [record('student-e1-s0', { clean: 0.7, 'pgd-5': 0.2 }), record('student-best', { fgsm: 0.5 })] },
  ]);
  assert.equal(runs[0].model.checkpointEvaluations.length, 1, 'foldRuns keeps the records in the run model');
  assert.equal(runs[1].model.checkpointEvaluations.length, 0, 'a run without records has none');
  const t = comparedCheckpointEvaluations(runs);
  assert.deepEqual(t.attacks, ['clean', 'fgsm', 'pgd-5']);
  assert.deepEqual(
    t.rows.map((r) => [r.run, r.checkpoint, r.step, r.accuracies]),
    [
      ['first', 'student-e2-s3', 3, [0.8, 0.4, null]],
      ['c', 'student-e1-s0', 3, [0.7, null, 0.2]],
      ['c', 'student-best', 3, [null, 0.5, null]],
    ],
  );
  assert.deepEqual(comparedCheckpointEvaluations(foldRuns([fixtureRun({ runId: 'x' })])).rows, []);
});
