/**
 * The dashboard's view model for issue 14: one colour per model, the learning rate per step, the
 * loss split into its terms, empty charts' notes, the failed run's banner, Resume's gating, the
 * weights cards' condition, the evaluated checkpoints' table, and numbers in their axes' units.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyEvents,
  canResume,
  checkpointEvaluationTable,
  emptyChartNote,
  emptyModel,
  failureBanner,
  hasWeights,
  lossTermSeries,
  lrSeries,
  modelColourIndex,
  setCheckpointEvaluations,
  type ChartName,
} from '../../webview/dashboard/model';
import { epsilonText, formatValue, percent, rounded, tickText, tooltipLine } from '../../webview/shared/units';
import type { CheckpointEvaluation } from '../../src/protocol/checkpointEvaluation';
import type { EngineEvent } from '../../src/protocol/events';
import { checkpointEvaluationFixture, fixtureRun } from './fixtures';

/** The fixture's events with each progress event carrying its step's learning rate, as the engine logs it now. */
function withStepLr(events: EngineEvent[]): EngineEvent[] {
  return events.map((e) => (e.type === 'progress' ? { ...e, lr: 0.1 / ((e.epoch - 1) * e.stepsPerEpoch + e.step) } : e));
}

function evaluationRecord(checkpoint: string, model: string, epoch: number, accuracies: Record<string, number>, evaluatedAt: string): CheckpointEvaluation {
  const flags = [{ code: 'zero-gradients', title: 'zero gradients', message: 'm', fix: 'f' }];
  return checkpointEvaluationFixture({ checkpoint, model, epoch, accuracies, evaluatedAt, epsilon: 8 / 255, flags });
}

test('each model keeps one palette slot from first sight on: the student first, the teacher purple, the others in order', () => {
  const { run, events } = fixtureRun();
  const m = emptyModel(run);
  applyEvents(m, events);
  assert.equal(modelColourIndex(m, 'student'), 0);
  assert.equal(modelColourIndex(m, 'teacher'), 3, 'the loaded teacher was seen in its stage-start');
  const natural = modelColourIndex(m, 'baseline:natural');
  assert.equal(natural, 1);
  // A model that appears later takes a free slot and moves nobody (the old code re-sorted baselines).
  const late: EngineEvent = { seq: 10_000, time: 't', type: 'stage-start', model: 'baseline:a-first-alphabetically', method: 'pgd-at', arch: 'tiny-cnn', epochs: 1, stepsPerEpoch: 1, params: 1 };
  applyEvents(m, [late]);
  assert.equal(modelColourIndex(m, 'baseline:a-first-alphabetically'), 2);
  assert.equal(modelColourIndex(m, 'baseline:natural'), natural);
  assert.equal(new Set(m.colours.values()).size, m.colours.size, 'no two models share a colour while the palette lasts');
  // The same events in a fresh model give the same slots (a reload draws the same colours).
  const again = emptyModel(run);
  applyEvents(again, [...events, late]);
  assert.deepEqual([...again.colours], [...m.colours]);
});

test('the learning rate per step from progress events, replaced where a resume repeats steps; per epoch from older logs', () => {
  const { run, events } = fixtureRun({ epochs: 3, stepsPerEpoch: 8 });
  const m = emptyModel(run);
  applyEvents(m, withStepLr(events));
  const s = lrSeries(m, 'student');
  assert.equal(s.perStep, true);
  assert.deepEqual(s.points.slice(0, 3), [{ x: 1, y: 0.1 }, { x: 2, y: 0.05 }, { x: 3, y: 0.1 / 3 }]);
  assert.equal(s.points.length, 24);
  // A resume from step 16 logs steps 17.. again with another rate: the old points go.
  const last = m.lastSeq;
  applyEvents(m, [{ seq: last + 1, time: 't', type: 'progress', model: 'student', epoch: 3, step: 1, stepsPerEpoch: 8, loss: 1, lr: 0.5, imagesPerSecond: 1, etaSeconds: 1 }]);
  const after = lrSeries(m, 'student').points;
  assert.equal(after.length, 17);
  assert.deepEqual(after.at(-1), { x: 17, y: 0.5 });
  // An older log (no lr in progress): one point per epoch at the step that ends it.
  const old = emptyModel(run);
  applyEvents(old, events);
  const perEpoch = lrSeries(old, 'student');
  assert.equal(perEpoch.perStep, false);
  assert.deepEqual(perEpoch.points.map((p) => p.x), [8, 16, 24]);
  assert.ok(Math.abs(perEpoch.points[2].y) < 1e-12, 'the cosine schedule ends at zero');
});

test('the loss split into its terms beside the total; a lone term equal to the total is not repeated', () => {
  const { run, events } = fixtureRun({ epochs: 3 });
  const m = emptyModel(run);
  applyEvents(m, events);
  const series = lossTermSeries(m);
  assert.deepEqual(series.map((s) => `${s.model} ${s.term}`), ['student total', 'student ce', 'student contrastive', 'student kd', 'baseline:natural total', 'baseline:natural ce']);
  assert.deepEqual(series[1].points.map((p) => Number(p.y.toFixed(3))), [1.1, 1, 0.9]);
  const plain = emptyModel(run);
  applyEvents(plain, [{ seq: 0, time: 't', type: 'epoch', model: 'student', epoch: 1, epochs: 1, lr: 0.1, loss: 2, lossTerms: { ce: 2 }, trainAccuracy: 0.5, testAccuracy: 0.5, durationMs: 1 }]);
  assert.deepEqual(lossTermSeries(plain).map((s) => s.term), ['total']);
});

test('a failed run shows its error first; one that died silently says so; Resume only with a checkpoint', () => {
  const { run, events } = fixtureRun({ finished: false });
  const firstCheckpoint = events.findIndex((e) => e.type === 'checkpoint');
  const end = (seq: number): EngineEvent[] => [
    { seq, time: 't', type: 'error', code: 'dataset-missing', message: 'fashion-mnist is not in /data (looked in /data/fashion-mnist)', fix: 'set data.path' },
    { seq: seq + 1, time: 't', type: 'run-end', status: 'failed', durationMs: 5000 },
  ];
  const early = emptyModel(run);
  applyEvents(early, [...events.slice(0, firstCheckpoint), ...end(firstCheckpoint)]);
  assert.deepEqual(failureBanner(early), { title: 'The run failed', message: 'fashion-mnist is not in /data (looked in /data/fashion-mnist)', fix: 'set data.path', code: 'dataset-missing' });
  assert.equal(canResume(early), false, 'no checkpoint: no Resume');
  const later = emptyModel(run);
  applyEvents(later, [...events, ...end(events.length)]);
  assert.equal(canResume(later), true);
  const silent = emptyModel({ ...run, status: 'failed' });
  assert.match(failureBanner(silent)!.message, /exited without reporting an error/);
  const finished = emptyModel(run);
  applyEvents(finished, fixtureRun().events);
  assert.equal(failureBanner(finished), null);
  assert.equal(canResume(finished), false, 'a finished run is not resumed');
});

test('an empty chart says when it fills while the run goes on, and why it stays empty once it ended', () => {
  const charts: ChartName[] = ['loss', 'lossTerms', 'accuracy', 'lr', 'similarity', 'epsilon', 'checkpointEvaluations'];
  const { run, events } = fixtureRun();
  const waiting = emptyModel({ ...run, status: 'running' });
  const notes = charts.map((c) => emptyChartNote(waiting, c));
  assert.ok(notes.every((n) => typeof n === 'string' && n.length > 20), 'every chart has a note');
  assert.match(notes[0]!, /Fills as soon as a model trains/);
  assert.match(notes[5]!, /Fills at the end of the run/);
  const full = emptyModel(run);
  applyEvents(full, events);
  assert.deepEqual(charts.map((c) => emptyChartNote(full, c) === null), [true, true, true, true, true, true, false]);
  assert.match(emptyChartNote(full, 'checkpointEvaluations')!, /Evaluate Checkpoint/);
  // A baseline-only run that ended: no similarity, said as a fact rather than a promise.
  const ended = emptyModel({ ...run, status: 'finished' });
  applyEvents(ended, events.filter((e) => e.type !== 'similarity'));
  assert.match(emptyChartNote(ended, 'similarity')!, /^No teacher–student similarity/);
});

test('the weights cards only for a run with sample weights or adaptive loss weights', () => {
  const { run, events } = fixtureRun();
  const withWeights = emptyModel(run);
  applyEvents(withWeights, events);
  assert.equal(hasWeights(withWeights), true);
  const none = emptyModel(run);
  applyEvents(none, events.filter((e) => e.type !== 'sample-weights'));
  assert.equal(hasWeights(none), false);
  applyEvents(none, [{ seq: 100_000, time: 't', type: 'epoch', model: 'student', epoch: 9, epochs: 9, lr: 0, loss: 1, lossTerms: {}, adaptiveWeights: { adversarial: 0.6 }, trainAccuracy: 0, testAccuracy: 0, durationMs: 1 }]);
  assert.equal(hasWeights(none), true);
});

test('evaluated checkpoints become one table, a column per attack; setting them gives their models colours', () => {
  const m = emptyModel();
  const ch = setCheckpointEvaluations(m, [
    evaluationRecord('student-e1-s0', 'student', 1, { clean: 0.7, 'pgd-20': 0.3 }, '2026-11-30T09:00:00Z'),
    evaluationRecord('baseline-natural-best', 'baseline:natural', 3, { clean: 0.8, 'aa-style': 0.01 }, '2026-11-30T10:00:00Z'),
  ]);
  assert.equal(ch.checkpointEvaluations, true);
  const t = checkpointEvaluationTable(m.checkpointEvaluations);
  assert.deepEqual(t.attacks, ['clean', 'pgd-20', 'aa-style']);
  assert.deepEqual(t.rows.map((r) => [r.checkpoint, r.epoch, r.accuracies]), [
    ['student-e1-s0', 1, [0.7, 0.3, null]],
    ['baseline-natural-best', 3, [0.8, null, 0.01]],
  ]);
  assert.deepEqual(t.rows[0].flags, ['zero gradients']);
  assert.deepEqual([...m.colours.keys()], ['student', 'baseline:natural']);
});

test("numbers in their axes' units: accuracies in %, learning rates and losses rounded, epsilons with their 255ths", () => {
  assert.equal(percent(0.739), '73.9%');
  assert.equal(percent(null), '–');
  assert.equal(formatValue('percent', 0.739), '73.9%');
  assert.equal(tickText('percent', 0.5), '50%');
  assert.equal(rounded(0.15000000000000002), '0.15');
  assert.equal(rounded(0.000012345), '1.23e-5');
  assert.equal(formatValue('lr', 0.049999999), '0.05');
  assert.equal(formatValue('loss', 3.61234), '3.612');
  assert.equal(epsilonText(8 / 255), '0.0314 (8/255)');
  assert.equal(epsilonText(0.1), '0.1');
  assert.equal(formatValue('epoch', 3), 'epoch 3');
  assert.equal(tooltipLine('student test', 'percent', 0.739), 'student test: 73.9%');
});
