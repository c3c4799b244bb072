/**
 * What the extension shows of a run's progress and log: the explorer row and the summary take the
 * whole run's figure (run-progress) over the training step's, so an evaluation shows as such; the
 * engine log's lines are the CLI's, with the loss split into its terms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineEvent } from '../../src/protocol/events';
import { eventLine, evaluationRowLine, runProgressPhrase, runProgressText } from '../../src/protocol/eventText';
import { summarize } from '../../src/extension/runs/summary';
import { buildTree, type RunNode } from '../../src/extension/runs/treeModel';
import { fixtureRun } from '../webview/fixtures';
import { applyEvents, emptyModel } from '../../webview/dashboard/model';

const dir = '/w/.gacd-runs/fixture/20261125-110000-b';

test('a running row shows the whole run\'s percentage, ETA and phase, not the last epoch\'s 100%', () => {
  const events = fixtureRun({ runId: '20261125-110000-b', finished: false }).events.slice(0, 30);
  const last = events.at(-1)!.seq;
  const during: EngineEvent[] = [
    ...events,
    { seq: last + 1, time: 't', type: 'run-progress', fraction: 0.6234, etaSeconds: 83, phase: 'evaluation', model: 'teacher', detail: 'pgd-20 500/1000 (row 3/4)' },
  ];
  const s = summarize(dir, during, { live: true });
  assert.deepEqual(s.overall, { fraction: 0.6234, etaSeconds: 83, phase: 'evaluation', model: 'teacher', detail: 'pgd-20 500/1000 (row 3/4)' });
  const row = (buildTree([s], [])[0].runs as RunNode[])[0];
  assert.match(row.description, /62% · ETA 1m23s · evaluating teacher · pgd-20 500\/1000 \(row 3\/4\)$/);
  // A resumed run starts its figure anew.
  const resumed = summarize(dir, [...during, { ...events[0], seq: last + 2 }], { live: true });
  assert.equal(resumed.overall, undefined);
});

test('the progress phrase and figure: no ETA before one was measured, training and evaluation named', () => {
  assert.equal(runProgressText(0.05, undefined), '5%');
  assert.equal(runProgressText(0.999, 0.4), '99% · ETA 0s');
  assert.equal(runProgressPhrase({ phase: 'training', model: 'student', detail: 'epoch 2, step 3/47' }), 'training student · epoch 2, step 3/47');
  assert.equal(runProgressPhrase({ phase: 'setup', model: '', detail: 'starting' }), 'starting');
});

test('the engine log\'s lines: each epoch with its loss terms and lr, each finished evaluation row, the results', () => {
  const epoch: EngineEvent = {
    seq: 5, time: 't', type: 'epoch', model: 'student', epoch: 4, epochs: 4, lr: 1.5e-9, loss: 4.7171,
    lossTerms: { ce: 1.122, contrastive: 3.595 }, trainAccuracy: 0.546, testAccuracy: 0.737, robustAccuracy: 0.566, durationMs: 10150,
  };
  assert.equal(eventLine(epoch), 'student epoch 4/4  loss 4.7171 (ce 1.122, contrastive 3.595)  train 54.6%  test 73.7%  pgd-10 56.6%  lr 1.5e-9  10s');
  const block = { seq: 6, time: 't', type: 'evaluation-progress' as const, model: 'student', attack: 'pgd-20', done: 500, total: 1000, row: 2, rows: 4 };
  assert.equal(evaluationRowLine(block), null);
  assert.equal(evaluationRowLine({ ...block, done: 1000 }), '  evaluating student: pgd-20 done (row 3 of 4)');
  const evaluated = fixtureRun().events.find((e) => e.type === 'evaluation')!;
  assert.match(eventLine(evaluated)!, /^evaluated \S+: clean \d+\.\d%, /);
  // Steps and the progress figure are for progress displays, not for a log.
  assert.equal(eventLine({ seq: 7, time: 't', type: 'run-progress', fraction: 0.5, phase: 'training', model: 'student', detail: '' }), null);
});

test('the dashboard\'s model keeps the last run-progress for its header, and forgets it on a resume', () => {
  const m = emptyModel();
  const events = fixtureRun({ finished: false }).events.slice(0, 10);
  const progress: EngineEvent = { seq: 50, time: 't', type: 'run-progress', fraction: 0.4, etaSeconds: 12, phase: 'evaluation', model: 'student', detail: 'fgsm 250/1000 (row 2/4)' };
  const changes = applyEvents(m, [...events, progress]);
  assert.equal(changes.header, true);
  assert.deepEqual(m.overall, { fraction: 0.4, etaSeconds: 12, phase: 'evaluation', model: 'student', detail: 'fgsm 250/1000 (row 2/4)' });
  applyEvents(m, [{ ...events[0], seq: 51 }]);
  assert.equal(m.overall, null);
});
