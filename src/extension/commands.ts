/**
 * The commands of the palette, the editor title bar of `.gacd` files, and the run explorer's
 * menus. Those that run anything check workspace trust first and say why they refuse.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hasSbatch, startSweep } from './sweepCommands';
import { readSettings } from './engine/settings';
import { BACKEND_PACKAGES, installBackend, type BackendPackage } from './engine/backendInstall';
import type { EngineManager } from './engine/engineManager';
import { ComparisonPanel } from './panels/comparisonPanel';
import { DashboardPanel } from './panels/dashboardPanel';
import { deleteRuns, editRunNote, renameRun, runDirsOf, tagRun } from './runMetaCommands';
import { evaluateCheckpointCommand } from './evaluateCheckpoint';
import { resumability } from './runs/checkpoints';
import { listTemplates, writeTemplate } from './experimentTemplates';
import type { RunStore } from './runs/runStore';
import type { RunSummary } from './runs/summary';

export interface CommandContext {
  context: vscode.ExtensionContext;
  store: RunStore;
  engines: EngineManager;
  log: vscode.OutputChannel;
  backendsDir: string;
}

/** A run folder from whatever a command was given: a tree node, a path, a URI, or nothing. */
function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (arg && typeof arg === 'object' && 'runDir' in arg && typeof (arg as { runDir: unknown }).runDir === 'string') return (arg as { runDir: string }).runDir;
  return undefined;
}

const TRUST_MESSAGE =
  'GACD Studio runs nothing in a restricted (untrusted) workspace: running an experiment executes the engine on files of this workspace. ' +
  'Trust the workspace to run experiments; editing, diagnostics and quick fixes work either way.';

/** True in a trusted workspace; otherwise says why nothing runs, offering to manage trust. */
async function requireTrust(what: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const choice = await vscode.window.showWarningMessage(`Cannot ${what}: ${TRUST_MESSAGE}`, 'Manage Workspace Trust');
  if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}

async function pickRun(store: RunStore, placeHolder: string, filter: (s: RunSummary) => boolean = () => true): Promise<string | undefined> {
  const runs = store
    .all()
    .filter(filter)
    .sort((a, b) => b.runId.localeCompare(a.runId));
  if (!runs.length) {
    void vscode.window.showInformationMessage(`No run to choose: ${placeHolder.toLowerCase()}`);
    return undefined;
  }
  if (runs.length === 1) return runs[0].runDir;
  const pick = await vscode.window.showQuickPick(
    runs.map((r) => ({ label: `${r.experiment} · ${r.meta?.label ?? r.runId}`, description: r.status, detail: r.runDir, runDir: r.runDir })),
    { placeHolder },
  );
  return pick?.runDir;
}

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const { context, store, engines, log } = c;
  const uri = context.extensionUri;
  // Submit Sweep to Slurm is offered where sbatch is found.
  void vscode.commands.executeCommand('setContext', 'gacd.sbatchFound', hasSbatch());

  /** The .gacd file of a sweep: the one clicked, the active editor's, or one picked. */
  const sweepCommand = async (arg: unknown, executor: 'local' | 'slurm') => {
    if (!(await requireTrust('run a sweep'))) return;
    let file = arg instanceof vscode.Uri ? arg.fsPath : undefined;
    const editor = vscode.window.activeTextEditor;
    if (!file && editor?.document.languageId === 'gacd') file = editor.document.uri.fsPath;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GACD experiment': ['gacd'] }, openLabel: 'Run Sweep' });
      file = picked?.[0]?.fsPath;
    }
    if (!file) return;
    if (editor?.document.uri.fsPath === file && editor.document.isDirty) await editor.document.save();
    log.appendLine(`[sweep] ${executor}: ${file}`);
    startSweep(uri.fsPath, file, executor);
  };
  const register = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);

  return [
    register('gacd.newExperiment', async () => {
      // The templates are the shipped examples, so what is written is what the README and tests run.
      const examples = path.join(uri.fsPath, 'examples');
      const template = await vscode.window.showQuickPick(
        listTemplates(examples).map((t) => ({ label: t.file, detail: t.detail, file: t.file })),
        { placeHolder: 'New experiment from an example', matchOnDetail: true },
      );
      if (!template) return;
      const editor = vscode.window.activeTextEditor;
      const near = editor?.document.uri.scheme === 'file' ? vscode.Uri.file(path.dirname(editor.document.uri.fsPath)) : vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        title: 'Where to put the new experiment',
        saveLabel: 'Create Experiment',
        defaultUri: near ? vscode.Uri.joinPath(near, path.basename(template.file)) : undefined,
        filters: { 'GACD experiment': ['gacd'] },
      });
      if (!target) return;
      const file = target.fsPath.endsWith('.gacd') ? target.fsPath : `${target.fsPath}.gacd`;
      const copies = writeTemplate(examples, template.file, file);
      await vscode.window.showTextDocument(vscode.Uri.file(file));
      if (copies.length) {
        const what = copies.map((c) => path.relative(path.dirname(file), c.to)).join(', ');
        void vscode.window.showInformationMessage(`Copied ${what} beside ${path.basename(file)}: the example's checkpoint, so that it runs as it does from examples/.`);
      }
    }),

    register('gacd.runExperiment', async (arg?: unknown) => {
      if (!(await requireTrust('run the experiment'))) return;
      let file = arg instanceof vscode.Uri ? arg.fsPath : undefined;
      const editor = vscode.window.activeTextEditor;
      if (!file && editor?.document.languageId === 'gacd') file = editor.document.uri.fsPath;
      if (!file) {
        const found = await vscode.workspace.findFiles('**/*.gacd', '**/{node_modules,.gacd-runs}/**', 200);
        const pick = await vscode.window.showQuickPick(found.map((f) => ({ label: vscode.workspace.asRelativePath(f), uri: f })), { placeHolder: 'Experiment to run' });
        file = pick?.uri.fsPath;
      }
      if (!file) return;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
      if (doc?.isDirty) await doc.save();
      const errors = vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
      if (errors.length) {
        const choice = await vscode.window.showErrorMessage(
          `${path.basename(file)} has ${errors.length} error${errors.length > 1 ? 's' : ''} (first: line ${errors[0].range.start.line + 1}: ${errors[0].message}); the engine would refuse it.`,
          'Show Problems',
        );
        if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
        return;
      }
      const { position } = engines.run(file);
      if (position > 0) void vscode.window.showInformationMessage(`${path.basename(file)} is queued (#${position}): ${readSettings().maxConcurrentRuns} run(s) at a time (setting gacd.maxConcurrentRuns).`);
      await vscode.commands.executeCommand('gacd.runs.focus');
    }),

    register('gacd.stopRun', async (arg?: unknown) => {
      const queueId = arg && typeof arg === 'object' && 'queueId' in arg ? (arg as { queueId?: string }).queueId : undefined;
      let runDir = runDirOf(arg);
      if (!runDir && !queueId) {
        const live = engines.liveRunDirs();
        runDir = live.length === 1 ? live[0] : await pickRun(store, 'Run to stop', (s) => live.includes(s.runDir));
      }
      if (!runDir && !queueId) return;
      if (!engines.stop({ runDir, queueId })) {
        void vscode.window.showInformationMessage(
          runDir && store.get(runDir)?.status === 'running'
            ? `${path.basename(runDir)} is driven by an engine outside this window (a terminal, another machine): stop it there (Ctrl-C checkpoints it).`
            : 'That run is not running.',
        );
      }
    }),

    register('gacd.resumeRun', async (arg?: unknown) => {
      if (!(await requireTrust('resume the run'))) return;
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run to resume (stopped or failed, with a checkpoint)', (s) => (s.status === 'stopped' || s.status === 'failed') && s.hasCheckpoint));
      if (!runDir) return;
      if (engines.liveRunDirs().includes(runDir)) {
        void vscode.window.showInformationMessage(`${path.basename(runDir)} is running already.`);
        return;
      }
      // Only a run with a checkpoint resumes; without one, "resume" would quietly start over.
      const can = resumability(runDir);
      if (!can.ok) {
        void vscode.window.showInformationMessage(can.reason);
        return;
      }
      const { position } = engines.resume(runDir);
      if (position > 0) void vscode.window.showInformationMessage(`Resuming ${path.basename(runDir)} is queued (#${position}).`);
    }),

    register('gacd.openDashboard', async (arg?: unknown) => {
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run to show'));
      if (!runDir) return;
      if (!store.get(runDir)) store.read(runDir);
      DashboardPanel.show(runDir, store, uri, log);
    }),

    register('gacd.compareRuns', async (clicked?: unknown, selected?: unknown[]) => {
      let runDirs = (selected?.length ? selected : clicked ? [clicked] : []).map(runDirOf).filter((d): d is string => !!d);
      if (runDirs.length < 2) {
        const runs = store.all().sort((a, b) => b.runId.localeCompare(a.runId));
        const picks = await vscode.window.showQuickPick(
          runs.map((r) => ({ label: `${r.experiment} · ${r.meta?.label ?? r.runId}`, description: r.meta?.label ? `${r.runId} · ${r.status}` : r.status, runDir: r.runDir, picked: runDirs.includes(r.runDir) })),
          { canPickMany: true, placeHolder: 'Runs to compare (two or more)' },
        );
        if (!picks) return;
        runDirs = picks.map((p) => p.runDir);
      }
      if (runDirs.length < 1) return;
      ComparisonPanel.show(runDirs, store, uri, log);
    }),

    register('gacd.evaluateCheckpoint', async (arg?: unknown) => {
      if (!(await requireTrust('evaluate a checkpoint'))) return;
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run whose checkpoint to evaluate', (s) => s.status !== 'queued'));
      if (!runDir) return;
      await evaluateCheckpointCommand(runDir, uri, store, log);
    }),

    // With gacd.openDashboardOnRun, a run started from the editor opens its dashboard once its folder exists.
    engines.onDidStartRun(({ runDir, kind }) => {
      if (kind === 'run' && readSettings().openDashboardOnRun) DashboardPanel.show(runDir, store, uri, log);
    }),

    register('gacd.showEngineLog', () => log.show(true)),

    register('gacd.revealRunFolder', async (arg?: unknown) => {
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run folder to reveal'));
      if (!runDir) return;
      const target = vscode.Uri.file(runDir);
      // The OS file manager exists only for a local desktop window; elsewhere, the Explorer view.
      const local = vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName;
      await vscode.commands.executeCommand(local ? 'revealFileInOS' : 'revealInExplorer', target);
    }),

    register('gacd.installGpuBackend', async () => {
      if (!(await requireTrust('install a backend'))) return;
      const pick = await vscode.window.showQuickPick(
        (Object.keys(BACKEND_PACKAGES) as BackendPackage[]).map((k) => ({ label: BACKEND_PACKAGES[k].label, detail: BACKEND_PACKAGES[k].detail, id: k })),
        { placeHolder: 'The native TensorFlow.js backend to install into the extension\'s storage (needs internet)' },
      );
      if (!pick) return;
      log.show(true);
      // Cancel stops npm; the notification shows npm's latest line, so a long download is visibly alive.
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Installing ${BACKEND_PACKAGES[pick.id].pkg}`, cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return installBackend(pick.id, c.backendsDir, {
            signal: abort.signal,
            onOutput: (l) => {
              log.appendLine(`[install] ${l}`);
              progress.report({ message: l.trim().slice(0, 120) });
            },
          });
        },
      );
      log.appendLine(`[install] ${result.message}`);
      if (result.ok || result.cancelled) void vscode.window.showInformationMessage(result.message);
      else void vscode.window.showErrorMessage(result.message, 'Show Engine Log').then((ch) => ch && log.show(true));
    }),

    register('gacd.refreshRuns', () => store.scan()),

    // A label, tags and a note in the run folder's meta.json; delete to the trash.
    register('gacd.renameRun', async (arg?: unknown) => {
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run to rename'));
      if (runDir) await renameRun(store, runDir);
    }),
    register('gacd.tagRun', async (arg?: unknown) => {
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run to tag'));
      if (runDir) await tagRun(store, runDir);
    }),
    register('gacd.editRunNote', async (arg?: unknown) => {
      const runDir = runDirOf(arg) ?? (await pickRun(store, 'Run to annotate'));
      if (runDir) await editRunNote(store, runDir);
    }),
    register('gacd.deleteRun', async (clicked?: unknown, selected?: unknown[]) => {
      const runDirs = clicked ? runDirsOf(clicked, selected) : [await pickRun(store, 'Run to delete', (s) => s.status !== 'running')].filter((d): d is string => !!d);
      await deleteRuns(store, runDirs);
    }),

    register('gacd.runSweep', async (arg?: unknown) => sweepCommand(arg, 'local')),
    register('gacd.submitSweep', async (arg?: unknown) => {
      if (!hasSbatch()) {
        void vscode.window.showErrorMessage('sbatch is not on the PATH of this VS Code, so there is no Slurm to submit to: use Run Sweep (the local executor) instead.');
        return;
      }
      await sweepCommand(arg, 'slurm');
    }),
  ];
}
