/** The integration suite that `npm run test:electron` runs inside VS Code desktop. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

async function until<T>(what: string, check: () => T | undefined | false, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'gacd-studio');
  assert.ok(ext, 'the extension is loaded');

  const broken = await vscode.workspace.openTextDocument(path.join(folder, 'broken.gacd'));
  await vscode.window.showTextDocument(broken);
  await until('the extension to activate', () => ext.isActive);
  const diags = await until('a diagnostic', () => {
    const d = vscode.languages.getDiagnostics(broken.uri);
    return d.length ? d : undefined;
  });
  assert.match(diags[0].message, /trian_size/);
  const commands = await vscode.commands.getCommands(true);
  for (const c of ['gacd.runExperiment', 'gacd.stopRun', 'gacd.resumeRun', 'gacd.openDashboard', 'gacd.compareRuns']) assert.ok(commands.includes(c), c);

  const tiny = vscode.Uri.file(path.join(folder, 'tiny.gacd'));
  await vscode.commands.executeCommand('gacd.runExperiment', tiny);
  const runs = path.join(folder, '.gacd-runs', 'tiny');
  const runDir = await until('the run folder', () => fs.existsSync(runs) && fs.readdirSync(runs).length > 0 && path.join(runs, fs.readdirSync(runs)[0]));
  await until('results.json', () => fs.existsSync(path.join(runDir, 'results.json')));
  await vscode.commands.executeCommand('gacd.openDashboard', runDir);
  console.log('test:electron: all checks passed');
}
