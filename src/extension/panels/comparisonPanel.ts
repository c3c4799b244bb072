/** The comparison panel: the chosen runs' whole logs, sent after the page's `initialized`. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VIEW_TYPES } from '../../protocol/webview';
import type { RunStore } from '../runs/runStore';
import { PanelBase } from './panelBase';

export class ComparisonPanel extends PanelBase {
  static show(runDirs: string[], store: RunStore, extensionUri: vscode.Uri, log: vscode.OutputChannel): ComparisonPanel {
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES.comparison, ComparisonPanel.title(runDirs), vscode.ViewColumn.Active, {});
    return new ComparisonPanel(panel, runDirs, store, extensionUri, log);
  }

  static restore(panel: vscode.WebviewPanel, runDirs: string[], store: RunStore, extensionUri: vscode.Uri, log: vscode.OutputChannel): ComparisonPanel {
    panel.title = ComparisonPanel.title(runDirs);
    return new ComparisonPanel(panel, runDirs, store, extensionUri, log);
  }

  static title(runDirs: string[]): string {
    return `Compare ${runDirs.length} runs`;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly runDirs: string[],
    private readonly store: RunStore,
    extensionUri: vscode.Uri,
    log: vscode.OutputChannel,
  ) {
    super(panel, 'comparison', extensionUri, log);
  }

  protected sendInitial(): void {
    this.post({
      type: 'comparison/init',
      runs: this.runDirs.map((runDir) => {
        if (!this.store.get(runDir)) this.store.read(runDir);
        const s = this.store.get(runDir);
        return {
          run: { runDir, runId: s?.runId ?? path.basename(runDir), experiment: s?.experiment ?? path.basename(path.dirname(runDir)), status: s?.status ?? 'stopped' },
          events: this.store.events(runDir),
        };
      }),
    });
  }
}
