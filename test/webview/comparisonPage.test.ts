/**
 * The comparison page in headless Chromium (the harness of pages.test.ts): runs named by their
 * labels in the list, legends and exports; a teacher that three runs share in one row; the best
 * contender of each column marked, not the teacher; a chart's PNG at twice its size with a title
 * band; and still no CSP violation. Also the dashboard's heading with a run's label.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cspViolations, openPanel, ROOT, startHarness, type Harness } from './harness';
import { checkpointEvaluationFixture, fixtureRun } from './fixtures';
import { withTeacher } from './teacherFixture';

const SHOTS = path.join(ROOT, 'test-artifacts', 'webview');
let h: Harness;

before(async () => {
  h = await startHarness();
  fs.mkdirSync(SHOTS, { recursive: true });
});
after(async () => h?.close());

/** The width and height in a PNG's IHDR chunk. */
function pngSize(dataUrl: string): { width: number; height: number } {
  const b = Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64');
  assert.equal(b.subarray(1, 4).toString('latin1'), 'PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

test('comparison: labels, a shared teacher shown once, the best student marked, PNG at 2x with a title', async () => {
  const p = await openPanel(h, 'comparison');
  const teacher = 'cb8c'.padEnd(64, '0');
  const make = (runId: string, skill: number, lr: number, label?: string) => {
    const f = withTeacher(fixtureRun({ runId, epochs: 3, skill, lr }), 0.95);
    return { run: { ...f.run, label }, events: f.events, weights: { teacher, student: `${runId}-s`, 'baseline:natural': `${runId}-n` } };
  };
  const runs = [make('run-a', 0, 0.05, 'GACD lr 0.05'), make('run-b', 0.05, 0.1, 'GACD lr 0.1'), make('run-c', 0.02, 0.2)];
  await p.send({ type: 'comparison/init', runs });
  await p.rendered();

  const c = (await p.page.evaluate('window.__gacd.charts()')) as Record<string, Array<{ label: string }>>;
  assert.deepEqual(c.test.map((d) => d.label), ['GACD lr 0.05', 'GACD lr 0.1', 'run-c'], 'legends name runs by label');
  assert.match((await p.page.locator('#runs li').allInnerTexts())[0], /^GACD lr 0\.05 · fixture · run-a · finished$/);

  const rows = await p.page.locator('#comparison-table tbody tr').allInnerTexts();
  assert.equal(rows.length, 7, 'three students, three baselines, and the teacher once');
  const teacherRows = rows.filter((r) => /\tteacher\t/.test(r));
  assert.equal(teacherRows.length, 1);
  assert.match(teacherRows[0], /^3 runs: GACD lr 0\.05, GACD lr 0\.1, run-c\tteacher\t\t95\.0/);
  assert.equal(await p.page.locator('#comparison-table tr[data-shared="3"]').count(), 1);
  // The teacher's 95.0 is the column's highest figure; the best student's 85.0 is marked instead.
  const best = await p.page.locator('#comparison-table td.best').allInnerTexts();
  assert.deepEqual(best, ['85.0', '67.5', '50.0', '48.0', '85.0'], "run-b's student in every column, its baseline tied on clean");
  const bestRows = await p.page.locator('#comparison-table tr:has(td.best)').allInnerTexts();
  assert.ok(bestRows.every((r) => r.startsWith('GACD lr 0.1\t')), `only run-b's models are best: ${bestRows.join(' | ')}`);

  await p.page.locator('#export-markdown').click();
  await p.page.locator('#png-robust').click();
  await p.page.waitForFunction(() => (globalThis as any).__posted.filter((m: { type: string }) => m.type === 'export').length === 2);
  const [md, png] = (await p.posted()).filter((m) => m.type === 'export') as unknown as Array<{ format: string; content: string; suggestedName: string }>;
  assert.match(md.content, /^\| 3 runs: GACD lr 0\.05, GACD lr 0\.1, run-c \| teacher \|  \| 95\.0 \|/m);
  assert.match(md.content, /^\| GACD lr 0\.1 \| student \| 0\.1 \| \*\*85\.0\*\* \|/m);
  assert.doesNotMatch(md.content, /\*\*95\.0\*\*/, 'the teacher is never the best');

  assert.equal(png.suggestedName, 'comparison-robust.png');
  const shown = (await p.page.evaluate(() => {
    const canvas = (globalThis as any).document.getElementById('chart-robust');
    return { width: canvas.clientWidth, height: canvas.clientHeight };
  })) as { width: number; height: number };
  const size = pngSize(png.content);
  assert.equal(size.width, 2 * shown.width, 'twice the on-screen width');
  assert.equal(size.height, 2 * (shown.height + 32), 'twice the on-screen height, under a title band');
  // The title band has text in it, and the offscreen copy is gone from the page.
  const titleInk = await p.page.evaluate(async (url: string) => {
    const g = globalThis as any;
    const img = new g.Image();
    img.src = url;
    await img.decode();
    const canvas = g.document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const band = ctx.getImageData(0, 0, img.width, 64).data;
    const [r, gr, b] = [band[0], band[1], band[2]];
    let ink = 0;
    for (let i = 0; i < band.length; i += 4) if (Math.abs(band[i] - r) + Math.abs(band[i + 1] - gr) + Math.abs(band[i + 2] - b) > 60) ink++;
    return ink;
  }, png.content);
  assert.ok(titleInk > 200, `the title band has ${titleInk} pixels of text`);
  assert.equal(await p.page.locator('body > div:not(#app)').count(), 0, 'the offscreen chart was removed');
  fs.writeFileSync(path.join(SHOTS, 'comparison-robust.png'), Buffer.from(png.content.split(',')[1], 'base64'));
  await p.page.screenshot({ path: path.join(SHOTS, 'comparison-labels.png'), fullPage: true });
  assert.deepEqual(await cspViolations(p), []);
  assert.deepEqual(p.consoleErrors, []);
  await p.page.close();
});

test("dashboard: the heading names a labelled run by its label, an unlabelled one by its id", async () => {
  const p = await openPanel(h, 'dashboard');
  const { run, events } = fixtureRun({ runId: 'run-x' });
  await p.send({ type: 'dashboard/init', run: { ...run, label: 'GACD, 8/255' }, events });
  let n = await p.rendered();
  assert.equal(await p.page.locator('#title').innerText(), 'fixture · GACD, 8/255');
  // A rename taken back: the host sends a fresh init without a label.
  await p.send({ type: 'dashboard/init', run, events });
  n = await p.rendered(n);
  assert.equal(await p.page.locator('#title').innerText(), 'fixture · run-x');
  assert.deepEqual(await cspViolations(p), []);
  await p.page.close();
});

test('comparison: evaluated checkpoints in their own card, named by run; no card when no run has one', async () => {
  const p = await openPanel(h, 'comparison');
  const a = fixtureRun({ runId: 'run-a' });
  const b = fixtureRun({ runId: 'run-b' });
  await p.send({ type: 'comparison/init', runs: [a, b] });
  let n = await p.rendered();
  assert.equal(await p.page.locator('#checkpoint-evaluations').isHidden(), true);
  const record = checkpointEvaluationFixture({ checkpoint: 'student-e1-s0', accuracies: { clean: 0.8, fgsm: 0.35 }, method: 'pgd-at', examples: 50 });

  await p.send({ type: 'comparison/init', runs: [{ ...a, run: { ...a.run, label: 'renamed' }, checkpointEvaluations: [record] }, b] });
  n = await p.rendered(n);
  assert.equal(await p.page.locator('#checkpoint-evaluations').isVisible(), true);
  assert.deepEqual(await p.page.locator('#checkpoint-evaluations-table th').allInnerTexts(), ['run', 'checkpoint', 'model', 'epoch', 'epsilon', 'clean', 'fgsm']);
  assert.deepEqual(await p.page.locator('#checkpoint-evaluations-table tbody tr').allInnerTexts(), ['renamed\tstudent-e1-s0\tstudent\t1\t0.1\t80.0%\t35.0%']);
  assert.deepEqual(await cspViolations(p), []);
  await p.page.close();
});
