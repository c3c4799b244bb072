/** The panels' pure parts: the event reducer, smoothing, the robustness table, differing settings, exports. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvents, emptyModel, formatDuration, robustnessTable, smooth } from '../../webview/dashboard/model';
import { aggregateCells, comparisonTable, differingSettings, flattenSpec, foldRuns, seedAggregate, tableCells } from '../../webview/comparison/model';
import { latexEscape, toCsv, toLatex, toMarkdown } from '../../webview/comparison/export';
import { fixtureRun, progressStream } from './fixtures';

test('the reducer folds a whole run into series, tables and the header', () => {
  const { run, events } = fixtureRun({ epochs: 3, stepsPerEpoch: 8 });
  const m = emptyModel(run);
  const ch = applyEvents(m, events);
  assert.equal(m.status, 'finished');
  assert.deepEqual(m.backend, { name: 'wasm', detail: 'wasm (SIMD, 1 thread) with GACD kernels' });
  assert.deepEqual([...m.stepLoss.keys()], ['student', 'baseline:natural']);
  assert.deepEqual(m.stepLoss.get('student')!.map((p) => p.x), Array.from({ length: 24 }, (_, i) => i + 1));
  assert.equal(m.epochs.get('student')!.length, 3);
  assert.equal(m.similarity.get('student')!.length, 3);
  assert.equal(m.weights.get('student')!.at(-1)!.samples.length, 200);
  assert.deepEqual([...m.results.keys()], ['student', 'baseline:natural']);
  assert.equal(m.stages.get('teacher')!.loadedFrom, '/ckpt/teacher');
  assert.equal(m.checkpoints.length, 6);
  assert.equal(m.warnings.length, 1);
  assert.ok(ch.header && ch.epochs && ch.similarity && ch.weights && ch.results && ch.messages);
  assert.deepEqual([...ch.stepLoss], ['student', 'baseline:natural']);
});

test('the reducer skips replayed events and replaces steps a resume repeats', () => {
  const { run, events } = fixtureRun({ finished: false });
  const m = emptyModel(run);
  applyEvents(m, events.slice(0, 20));
  const before = m.stepLoss.get('student')!.length;
  const replay = applyEvents(m, events.slice(10, 20));
  assert.equal(m.stepLoss.get('student')!.length, before);
  assert.equal(replay.stepLoss.size, 0);
  // A resume: a new run-start, then steps from epoch 1 step 3 again.
  const seq = m.lastSeq + 1;
  const restart = { ...events[0], seq, resumed: true };
  const again = progressStream(2, seq + 1, 'student', 8).map((e, i) => ({ ...e, step: 3 + i }));
  applyEvents(m, [restart, ...again]);
  assert.deepEqual(m.stepLoss.get('student')!.map((p) => p.x), [1, 2, 3, 4]);
  assert.equal(m.rewinds.get('student'), 1);
  assert.equal(m.resumed, true);
  assert.equal(m.status, 'running');
});

test('an epoch logged twice (resumed) replaces the first row', () => {
  const { run, events } = fixtureRun({ epochs: 2 });
  const m = emptyModel(run);
  applyEvents(m, events);
  const epochEvent = events.find((e) => e.type === 'epoch' && e.model === 'student' && e.epoch === 1)!;
  applyEvents(m, [{ ...epochEvent, seq: 10_000, loss: 9 } as typeof epochEvent]);
  const rows = m.epochs.get('student')!;
  assert.deepEqual(rows.map((r) => [r.epoch, r.loss]), [[1, 9], [2, rows[1].loss]]);
});

test('smoothing: weight 0 is the raw series; incremental equals from scratch; debiased start', () => {
  const pts = Array.from({ length: 50 }, (_, i) => ({ x: i, y: Math.sin(i) + 2 }));
  assert.deepEqual(smooth(pts, 0), pts);
  const full = smooth(pts, 0.8);
  const out = smooth(pts.slice(0, 20), 0.8);
  smooth(pts, 0.8, 20, out);
  assert.equal(out.length, 50);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(out[i].y - full[i].y) < 1e-9);
  assert.ok(Math.abs(full[0].y - pts[0].y) < 1e-12, 'the first point is not pulled towards zero');
});

test('robustness table: attacks in first-seen order, a missing cell is null', () => {
  const { events } = fixtureRun();
  const end = events.at(-1)!;
  assert.equal(end.type, 'run-end');
  const results = end.type === 'run-end' ? end.results! : [];
  const t = robustnessTable([...results, { ...results[0], model: 'extra', results: [{ attack: 'apgd-ce', epsilon: 0.1, accuracy: 0.3 }] }]);
  assert.deepEqual(t.attacks, ['clean', 'fgsm', 'pgd-20', 'cw-20', 'apgd-ce']);
  assert.deepEqual(t.rows[2].accuracies, [null, null, null, null, 0.3]);
  assert.equal(t.rows[0].worstClass, 'shirt 22.5%');
  assert.equal(formatDuration(3909), '1:05:09');
  assert.equal(formatDuration(7.4), '0:07');
});

test('comparison: only the settings that differ, one row per evaluated model', () => {
  assert.deepEqual(flattenSpec({ a: { b: 1, c: [1, 2] }, d: 'x', e: null }), { 'a.b': '1', 'a.c': '[1,2]', d: 'x', e: 'null' });
  assert.deepEqual(differingSettings([{ name: 'a', seed: 0, t: { lr: 1 } }, { name: 'b', seed: 0, t: { lr: 2 }, extra: true }]), ['t.lr', 'extra']);
  const runs = foldRuns([fixtureRun({ runId: 'a', lr: 0.05 }), fixtureRun({ runId: 'b', lr: 0.1, skill: 0.1 })]);
  const t = comparisonTable(runs);
  assert.deepEqual(t.columns, ['run', 'model', 'training.lr', 'clean', 'fgsm', 'pgd-20', 'cw-20']);
  assert.deepEqual(tableCells(t)[2], ['b', 'student', '0.1', '90.0', '72.5', '55.0', '53.0']);
});

test('exports: CSV quoting, Markdown alignment and pipes, LaTeX escaping', () => {
  assert.equal(toCsv(['a', 'b'], [['1,5', 'say "hi"']]), 'a,b\r\n"1,5","say ""hi"""\r\n');
  assert.equal(toMarkdown(['run', 'acc'], [['a|b', '1.0']], (i) => i === 1), '| run | acc |\n| --- | ---: |\n| a\\|b | 1.0 |\n');
  assert.equal(latexEscape('baseline:natural_1 & 50% #2'), 'baseline:natural\\_1 \\& 50\\% \\#2');
  const tex = toLatex(['run', 'pgd-20'], [['r_1', '45.0']], (i) => i === 1);
  assert.match(tex, /\\begin\{tabular\}\{lr\}/);
  assert.match(tex, /r\\_1 & 45\.0 \\\\/);
  assert.match(tex, /\\toprule[\s\S]*\\midrule[\s\S]*\\bottomrule/);
});

test('runs that differ only by seed aggregate to mean ± sample std per configuration and model', () => {
  const t = {
    columns: [],
    settings: ['seed', 'method.name'],
    attacks: ['clean', 'pgd-20'],
    rows: [
      { run: 'a', model: 'student', settings: ['0', 'gacd'], accuracies: [0.7, 0.5] },
      { run: 'b', model: 'student', settings: ['1', 'gacd'], accuracies: [0.8, 0.6] },
      { run: 'c', model: 'student', settings: ['2', 'gacd'], accuracies: [0.9, null] },
      { run: 'd', model: 'student', settings: ['0', 'ard'], accuracies: [0.6, 0.4] },
    ],
  };
  const a = seedAggregate(t)!;
  assert.deepEqual(a.settings, ['method.name']);
  const gacd = a.rows.find((r) => r.settings[0] === 'gacd')!;
  assert.equal(gacd.n, 3);
  assert.ok(Math.abs(gacd.mean[0]! - 0.8) < 1e-12);
  assert.ok(Math.abs(gacd.std[0]! - 0.1) < 1e-12, 'sample std (n - 1)');
  assert.ok(Math.abs(gacd.mean[1]! - 0.55) < 1e-12, 'a missing figure is left out of its mean');
  const ard = a.rows.find((r) => r.settings[0] === 'ard')!;
  assert.equal(ard.std[0], null, 'one seed: no std');
  assert.deepEqual(aggregateCells(a)[0], ['student', 'gacd', '3', '80.0 ± 10.0', '55.0 ± 7.1']);
  // Without a seed column, or with one seed per configuration, nothing to aggregate.
  assert.equal(seedAggregate({ ...t, settings: ['lr', 'method.name'] }), null);
  assert.equal(seedAggregate({ ...t, rows: [t.rows[0], t.rows[3]] }), null);
});
