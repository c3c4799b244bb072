/**
 * End to end in a real VS Code (code-server 1.100.3 in headless Chromium), with the .vsix as users
 * install it: a diagnostic and its quick fix; a tiny experiment run from the palette that appears
 * in the run explorer, shows progress and finishes; its dashboard with curves and the results
 * table; a run stopped and resumed from the explorer's inline buttons; a researcher's loop (the
 * whole run's percentage while the student is evaluated, the notification at its end and its Open
 * Dashboard, a rename shown in the comparison's legend, an evaluated checkpoint in the dashboard
 * and the comparison); and an untrusted workspace where the language server works and nothing
 * runs. Screenshots go to test-artifacts/e2e/; with GACD_SCREENSHOTS=1 the README's are refreshed
 * from the researcher's loop too (media/screenshots/), so that CI never rewrites them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ensureCodeServer, packageVsix, ROOT, startCodeServer, type CodeServer } from './codeServer';
import { closeActiveTab, contextMenu, eventsOf, notification, openFile, openWorkbench, palette, quickPick, runDirs, runRow, runsView, statusIcon, until, webview, webviewFrame, widenSideBar } from './workbench';

const SHOTS = path.join(ROOT, 'test-artifacts', 'e2e');
/** The README's screenshots, refreshed only when asked (GACD_SCREENSHOTS=1). */
const README_SHOTS = process.env.GACD_SCREENSHOTS === '1' ? path.join(ROOT, 'media', 'screenshots') : undefined;
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

async function session<T>(ws: string, trusted: boolean, body: (page: Page, cs: CodeServer) => Promise<T>, settings?: Record<string, unknown>): Promise<T> {
  const cs = await startCodeServer({ vsix, workspace: ws, trusted, settings });
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    ({ browser, page } = await openWorkbench(cs.url));
    lap(`workbench loaded (${trusted ? 'trusted' : 'untrusted'})`);
    return await body(page, cs);
  } catch (err) {
    const name = `${path.basename(ws)}`;
    if (page) await page.screenshot({ path: path.join(SHOTS, `failure-${name}.png`) }).catch(() => {});
    fs.writeFileSync(path.join(SHOTS, `code-server-${name}.log`), cs.log());
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
    await widenSideBar(page, 560);
    const tinyRow = runRow(page, /^\d{8}-\d{6}-\w{4}/).filter({ has: statusIcon(page, 'sync') });
    await tinyRow.first().waitFor();
    lap('run appeared in the explorer');
    // The whole run's percentage, and what it is doing (before the first run-progress: the epoch's).
    await until('progress in the explorer or the status bar', async () => {
      const row = await runRow(page, /\d+% · (ETA [^·]+ · )?training student|\d+% · student e\d\/2/).count();
      const bar = await page.locator('.statusbar-item', { hasText: /tiny · \d+% · (ETA [^·]+ · )?training student|tiny · student e\d\/2 · \d+%/ }).count();
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
    await closeActiveTab(page);
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

/** Saves a screenshot in test-artifacts/e2e, and as the README's `readme` when GACD_SCREENSHOTS=1. */
async function shot(page: Page, name: string, readme?: string): Promise<void> {
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file });
  if (README_SHOTS && readme) fs.copyFileSync(file, path.join(README_SHOTS, readme));
}

test("a researcher's loop: the whole run's progress through evaluation, the end notice, a rename in the comparison, an evaluated checkpoint", async () => {
  // Evaluated on the 500 test points of the bundled set with pgd-20: several seconds of evaluation after two short epochs.
  const ev = (lr: number) =>
    experiment('ev', { epochs: 2, trainSize: 512 })
      .replace('  test_size: 50', '  test_size: 500')
      .replace('  batch_size: 64', `  batch_size: 64\n  lr: ${lr}`)
      .replace('[clean, fgsm, pgd-5]', '[clean, fgsm, pgd-20]')
      .replace('[0, 0.1]', '[0, 0.05, 0.1]');
  const ws = workspace('researcher', { 'ev.gacd': ev(0.1), 'ev-slow.gacd': ev(0.03) });
  await session(
    ws,
    true,
    async (page) => {
      // 1. Run from the palette; the dashboard opens by itself (gacd.openDashboardOnRun).
      await openFile(page, 'ev.gacd');
      await palette(page, 'GACD: Run Experiment');
      await runsView(page).waitFor();
      await widenSideBar(page, 600);
      const dash = webview(page);
      await dash.locator('#progress-text').waitFor();
      lap('run started, its dashboard opened');

      // 2. While the student is evaluated, the dashboard's header gives the whole run's percentage
      // (below 100: the evaluation is part of the run) and what is evaluated; so does the status bar.
      const text = async (l: ReturnType<typeof dash.locator>) => ((await l.textContent({ timeout: 1000 }).catch(() => '')) ?? '').trim();
      const evaluating = /^(\d{1,2})% · (ETA [^·]+ · )?evaluating student · (clean|fgsm|pgd-20) \d+\/\d+ · row \d+ of \d+$/;
      const bar = page.locator('.statusbar-item', { hasText: /ev · \d+%/ }).first();
      const barEvaluating = /ev · (\d{1,2})% · (ETA [^·]+ · )?evaluating student · /;
      const seen: string[] = [];
      let header: RegExpExecArray | null = null;
      let status: RegExpExecArray | null = null;
      await until(
        'the dashboard header and the status bar while evaluating',
        async () => {
          const t = await text(dash.locator('#progress-text'));
          const sb = ((await bar.textContent({ timeout: 200 }).catch(() => '')) ?? '').trim();
          if (!seen.some((x) => x.endsWith(`${t} | ${sb}`))) seen.push(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${t} | ${sb}`);
          if (!header && (header = evaluating.exec(t))) {
            await shot(page, '8-evaluating.png', 'dashboard.png');
            lap(`dashboard header while evaluating: ${header[0]}`);
          }
          status ??= barEvaluating.exec(sb);
          if (/^finished/.test(t) && !(header && status)) throw new Error(`the run finished before its evaluation was seen in both; the header | the status bar read:\n${seen.join('\n')}`);
          return header && status;
        },
        180_000,
      );
      assert.ok(header && Number(header[1]) > 0 && Number(header[1]) < 100, `a percentage of the whole run: ${header?.[0]}`);
      assert.ok(status && Number(status[1]) < 100, `the status bar: ${status?.[0]}`);
      lap('status bar while evaluating');

      // 3. The notification at the end of the run; its Open Dashboard opens the closed dashboard again.
      // (An information toast hides itself after a while unless the pointer is over it.)
      const notice = notification(page, /ev \(\d{8}-\d{6}-\w{4}\) finished in [\d:]+: clean \d+\.\d%/);
      await notice.waitFor({ timeout: 180_000 });
      await notice.hover();
      const [evDir] = runDirs(ws, 'ev');
      assert.ok(fs.existsSync(path.join(evDir, 'results.json')));
      await closeActiveTab(page);
      await page.locator('.tabs-container .tab', { hasText: /ev · \d{8}-/ }).waitFor({ state: 'detached' });
      await notice.locator('.monaco-button', { hasText: 'Open Dashboard' }).click();
      await webview(page).locator('#status', { hasText: 'finished' }).waitFor();
      await webview(page).locator('#robustness-table tbody tr[data-model="student"]').waitFor();
      lap('end-of-run notification opened the dashboard');
      await closeActiveTab(page);

      // 4. A second run of the experiment with another learning rate; the explorer tells the two
      // apart by the setting in which they differ.
      await openFile(page, 'ev-slow.gacd');
      await palette(page, 'GACD: Run Experiment');
      const second = notification(page, /ev \(\d{8}-\d{6}-\w{4}\) finished in/);
      await second.waitFor({ timeout: 180_000 });
      await second.hover();
      await second.locator('.codicon-notifications-clear').click();
      await page.locator('.tabs-container .tab', { hasText: /ev · \d{8}-/ }).locator('.codicon-close').click();
      await page.mouse.move(1100, 700); // Away from the rows: a tooltip would cover them.
      const fast = runRow(page, /training\.lr=0\.1 · pgd-at · clean/);
      const slow = runRow(page, /training\.lr=0\.03 · pgd-at · clean/);
      await fast.waitFor();
      await slow.waitFor();
      lap('a second run beside it, rows described by training.lr');

      // 5. Compare the two runs, then rename one (an input box): the comparison's legends follow.
      await palette(page, 'GACD: Compare Runs');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'ev · ' }).nth(1).waitFor();
      await page.locator('.quick-input-widget .quick-input-header .monaco-checkbox').click(); // Every run.
      await page.keyboard.press('Enter');
      const cmp = webview(page);
      await cmp.locator('#runs li').nth(1).waitFor();
      await contextMenu(page, fast, 'Rename Run…');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible' });
      await input.fill('PGD-AT, lr 0.1');
      await page.keyboard.press('Enter');
      await until('meta.json with the label', () => fs.existsSync(path.join(evDir, 'meta.json')) && JSON.parse(fs.readFileSync(path.join(evDir, 'meta.json'), 'utf8')).label === 'PGD-AT, lr 0.1');
      await runRow(page, /^PGD-AT, lr 0\.1/).waitFor();
      await cmp.locator('#runs li', { hasText: /^PGD-AT, lr 0\.1 · ev · \d{8}-\d{6}-\w{4} · finished$/ }).waitFor();
      const legends = (await (await webviewFrame(page)).evaluate('window.__gacd.charts()')) as Record<string, Array<{ label: string }>>;
      assert.ok(legends.test.some((d) => d.label === 'PGD-AT, lr 0.1'), `the chart legend names the run by its label: ${JSON.stringify(legends.test)}`);
      assert.match(await cmp.locator('#comparison-table tbody').innerText(), /PGD-AT, lr 0\.1\tstudent\t0\.1\t/);
      lap('renamed run shown by its label in the comparison');

      // 6. Evaluate a checkpoint of the renamed run (quick picks: checkpoint, attacks, epsilon): the
      // open comparison and then the dashboard show it in their "Evaluated checkpoints" cards.
      await contextMenu(page, runRow(page, /^PGD-AT, lr 0\.1/), 'Evaluate Checkpoint…');
      await quickPick(page, 'student-e1-s0');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: "the run's evaluation" }).first().waitFor();
      await page.keyboard.press('Enter'); // The run's own attacks, picked already.
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: "the run's evaluation epsilon" }).waitFor();
      await page.keyboard.press('Enter');
      const done = notification(page, /student-e1-s0 at epsilon [\d.]+: clean \d+\.\d% · (fgsm|pgd-20) \d+\.\d%\. Kept in the run folder/);
      await done.waitFor({ timeout: 180_000 });
      await done.hover();
      const record = JSON.parse(fs.readFileSync(path.join(evDir, 'evaluation', 'checkpoints', 'student-e1-s0.json'), 'utf8'));
      // The run's three attacks, and the worst case over them per example that the engine adds.
      assert.deepEqual(record.results.results.map((r: { attack: string }) => r.attack), ['clean', 'fgsm', 'pgd-20', 'worst-case']);
      const cmpRow = cmp.locator('#checkpoint-evaluations-table tbody tr[data-checkpoint="student-e1-s0"]');
      await cmpRow.waitFor();
      assert.match(await cmpRow.innerText(), /^PGD-AT, lr 0\.1\tstudent-e1-s0\tstudent\t1\t[\d.]+( \(\d+\/255\))?(\t\d+\.\d%){4}$/);
      lap('evaluated checkpoint in the open comparison');
      await done.locator('.monaco-button', { hasText: 'Open Dashboard' }).click();
      const dashRow = webview(page).locator('#checkpoint-evaluations-table tbody tr[data-checkpoint="student-e1-s0"]');
      await dashRow.waitFor();
      const accuracy = `${(record.results.results[0].accuracy * 100).toFixed(1)}%`;
      assert.ok((await dashRow.innerText()).includes(accuracy), `the dashboard's row shows clean ${accuracy}`);
      assert.equal(await webview(page).locator('#checkpoint-evaluations-empty').isHidden(), true);
      await webview(page).locator('#checkpoint-evaluations').scrollIntoViewIfNeeded();
      await page.mouse.move(1100, 900);
      await shot(page, '9-explorer-checkpoints.png', 'run-explorer.png');
      lap('evaluated checkpoint in the dashboard');

      // The comparison again, for its picture: the labels, the differing setting, the checkpoint.
      await page.locator('.tabs-container .tab', { hasText: 'Compare 2 runs' }).click();
      await webview(page).locator('#checkpoint-evaluations-table tbody tr[data-checkpoint="student-e1-s0"]').waitFor();
      await until('no notification toast over the comparison', async () => (await page.locator('.notifications-toasts .notification-toast').count()) === 0, 30_000);
      await shot(page, '10-comparison.png', 'comparison.png');
    },
    // A dark theme for the README's pictures; the dashboard opens as the run starts.
    { 'gacd.openDashboardOnRun': true, 'workbench.colorTheme': 'Default Dark Modern' },
  );
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
