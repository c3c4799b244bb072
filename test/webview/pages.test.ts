/**
 * The panels' pages in headless Chromium, served with the extension's own HTML and CSP, with a
 * stubbed `acquireVsCodeApi`: they say `initialized` first, render fixture events into charts and
 * tables, append live events without a resend, export, and log no CSP violation.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cspViolations, openPanel, ROOT, startHarness, type Harness, type PanelPage } from './harness';
import { fixtureRun, progressStream } from './fixtures';

const SHOTS = path.join(ROOT, 'test-artifacts', 'webview');
let h: Harness;

before(async () => {
  h = await startHarness();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => h?.close());

type Summary = Record<string, Array<{ label: string; points: number; drawn: number }>>;
const charts = (p: PanelPage) => p.page.evaluate('window.__gacd.charts()') as Promise<Summary>;

async function noViolations(p: PanelPage): Promise<void> {
  assert.deepEqual(await cspViolations(p), [], 'the page logs no CSP violation');
  assert.deepEqual(p.consoleErrors, [], 'the page logs no error');
}

test('dashboard: handshake, then fixture events become charts, tables, backend and spec', async () => {
  const p = await openPanel(h, 'dashboard');
  const posted = await p.posted();
  assert.deepEqual(posted[0], { type: 'initialized', kind: 'dashboard' }, 'the first message is the handshake');
  const { run, events } = fixtureRun({ epochs: 3, stepsPerEpoch: 8 });
  await p.send({ type: 'dashboard/init', run, events });
  await p.rendered();
  const c = await charts(p);
  assert.deepEqual(
    c.loss.map((d) => [d.label, d.points]),
    [
      ['student (raw)', 24],
      ['student', 24],
      ['baseline:natural (raw)', 24],
      ['baseline:natural', 24],
    ],
  );
  assert.ok(c.accuracy.some((d) => d.label === 'student test' && d.points === 3));
  assert.ok(c.accuracy.some((d) => d.label === 'student robust (PGD)' && d.points === 3));
  assert.equal(c.lr.length, 2);
  assert.deepEqual(c.similarity.map((d) => d.label), ['CKA clean', 'CKA adversarial', 'cosine clean', 'cosine adversarial']);
  assert.equal(c.weightsHist[0].points, 10);
  assert.equal(c.weightsScatter.reduce((a, d) => a + d.points, 0), 200);
  assert.deepEqual(c.epsilon.map((d) => [d.label, d.points]), [['student', 3], ['baseline:natural', 3]]);
  const rows = await p.page.locator('#robustness-table tbody tr').allInnerTexts();
  assert.equal(rows.length, 2);
  assert.match(rows[0], /student\s+gacd\s+tiny-cnn\s+80\.0%\s+62\.5%\s+45\.0%\s+43\.0%/);
  assert.deepEqual(await p.page.locator('#robustness-table th').allInnerTexts(), ['model', 'method', 'arch', 'clean', 'fgsm', 'pgd-20', 'cw-20', 'worst class']);
  assert.equal(await p.page.locator('#status').innerText(), 'finished');
  assert.match(await p.page.locator('#backend').innerText(), /backend wasm: wasm \(SIMD/);
  assert.match(await p.page.locator('#spec').textContent() ?? '', /"negatives": 128/);
  assert.match(await p.page.locator('#messages').innerText(), /tfjs-node is not installed/);
  assert.equal(await p.page.locator('#stop').isVisible(), false, 'a finished run has no Stop button');
  assert.deepEqual(await p.page.evaluate('window.__state'), { kind: 'dashboard', runDir: run.runDir }, 'the state a serializer restores');
  // Every chart has drawn pixels on its canvas.
  const blank = await p.page.evaluate(`[...document.querySelectorAll('canvas')].filter((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return false;
    return true;
  }).map((c) => c.id)`);
  assert.deepEqual(blank, []);
  await p.page.screenshot({ path: path.join(SHOTS, 'dashboard.png'), fullPage: true });
  await noViolations(p);
  await p.page.close();
});

test('dashboard: a live run appends events (no resend), shows progress, and Stop posts a command', async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun({ finished: false });
  const cut = events.findIndex((e) => e.type === 'stage-start' && e.model === 'student') + 1;
  await p.send({ type: 'dashboard/init', run, events: events.slice(0, cut) });
  let n = await p.rendered();
  assert.equal(await p.page.locator('#status').innerText(), 'running');
  await p.send({ type: 'dashboard/append', events: events.slice(cut, cut + 5) });
  n = await p.rendered(n);
  assert.equal((await charts(p)).loss[0].points, 5);
  assert.match(await p.page.locator('#progress-text').innerText(), /student · epoch 1\/3 · step 5\/8 · 21% · 400 img\/s · ETA 0:48/);
  // A replayed event (same sequence number) is ignored.
  await p.send({ type: 'dashboard/append', events: events.slice(cut + 3, cut + 7) });
  n = await p.rendered(n);
  assert.equal((await charts(p)).loss[0].points, 7);
  await p.page.locator('#stop').click();
  const posted = await p.posted();
  assert.deepEqual(posted[posted.length - 1], { type: 'command', command: 'stop', runDir: run.runDir });
  await noViolations(p);
  await p.page.close();
});

test('dashboard: 100,000 appended points stay smooth with decimation', async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun({ finished: false });
  const cut = events.findIndex((e) => e.type === 'stage-start' && e.model === 'student') + 1;
  await p.send({ type: 'dashboard/init', run, events: events.slice(0, cut) });
  let n = await p.rendered();
  const stream = progressStream(100_000, 1000);
  const batch = 2000;
  const times: number[] = [];
  for (let i = 0; i < stream.length; i += batch) {
    await p.send({ type: 'dashboard/append', events: stream.slice(i, i + batch) });
    n = await p.rendered(n);
    times.push(Number(await p.page.evaluate('window.__gacd.stats.lastRenderMs')));
  }
  const loss = (await charts(p)).loss;
  assert.equal(loss[0].points, 100_000);
  assert.ok(loss[0].drawn <= 800, `decimated to ${loss[0].drawn} drawn points`);
  const worst = Math.max(...times);
  // Generous for a shared 2-core machine; npm run bench prints the real figures.
  assert.ok(worst < 250, `the slowest redraw took ${worst.toFixed(1)} ms`);
  await noViolations(p);
  await p.page.close();
});

test('comparison: runs overlaid, only differing settings, CSV/Markdown/LaTeX and PNG exports', async () => {
  const p = await openPanel(h, 'comparison');
  assert.deepEqual((await p.posted())[0], { type: 'initialized', kind: 'comparison' });
  const runs = [
    fixtureRun({ runId: 'run-a', epochs: 3, skill: 0, lr: 0.05 }),
    fixtureRun({ runId: 'run-b', epochs: 3, skill: 0.05, lr: 0.1 }),
    fixtureRun({ runId: 'run-c', epochs: 4, skill: 0.02, lr: 0.1 }),
  ];
  await p.send({ type: 'comparison/init', runs });
  await p.rendered();
  const c = await charts(p);
  assert.deepEqual(c.test.map((d) => [d.label, d.points]), [['run-a', 3], ['run-b', 3], ['run-c', 4]]);
  assert.equal(c.robust.length, 3);
  assert.equal(c.epsilon.length, 3);
  const headers = await p.page.locator('#comparison-table th').allInnerTexts();
  assert.deepEqual(headers, ['run', 'model', 'training.epochs', 'training.lr', 'clean', 'fgsm', 'pgd-20', 'cw-20']);
  assert.equal(await p.page.locator('#comparison-table tbody tr').count(), 6);
  await p.page.locator('#export-csv').click();
  await p.page.locator('#export-latex').click();
  await p.page.locator('#export-markdown').click();
  await p.page.locator('#png-test').click();
  await p.page.waitForFunction(() => (globalThis as any).__posted.filter((m: { type: string }) => m.type === 'export').length === 4);
  const exports = (await p.posted()).filter((m) => m.type === 'export') as unknown as Array<{ format: string; content: string; suggestedName: string }>;
  assert.equal(exports[0].format, 'csv');
  assert.equal(exports[0].content.split('\r\n')[0], 'run,model,training.epochs,training.lr,clean,fgsm,pgd-20,cw-20');
  assert.equal(exports[0].content.split('\r\n')[1], 'run-a,student,3,0.05,80.0,62.5,45.0,43.0');
  assert.match(exports[1].content, /\\begin\{tabular\}\{llllrrrr\}/);
  assert.match(exports[1].content, /training\.epochs & training\.lr/);
  assert.match(exports[2].content, /^\| run \| model \| training\.epochs/);
  assert.equal(exports[3].suggestedName, 'comparison-test.png');
  assert.match(exports[3].content, /^data:image\/png;base64,/);
  await p.send({ type: 'export/done', ok: true, message: 'Saved comparison.csv' });
  await p.page.locator('#export-status', { hasText: 'Saved comparison.csv' }).waitFor();
  assert.deepEqual(await p.page.evaluate('window.__state'), { kind: 'comparison', runDirs: runs.map((r) => r.run.runDir) });
  await p.page.screenshot({ path: path.join(SHOTS, 'comparison.png'), fullPage: true });
  await noViolations(p);
  await p.page.close();
});
