/**
 * End to end in a real VS Code (code-server 1.100.3 in headless Chromium), with the .vsix as users
 * install it: a diagnostic and its quick fix; a tiny experiment run from the palette that appears
 * in the run explorer, shows progress and finishes; its dashboard with curves and the results
 * table; a run stopped and resumed from the explorer's inline buttons; and an untrusted workspace
 * where the language server works and nothing runs. Screenshots go to test-artifacts/e2e/.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureCodeServer, packageVsix, ROOT, startCodeServer, type CodeServer } from './codeServer';
import { eventsOf, notification, openFile, openWorkbench, palette, runDirs, runRow, runsView, statusIcon, until, webview } from './workbench';

const SHOTS = path.join(ROOT, 'test-artifacts', 'e2e');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-e2e-'));
let vsix = '';
const t0 = Date.now();
const lap = (m: string) => console.log(`# [e2e ${((Date.now() - t0) / 1000).toFixed(1)} s] ${m}`);

/** A small experiment on the bundled data: `steps` training steps in all, a quick evaluation. */
function experiment(name: string, o: { epochs: number; trainSize: number; extra?: string }): string {
  return `name: ${name}
seed: 1
data:
  dataset: fashion-mnist-mini
  train_size: ${o.trainSize}
  test_size: 50
student:
  model: tiny-cnn
method:
  name: pgd-at
training:
  epochs: ${o.epochs}
  batch_size: 64
  attack:
    steps: 2
evaluation:
  attacks: [clean, fgsm, pgd-5]
  epsilons: [0, 0.1]
${o.extra ?? ''}`;
}

function workspace(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"e2e-workspace","private":true}\n');
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

before(() => {
  fs.mkdirSync(SHOTS, { recursive: true });
  ensureCodeServer(lap);
  vsix = packageVsix(path.join(work, 'gacd-studio.vsix'));
  lap(`packaged ${path.basename(vsix)}: ${(fs.statSync(vsix).size / 1024 / 1024).toFixed(2)} MiB`);
});
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
  lap('done');
});

async function session<T>(ws: string, trusted: boolean, body: (page: Page, cs: CodeServer) => Promise<T>): Promise<T> {
  const cs = await startCodeServer({ vsix, workspace: ws, trusted });
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    ({ browser, page } = await openWorkbench(cs.url));
    lap(`workbench loaded (${trusted ? 'trusted' : 'untrusted'})`);
    return await body(page, cs);
  } catch (err) {
    if (page) await page.screenshot({ path: path.join(SHOTS, `failure-${trusted ? 'trusted' : 'untrusted'}.png`) }).catch(() => {});
    fs.writeFileSync(path.join(SHOTS, `code-server-${trusted ? 'trusted' : 'untrusted'}.log`), cs.log());
    throw err;
  } finally {
    await browser?.close();
    await cs.stop();
  }
}

test('a trusted workspace: diagnose and fix, run, watch, dashboard, stop and resume', async () => {
  const ws = workspace('trusted', {
    'broken.gacd': experiment('broken', { epochs: 1, trainSize: 256 }).replace('  train_size: 256', '  trian_size: 256'),
    'tiny.gacd': experiment('tiny', { epochs: 2, trainSize: 1024 }),
    'long.gacd': experiment('long', { epochs: 3, trainSize: 2048 }),
    'outside.gacd': experiment('outside', { epochs: 1, trainSize: 256 }),
  });
  await session(ws, true, async (page) => {
    // 1. A diagnostic from the language server, then its quick fix.
    await openFile(page, 'broken.gacd');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    assert.match(await page.locator('#status\\.problems').innerText(), /1/);
    lap('diagnostic shown');
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('F8'); // Go to the problem: the cursor lands on it.
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+.');
    // The preferred fix is focused in the menu; Enter applies it (a click races the menu's layout).
    await page.locator('.action-widget .monaco-list-row.focused', { hasText: 'Change the key to "train_size"' }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+s');
    await until('the quick fix on disk', () => /\n {2}train_size: 256\n/.test(fs.readFileSync(path.join(ws, 'broken.gacd'), 'utf8')));
    await until('no error squiggle', async () => (await page.locator('.monaco-editor .squiggly-error').count()) === 0, 20_000);
    await page.screenshot({ path: path.join(SHOTS, '1-quick-fix.png') });
    lap('quick fix applied');

    // 2. Run a tiny experiment from the palette; it appears in the explorer, progresses, finishes.
    await openFile(page, 'tiny.gacd');
    await palette(page, 'GACD: Run Experiment');
    await runsView(page).waitFor();
    // A wider side bar, so the screenshots show the runs' descriptions.
    const bar = await page.locator('.part.sidebar').boundingBox();
    if (bar) {
      await page.mouse.move(bar.x + bar.width + 1, bar.y + 300);
      await page.mouse.down();
      await page.mouse.move(bar.x + 560, bar.y + 300, { steps: 5 });
      await page.mouse.up();
    }
    const tinyRow = runRow(page, /^\d{8}-\d{6}-\w{4}/).filter({ has: statusIcon(page, 'sync') });
    await tinyRow.first().waitFor();
    lap('run appeared in the explorer');
    await until('progress in the explorer or the status bar', async () => {
      const row = await runRow(page, /\d+% · student e\d\/2/).count();
      const bar = await page.locator('.statusbar-item', { hasText: /tiny · student e\d\/2 · \d+%/ }).count();
      return row + bar > 0;
    });
    await page.screenshot({ path: path.join(SHOTS, '2-running.png') });
    lap('progress shown');
    const finished = runRow(page, /clean \d+\.\d% · (fgsm|pgd-5) \d+\.\d%/);
    await finished.first().waitFor({ timeout: 120_000 });
    assert.equal(await finished.first().locator('.custom-view-tree-node-item-icon.codicon-pass').count(), 1);
    const [tinyDir] = runDirs(ws, 'tiny');
    assert.ok(fs.existsSync(path.join(tinyDir, 'results.json')));
    lap('run finished');

    // 3. Its dashboard: curves and the results table.
    await finished.first().click();
    const dash = webview(page);
    await dash.locator('#status', { hasText: 'finished' }).waitFor();
    await dash.locator('#robustness-table tbody tr[data-model="student"]').waitFor();
    const row = await dash.locator('#robustness-table tbody tr[data-model="student"]').innerText();
    assert.match(row, /student\s+pgd-at\s+tiny-cnn\s+\d+\.\d%\s+\d+\.\d%\s+\d+\.\d%/);
    assert.ok(await dash.locator('#chart-loss').isVisible());
    assert.ok(Number(await dash.locator('body').getAttribute('data-renders')) >= 1);
    assert.match(await dash.locator('#backend').innerText(), /backend (wasm|cpu|tensorflow)/);
    await page.screenshot({ path: path.join(SHOTS, '3-dashboard.png') });
    lap('dashboard shows curves and results');

    // A window reload: the serializer brings the dashboard back, the explorer reads the folders.
    // (Developer: Reload Window saves the editors' state first; a bare page reload may not.)
    await palette(page, 'Developer: Reload Window');
    await page.waitForEvent('load');
    await page.locator('.monaco-workbench').waitFor();
    await webview(page).locator('#robustness-table tbody tr[data-model="student"]').waitFor();
    assert.equal(await webview(page).locator('#status').innerText(), 'finished');
    await runsView(page).locator('.monaco-list-row', { has: statusIcon(page, 'pass') }).first().waitFor();
    lap('dashboard and explorer restored after a window reload');
    // Close the panel with its tab's button: keys would go to the webview, which has the focus.
    await page.locator('.tabs-container .tab.active .codicon-close').click();
    await page.locator('.tabs-container .tab', { hasText: /tiny · / }).waitFor({ state: 'detached' });

    // 4. Stop a run from the explorer, then resume it to the end.
    await openFile(page, 'long.gacd');
    await palette(page, 'GACD: Run Experiment');
    const longDir = await until('the long run folder', () => runDirs(ws, 'long')[0]);
    await until('the long run training', () => eventsOf(longDir).some((e) => e.type === 'progress'));
    const live = runsView(page).locator('.monaco-list-row', { has: statusIcon(page, 'sync') });
    await live.first().hover();
    await live.first().locator('.action-label[aria-label^="Stop Run"]').click();
    await until('run-end stopped', () => eventsOf(longDir).some((e) => e.type === 'run-end' && e.status === 'stopped'), 60_000);
    const stopped = runsView(page).locator('.monaco-list-row', { has: statusIcon(page, 'debug-stop') });
    await stopped.first().waitFor();
    assert.ok(fs.readdirSync(path.join(longDir, 'checkpoints')).length > 0, 'a checkpoint was written on stop');
    await page.screenshot({ path: path.join(SHOTS, '4-stopped.png') });
    lap('run stopped with a checkpoint');
    await stopped.first().hover();
    await stopped.first().locator('.action-label[aria-label^="Resume Run"]').click();
    await until('the resumed run to finish', () => fs.existsSync(path.join(longDir, 'results.json')), 180_000);
    await runsView(page).locator('.monaco-list-row', { has: statusIcon(page, 'pass') }).nth(1).waitFor();
    const log = eventsOf(longDir);
    assert.ok(log.some((e) => e.type === 'run-start' && (e as { resumed?: boolean }).resumed === true));
    assert.equal(log[log.length - 1].status, 'finished');
    await page.screenshot({ path: path.join(SHOTS, '5-resumed.png') });
    lap('run resumed and finished');

    // 5. A run made outside the editor (the CLI in a terminal) appears through the folder watcher.
    const cli = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'gacd.js'), 'run', path.join(ws, 'outside.gacd')], { cwd: ws, encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    await page.mouse.move(900, 700); // Away from the rows: a tooltip would cover them.
    await runsView(page).locator('.monaco-list-row', { hasText: 'outside' }).waitFor();
    await until('three finished runs in the explorer', async () => (await runsView(page).locator('.monaco-list-row', { hasText: /clean \d+\.\d%/ }).count()) === 3);
    await page.screenshot({ path: path.join(SHOTS, '6-explorer.png') });
    lap('a CLI run appeared in the explorer');
  });
});

test('an untrusted workspace: the language server works, nothing runs, the command says why', async () => {
  const ws = workspace('untrusted', {
    'tiny.gacd': experiment('tiny', { epochs: 1, trainSize: 256 }).replace('  train_size: 256', '  trian_size: 256'),
  });
  await session(ws, false, async (page) => {
    await openFile(page, 'tiny.gacd');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    lap('diagnostic shown in restricted mode');
    await palette(page, 'GACD: Run Experiment');
    await notification(page, /runs nothing in a restricted \(untrusted\) workspace/).waitFor();
    await page.screenshot({ path: path.join(SHOTS, '7-untrusted.png') });
    assert.equal(fs.existsSync(path.join(ws, '.gacd-runs')), false, 'no run folder');
    lap('run refused in an untrusted workspace');
  });
});
