/**
 * GACD Studio's extension host side. It never loads TensorFlow.js: training runs in engine
 * processes (dist/cli.js) that this side starts, stops and listens to; the language features come
 * from the language server (dist/server.js) over IPC.
 *
 * What it wires: the run store (run folders + live engines), the engine manager (queue and
 * processes), the run explorer, the status bar, the panels and their serializers, the commands,
 * the language client, and workspace trust (untrusted: the language server works, nothing runs).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { panelState, VIEW_TYPES } from '../protocol/webview';
import { registerCommands } from './commands';
import { readSettings } from './engine/settings';
import { EngineManager } from './engine/engineManager';
import { startLanguageClient } from './languageClient';
import { ComparisonPanel } from './panels/comparisonPanel';
import { DashboardPanel } from './panels/dashboardPanel';
import { RunExplorer } from './runs/runExplorer';
import { RunStore } from './runs/runStore';
import { RunStatusBar } from './statusBar';

let stopClient: (() => Promise<void>) | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('GACD Engine');
  const backendsDir = path.join(context.globalStorageUri.fsPath, 'backends');
  const store = new RunStore(() => readSettings().runsDirectory, (line) => log.appendLine(line));
  const engines = new EngineManager(context.extensionPath, backendsDir, store, log);
  const explorer = new RunExplorer(store, engines);
  const view = vscode.window.createTreeView('gacd.runs', { treeDataProvider: explorer, canSelectMany: true, showCollapseAll: true });
  const statusBar = new RunStatusBar(store, engines);

  const setTrustContext = () => void vscode.commands.executeCommand('setContext', 'gacd.trusted', vscode.workspace.isTrusted);
  setTrustContext();

  context.subscriptions.push(
    log,
    store,
    engines,
    explorer,
    view,
    statusBar,
    ...registerCommands({ context, store, engines, log, backendsDir }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.dashboard, {
      async deserializeWebviewPanel(panel, state) {
        const s = panelState.safeParse(state);
        if (!s.success || s.data.kind !== 'dashboard') {
          panel.dispose();
          return;
        }
        store.read(s.data.runDir);
        DashboardPanel.restore(panel, s.data.runDir, store, context.extensionUri, log);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPES.comparison, {
      async deserializeWebviewPanel(panel, state) {
        const s = panelState.safeParse(state);
        if (!s.success || s.data.kind !== 'comparison') {
          panel.dispose();
          return;
        }
        for (const d of s.data.runDirs) store.read(d);
        ComparisonPanel.restore(panel, s.data.runDirs, store, context.extensionUri, log);
      },
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gacd.maxConcurrentRuns')) engines.setMaxConcurrent(readSettings().maxConcurrentRuns);
      if (e.affectsConfiguration('gacd.runsDirectory')) {
        store.watch();
        void store.scan();
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(setTrustContext),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      store.watch();
      void store.scan();
    }),
  );

  void store.start().then(() => explorer.refresh());

  try {
    const client = await startLanguageClient(context);
    stopClient = () => client.stop();
  } catch (err) {
    log.appendLine(`the language server did not start: ${(err as Error).message}`);
  }
}

export async function deactivate(): Promise<void> {
  await stopClient?.();
}
