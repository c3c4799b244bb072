/**
 * Resume's gating on a checkpoint, Evaluate Checkpoint's plumbing (the `gacd eval` command line,
 * its answer checked, the record kept in the run folder and read back), and the notification at a
 * run's end. All without `vscode`: on temporary run folders.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { attackChoices, evalArguments, evaluateCheckpoint, parseEpsilon, parseEvalOutput, runEvaluationSpec, saveCheckpointEvaluation } from '../../src/extension/engine/checkpointEvaluation';
import { runEndNotice } from '../../src/extension/engine/runEndNotice';
import type { EngineExit } from '../../src/extension/engine/engineProcess';
import { listCheckpoints, readCheckpointEvaluations, resumability } from '../../src/extension/runs/checkpoints';
import { summarize } from '../../src/extension/runs/summary';
import { buildTree, type RunNode } from '../../src/extension/runs/treeModel';
import { fixtureRun, fixtureSpec } from '../webview/fixtures';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-ckeval-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

/** A run folder with spec.json and, for each name, a checkpoint folder (complete when it has state.json). */
function runFolder(name: string, checkpoints: Array<{ name: string; complete: boolean; state?: object }>, o: { results?: boolean } = {}): string {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'checkpoints'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(fixtureSpec({ epochs: 3, lr: 0.05, seed: 0 })));
  for (const c of checkpoints) {
    fs.mkdirSync(path.join(dir, 'checkpoints', c.name));
    if (c.complete) fs.writeFileSync(path.join(dir, 'checkpoints', c.name, 'state.json'), JSON.stringify(c.state ?? { model: 'student', epoch: 1, step: 0 }));
  }
  if (o.results) fs.writeFileSync(path.join(dir, 'results.json'), '{}');
  return dir;
}

test('resume is refused, saying why, for a run without a complete checkpoint, a finished run and a folder without spec.json', () => {
  const none = runFolder('none', []);
  const torn = runFolder('torn', [{ name: 'student-e1-s0', complete: false }]);
  const good = runFolder('good', [{ name: 'student-e1-s0', complete: true }, { name: 'student-e2-s0', complete: true }]);
  const done = runFolder('done', [{ name: 'student-e3-s0', complete: true }], { results: true });
  assert.deepEqual(listCheckpoints(none), []);
  assert.deepEqual(listCheckpoints(torn), [], 'a folder without state.json is not a checkpoint yet');
  assert.deepEqual(listCheckpoints(good), ['student-e2-s0', 'student-e1-s0']);
  for (const dir of [none, torn]) {
    const r = resumability(dir);
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /has no checkpoint to resume from: .*run the experiment again/);
  }
  assert.deepEqual(resumability(good), { ok: true });
  const finished = resumability(done);
  assert.match(!finished.ok ? finished.reason : '', /has finished: there is nothing to resume/);
  fs.rmSync(path.join(good, 'spec.json'));
  assert.match((resumability(good) as { reason: string }).reason, /no spec\.json/);
});

test("the explorer offers Resume (context value `.resumable`) only for a stopped or failed run that logged a checkpoint", () => {
  const { events } = fixtureRun({ finished: false });
  const firstCheckpoint = events.findIndex((e) => e.type === 'checkpoint');
  const before = summarize('/w/.gacd-runs/fixture/20261125-1', events.slice(0, firstCheckpoint), { live: false, exited: 'failed' });
  const afterIt = summarize('/w/.gacd-runs/fixture/20261125-2', events.slice(0, firstCheckpoint + 1), { live: false, exited: 'stopped' });
  const running = summarize('/w/.gacd-runs/fixture/20261125-3', events, { live: true });
  assert.deepEqual([before.hasCheckpoint, afterIt.hasCheckpoint], [false, true]);
  const nodes = buildTree([before, afterIt, running], [])[0].runs as RunNode[];
  const byDir = Object.fromEntries(nodes.map((n) => [n.runDir, n.contextValue]));
  assert.equal(byDir['/w/.gacd-runs/fixture/20261125-1'], 'gacd.run.failed');
  assert.equal(byDir['/w/.gacd-runs/fixture/20261125-2'], 'gacd.run.stopped.resumable');
  assert.equal(byDir['/w/.gacd-runs/fixture/20261125-3'], 'gacd.run.running', 'a running run is not offered Resume though it has checkpoints');
  // The manifest's menus: Resume only on `.resumable`, the other run items on both forms.
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
  const items: Array<{ command: string; when: string }> = pkg.contributes.menus['view/item/context'];
  const matches = (command: string, value: string) => items.filter((i) => i.command === command).some((i) => new RegExp(/viewItem =~ \/(.*)\/$/.exec(i.when)![1]).test(value));
  assert.equal(matches('gacd.resumeRun', 'gacd.run.failed'), false);
  assert.equal(matches('gacd.resumeRun', 'gacd.run.failed.resumable'), true);
  assert.equal(matches('gacd.resumeRun', 'gacd.run.stopped.resumable'), true);
  assert.equal(matches('gacd.openDashboard', 'gacd.run.failed'), true);
  assert.equal(matches('gacd.openDashboard', 'gacd.run.stopped.resumable'), true);
  assert.equal(matches('gacd.evaluateCheckpoint', 'gacd.run.failed.resumable'), true);
});

test("Evaluate Checkpoint offers the run's own attacks first (with their settings), then the usual ones with aa-style; epsilon as typed", () => {
  const spec = runEvaluationSpec(
    JSON.stringify({
      data: { dataset: 'fashion-mnist', test_size: null },
      evaluation: { epsilon: 0.1, epsilons: [0, 0.05, 0.1], test_size: 200, attacks: [{ label: 'pgd-50', attack: 'pgd', settings: { steps: 50, restarts: 2 } }, 'clean'] },
    }),
  );
  assert.deepEqual([spec.dataset, spec.epsilon, spec.testSize, spec.epsilons], ['fashion-mnist', 0.1, 200, [0, 0.05, 0.1]]);
  const choices = attackChoices(spec);
  assert.deepEqual(choices.slice(0, 2), [
    { label: 'pgd-50', entry: '{"label":"pgd-50","attack":"pgd","settings":{"steps":50,"restarts":2}}', fromRun: true },
    { label: 'clean', entry: 'clean', fromRun: true },
  ]);
  const labels = choices.map((c) => c.label);
  assert.ok(labels.includes('aa-style') && labels.includes('fgsm') && labels.includes('square-5000'));
  assert.equal(new Set(labels).size, labels.length, 'no label twice');
  assert.deepEqual(runEvaluationSpec('not json'), { dataset: undefined, epsilon: undefined, attacks: [], epsilons: [], testSize: undefined });
  assert.deepEqual(parseEpsilon('8/255'), { ok: true, value: 8 / 255 });
  assert.equal(parseEpsilon('1.5').ok, false);
  assert.equal(parseEpsilon('eps').ok, false);
  const args = evalArguments({ cli: '/ext/dist/cli.js', runDir: '/r', checkpoint: 'student-e2-s0', attacks: ['clean', 'aa-style'], epsilon: 0.1, dataset: 'fashion-mnist', testSize: 200, backend: 'auto' });
  assert.deepEqual(args, [
    '/ext/dist/cli.js', 'eval', path.join('/r', 'checkpoints', 'student-e2-s0'), '--json', '--epsilon', '0.1', '--attacks', 'clean,aa-style',
    '--card', path.join('/r', 'evaluation', 'checkpoints', 'student-e2-s0.card.json'), '--dataset', 'fashion-mnist', '--test-size', '200',
  ]);
  assert.throws(() => evalArguments({ cli: 'c', runDir: '/r', checkpoint: 'x', attacks: [], epsilon: 0.1 }), /at least one attack/);
});

/** What `gacd eval --json` prints last. */
function evalStdout(accuracy: number): string {
  const r = fixtureRun().events.find((e) => e.type === 'run-end');
  const student = r?.type === 'run-end' ? r.results![0] : undefined;
  return `noise\n${JSON.stringify({ backend: 'wasm', checkpoint: '/r/checkpoints/x', ...student, results: student!.results.map((x) => ({ ...x, accuracy })), flags: [] })}\n`;
}

test('an evaluation is kept in the run folder as a typed record, read back in order; a redo replaces it; a broken file is skipped and reported', () => {
  const dir = runFolder('evaluated', [
    { name: 'student-e1-s0', complete: true, state: { model: 'student', epoch: 1, step: 0 } },
    { name: 'student-best', complete: true, state: { model: 'student', epoch: 2, step: 0 } },
  ]);
  assert.deepEqual(readCheckpointEvaluations(dir), [], 'no folder yet: none');
  const req = (checkpoint: string) => ({ cli: 'c', runDir: dir, checkpoint, attacks: ['clean', 'pgd-20'], epsilon: 0.1 });
  saveCheckpointEvaluation(req('student-best'), evalStdout(0.5), new Date('2026-11-30T10:00:00Z'));
  saveCheckpointEvaluation(req('student-e1-s0'), evalStdout(0.4), new Date('2026-11-30T09:00:00Z'));
  const list = readCheckpointEvaluations(dir);
  assert.deepEqual(list.map((r) => [r.checkpoint, r.model, r.epoch, r.results.results[0].accuracy]), [
    ['student-e1-s0', 'student', 1, 0.4],
    ['student-best', 'student', 2, 0.5],
  ]);
  assert.deepEqual(list[0].attacks, ['clean', 'pgd-20']);
  assert.equal(list[0].backend, 'wasm');
  assert.ok(fs.existsSync(path.join(dir, 'evaluation', 'checkpoints', 'student-best.json')));
  saveCheckpointEvaluation(req('student-e1-s0'), evalStdout(0.45), new Date('2026-11-30T11:00:00Z'));
  assert.deepEqual(readCheckpointEvaluations(dir).map((r) => [r.checkpoint, r.results.results[0].accuracy]), [
    ['student-best', 0.5],
    ['student-e1-s0', 0.45],
  ]);
  fs.writeFileSync(path.join(dir, 'evaluation', 'checkpoints', 'broken.json'), '{"checkpoint": "broken"}');
  fs.writeFileSync(path.join(dir, 'evaluation', 'checkpoints', 'student-best.card.json'), '{"not": "a record"}');
  const skipped: string[] = [];
  assert.equal(readCheckpointEvaluations(dir, (file) => skipped.push(path.basename(file))).length, 2);
  assert.deepEqual(skipped, ['broken.json'], 'the model card beside a record is not read as one');
});

test("gacd eval's answer is checked: nothing, a stray line or a wrong shape is an error that says so, and nothing is written", () => {
  assert.throws(() => parseEvalOutput(''), /printed nothing/);
  assert.throws(() => parseEvalOutput('Error: boom'), /last line is not JSON: Error: boom/);
  assert.throws(() => parseEvalOutput('{"backend": "wasm"}'), /not an evaluation: .*results/);
  const dir = runFolder('refused', [{ name: 'student-e1-s0', complete: true }]);
  assert.throws(() => saveCheckpointEvaluation({ cli: 'c', runDir: dir, checkpoint: 'student-e1-s0', attacks: ['clean'], epsilon: 0.1 }, '{}'));
  assert.deepEqual(readCheckpointEvaluations(dir), []);
});

test('the notification at a run end: figures and time when finished, Resume only with a checkpoint, the reason when failed, always Open Dashboard', () => {
  const exit = (status: EngineExit['status'], more: Partial<EngineExit> = {}): EngineExit => ({ code: 0, signal: null, status, crashed: false, stderrTail: [], ...more });
  const what = 'quickstart (20261130-1)';
  assert.deepEqual(runEndNotice({ what, exit: exit('finished'), headline: 'clean 80.0% · pgd-20 45.0%', durationMs: 192_000, resumable: false, hasRunDir: true }), {
    severity: 'info',
    message: 'quickstart (20261130-1) finished in 3:12: clean 80.0% · pgd-20 45.0%.',
    actions: ['Open Dashboard'],
  });
  assert.deepEqual(runEndNotice({ what, exit: exit('stopped'), resumable: true, hasRunDir: true }).actions, ['Open Dashboard', 'Resume']);
  const stoppedEarly = runEndNotice({ what, exit: exit('stopped'), resumable: false, hasRunDir: true });
  assert.deepEqual(stoppedEarly.actions, ['Open Dashboard']);
  assert.match(stoppedEarly.message, /before its first checkpoint, so it cannot be resumed/);
  const failed = runEndNotice({ what, exit: exit('failed', { code: 1, error: { message: 'dataset not found at /d/fashion', fix: 'download it' } }), resumable: false, hasRunDir: true });
  assert.equal(failed.severity, 'error');
  assert.equal(failed.message, 'The run quickstart (20261130-1) failed: dataset not found at /d/fashion Fix: download it.');
  assert.deepEqual(failed.actions, ['Open Dashboard', 'Show Engine Log']);
  const crashed = runEndNotice({ what: 'quickstart', exit: exit('failed', { code: null, signal: 'SIGKILL', crashed: true, stderrTail: ['', 'out of memory'] }), resumable: false, hasRunDir: false });
  assert.equal(crashed.message, 'The engine crashed while running quickstart: out of memory');
  assert.deepEqual(crashed.actions, ['Show Engine Log'], 'no dashboard without a run folder');
});

test('the real gacd eval (dist/cli.js) on the shipped teacher checkpoint: its figures and model card are kept in the run folder', async () => {
  const root = path.join(__dirname, '..', '..');
  const cli = path.join(root, 'dist', 'cli.js');
  assert.ok(fs.existsSync(cli), 'dist/cli.js is missing: run `npm run build` first');
  const dir = runFolder('real', []);
  fs.cpSync(path.join(root, 'examples', 'checkpoints', 'teacher-fashion'), path.join(dir, 'checkpoints', 'teacher-e10-s0'), { recursive: true });
  const stderr: string[] = [];
  const job = evaluateCheckpoint(
    { cli, runDir: dir, checkpoint: 'teacher-e10-s0', attacks: ['clean', 'fgsm'], epsilon: 0.1, dataset: 'fashion-mnist-mini', testSize: 100 },
    process.execPath,
    (t) => stderr.push(t),
  );
  const record = await job.done;
  assert.deepEqual([record.checkpoint, record.model, record.epoch, record.epsilon], ['teacher-e10-s0', 'teacher', 10, 0.1]);
  const acc = Object.fromEntries(record.results.results.map((r) => [r.attack, r.accuracy]));
  assert.ok(acc.clean > 0.5 && acc.clean <= 1, `clean accuracy ${acc.clean}`);
  assert.ok(acc.fgsm <= acc.clean, 'an attack does not raise the accuracy');
  assert.equal(record.results.examples, 100);
  assert.deepEqual(readCheckpointEvaluations(dir), [record]);
  const card = JSON.parse(fs.readFileSync(path.join(dir, 'evaluation', 'checkpoints', 'teacher-e10-s0.card.json'), 'utf8'));
  assert.equal(card.threat.epsilon, 0.1);
  assert.deepEqual(card.results.map((r: { attack: string }) => r.attack), record.results.results.map((r) => r.attack));
});
