/**
 * The dashboard page for issue 14, in headless Chromium: a failed run's error first and no Resume
 * without a checkpoint, a note on each empty chart, the weights cards only with weights, one
 * colour per model across the charts, tooltips in the axes' units, the loss terms and the
 * learning rate per step, and the evaluated checkpoints' card, live.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cspViolations, openPanel, ROOT, startHarness, type Harness, type PanelPage } from './harness';
import { checkpointEvaluationFixture, fixtureRun } from './fixtures';
import type { CheckpointEvaluation } from '../../src/protocol/checkpointEvaluation';
import type { EngineEvent } from '../../src/protocol/events';

const SHOTS = path.join(ROOT, 'test-artifacts', 'webview');
let h: Harness;

before(async () => {
  h = await startHarness();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => h?.close());

type Summary = Record<string, Array<{ label: string; points: number; drawn: number; colour: string }>>;
const charts = (p: PanelPage) => p.page.evaluate('window.__gacd.charts()') as Promise<Summary>;

async function noViolations(p: PanelPage): Promise<void> {
  assert.deepEqual(await cspViolations(p), [], 'the page logs no CSP violation');
  assert.deepEqual(p.consoleErrors, [], 'the page logs no error');
}

function evaluationRecord(checkpoint: string, epoch: number, pgd: number, evaluatedAt: string): CheckpointEvaluation {
  return checkpointEvaluationFixture({ checkpoint, epoch, evaluatedAt, accuracies: { clean: 0.8, 'pgd-20': pgd, 'aa-style': pgd - 0.02 } });
}

test('dashboard: a failed run shows its error at the top, and no Resume without a checkpoint', async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun({ finished: false });
  const cut = events.findIndex((e) => e.type === 'stage-start' && e.model === 'student') + 1;
  const failure: EngineEvent[] = [
    { seq: cut, time: 't', type: 'error', code: 'dataset-missing', message: 'fashion-mnist is not on disk (looked in /data/fashion-mnist)', fix: 'set data.path to its folder' },
    { seq: cut + 1, time: 't', type: 'run-end', status: 'failed', durationMs: 5000 },
  ];
  await p.send({ type: 'dashboard/init', run: { ...run, status: 'failed' }, events: [...events.slice(0, cut), ...failure] });
  await p.rendered();
  const banner = p.page.locator('#error-banner');
  assert.equal(await banner.isVisible(), true);
  assert.match(await banner.innerText(), /The run failed \(dataset-missing\)\s+fashion-mnist is not on disk \(looked in \/data\/fashion-mnist\)\s+Fix: set data\.path to its folder/);
  // First under the header: above every card.
  const [bannerTop, firstCardTop] = (await p.page.evaluate(
    `[document.getElementById('error-banner').getBoundingClientRect().top, document.querySelector('main .card').getBoundingClientRect().top]`,
  )) as number[];
  assert.ok(bannerTop < firstCardTop, 'the error is above the charts');
  assert.equal(await p.page.locator('#resume').isVisible(), false, 'no checkpoint: Resume is not offered');
  await p.page.locator('#error-log').click();
  const posted = await p.posted();
  assert.deepEqual(posted.at(-1), { type: 'command', command: 'showLog', runDir: run.runDir });
  await p.page.screenshot({ path: path.join(SHOTS, 'dashboard-failed.png') });

  // A run that failed after its first checkpoint offers Resume; the banner stays.
  const later = await openPanel(h, 'dashboard');
  const withCheckpoint = events.slice(0, events.findIndex((e) => e.type === 'checkpoint') + 1);
  const n = withCheckpoint.length;
  await later.send({ type: 'dashboard/init', run: { ...run, status: 'failed' }, events: [...withCheckpoint, { ...failure[0], seq: n }, { ...failure[1], seq: n + 1 }] });
  await later.rendered();
  assert.equal(await later.page.locator('#resume').isVisible(), true);
  assert.equal(await later.page.locator('#error-banner').isVisible(), true);
  await noViolations(p);
  await noViolations(later);
  await p.page.close();
  await later.page.close();
});

test('dashboard: each empty chart says when it fills; the weights cards stay away from a run without weights', async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun({ finished: false });
  await p.send({ type: 'dashboard/init', run, events: events.slice(0, 2) });
  await p.rendered();
  for (const [id, text] of [
    ['loss', /Fills as soon as a model trains: one point per training step/],
    ['loss-terms', /Fills when the first epoch ends/],
    ['accuracy', /Fills when the first epoch ends/],
    ['lr', /the learning rate of each step/],
    ['similarity', /Fills after each epoch of a student that has a teacher/],
    ['epsilon', /Fills at the end of the run/],
  ] as const) {
    assert.equal(await p.page.locator(`#${id}-empty`).isVisible(), true, `${id} has a note`);
    assert.match(await p.page.locator(`#${id}-empty`).innerText(), text);
  }
  assert.match(await p.page.locator('#checkpoint-evaluations-empty').innerText(), /no checkpoint yet/);
  assert.equal(await p.page.locator('#weights-hist').isVisible(), false);
  assert.equal(await p.page.locator('#weights-scatter').isVisible(), false);
  assert.equal(await p.page.locator('#robustness').isVisible(), true, 'the robustness card stays, with its own line');
  // The student trains (no sample weights in this run): the loss note goes, the weights cards stay away.
  const noWeights = events.filter((e) => e.type !== 'sample-weights');
  const untilEpoch = noWeights.findIndex((e) => e.type === 'epoch') + 1;
  await p.send({ type: 'dashboard/append', events: noWeights.slice(2, untilEpoch) });
  await p.rendered(await p.renders());
  assert.equal(await p.page.locator('#loss-empty').isVisible(), false);
  assert.equal(await p.page.locator('#loss-terms-empty').isVisible(), false);
  assert.equal(await p.page.locator('#epsilon-empty').isVisible(), true);
  assert.equal(await p.page.locator('#weights-hist').isVisible(), false);
  // The run stops before its evaluation: the epsilon chart's note says why it stays empty.
  await p.send({ type: 'dashboard/status', status: 'stopped' });
  await p.page.waitForFunction(() => /No model was evaluated/.test((globalThis as any).document.getElementById('epsilon-empty').textContent ?? ''));
  await p.page.screenshot({ path: path.join(SHOTS, 'dashboard-empty-notes.png'), fullPage: true });
  await noViolations(p);
  await p.page.close();
});

test('dashboard: one colour per model in every chart, tooltips in the axes units, loss terms and the learning rate per step', async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun({ epochs: 3, stepsPerEpoch: 8 });
  const withLr = events.map((e) => (e.type === 'progress' ? { ...e, lr: 0.05 * (1 - ((e.epoch - 1) * e.stepsPerEpoch + e.step) / 24) } : e));
  await p.send({ type: 'dashboard/init', run, events: withLr });
  await p.rendered();
  const c = await charts(p);
  const colourOf = (chart: string, label: string) => c[chart].find((d) => d.label === label)?.colour;
  const student = colourOf('loss', 'student');
  const natural = colourOf('loss', 'baseline:natural');
  assert.ok(student && natural && student !== natural);
  for (const [chart, s, b] of [
    ['accuracy', 'student test', 'baseline:natural test'],
    ['lr', 'student', 'baseline:natural'],
    ['lossTerms', 'student total', 'baseline:natural total'],
    ['epsilon', 'student', 'baseline:natural'],
  ]) {
    assert.equal(colourOf(chart, s), student, `${chart}: the student's colour`);
    assert.equal(colourOf(chart, b), natural, `${chart}: the baseline's colour`);
  }
  assert.deepEqual(
    c.lossTerms.map((d) => d.label),
    ['student total', 'student ce', 'student contrastive', 'student kd', 'baseline:natural total', 'baseline:natural ce'],
  );
  assert.deepEqual(c.lr.map((d) => [d.label, d.points]), [['student', 24], ['baseline:natural', 24]], 'one learning rate per step');
  assert.equal(await p.page.locator('#lr h2').innerText(), 'Learning rate per step');
  // Tooltips: accuracy in %, epsilon with its unit, the learning rate rounded, the x as its axis says.
  const tip = (chart: string, d: number, i: number) => p.page.evaluate(`window.__gacd.tooltip(${JSON.stringify(chart)}, ${d}, ${i})`) as Promise<string[]>;
  assert.deepEqual(await tip('accuracy', 0, 2), ['epoch 3', 'student test: 75.0%']);
  assert.deepEqual(await tip('epsilon', 0, 2), ['0.1', 'student: 45.0%']);
  assert.deepEqual(await tip('lr', 0, 11), ['step 12', 'student: 0.025']);
  const [, lossLine] = await tip('lossTerms', 1, 0);
  assert.equal(lossLine, 'student ce: 1.1');
  await noViolations(p);
  await p.page.close();
});

test('dashboard: evaluated checkpoints appear in their card, at init and when one more is evaluated', async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun();
  await p.send({ type: 'dashboard/init', run, events, checkpointEvaluations: [evaluationRecord('student-e1-s0', 1, 0.3, '2026-11-30T09:00:00Z')] });
  let n = await p.rendered();
  assert.equal(await p.page.locator('#checkpoint-evaluations-empty').isVisible(), false);
  assert.deepEqual(await p.page.locator('#checkpoint-evaluations-table th').allInnerTexts(), ['checkpoint', 'model', 'epoch', 'epsilon', 'clean', 'pgd-20', 'aa-style', 'flags', 'evaluated']);
  let rows = await p.page.locator('#checkpoint-evaluations-table tbody tr').allInnerTexts();
  assert.equal(rows.length, 1);
  assert.match(rows[0], /student-e1-s0\s+student\s+1\s+0\.1\s+80\.0%\s+30\.0%\s+28\.0%\s+–\s+2026-11-30 09:00/);
  await p.send({ type: 'dashboard/checkpoint-evaluations', checkpointEvaluations: [evaluationRecord('student-e1-s0', 1, 0.3, '2026-11-30T09:00:00Z'), evaluationRecord('student-e3-s0', 3, 0.42, '2026-11-30T10:00:00Z')] });
  n = await p.rendered(n);
  rows = await p.page.locator('#checkpoint-evaluations-table tbody tr').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.match(rows[1], /student-e3-s0\s+student\s+3\s+0\.1\s+80\.0%\s+42\.0%\s+40\.0%/);
  const swatch = await p.page.evaluate(`getComputedStyle(document.querySelector('#checkpoint-evaluations-table .swatch')).backgroundColor`);
  assert.equal(swatch, 'rgb(55, 148, 255)', "the student's colour, as in the charts");
  await p.page.locator('#checkpoint-evaluations').screenshot({ path: path.join(SHOTS, 'dashboard-checkpoint-evaluations.png') });
  await noViolations(p);
  await p.page.close();
});
