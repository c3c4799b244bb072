/**
 * The comparison panel: the chosen runs' whole logs, labels and model cards' weight hashes, sent
 * after the page's `initialized`, and again when a run is renamed (so legends follow).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { VIEW_TYPES } from '../../protocol/webview';
import { readCheckpointEvaluations } from '../runs/checkpoints';
import { readWeightHashes } from '../runs/modelCards';
import type { RunStore } from '../runs/runStore';
import { PanelBase } from './panelBase';

export class ComparisonPanel extends PanelBase {
  private static readonly open = new Set<ComparisonPanel>();

  /** Sends the open comparisons that show this run their data again (a checkpoint was evaluated). */
  static checkpointEvaluationsChanged(runDir: string): void {
    for (const p of ComparisonPanel.open) if (p.ready && p.runDirs.includes(runDir)) p.sendInitial();
  }

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
    ComparisonPanel.open.add(this);
    this.disposables.push({ dispose: () => ComparisonPanel.open.delete(this) });
    let labels = this.labels();
    this.disposables.push(
      store.onDidChange(() => {
        const now = this.labels();
        if (now === labels) return;
        labels = now;
        this.sendInitial();
      }),
    );
  }

  private labels(): string {
    return JSON.stringify(this.runDirs.map((d) => this.store.get(d)?.meta?.label ?? null));
  }

  protected sendInitial(): void {
    this.post({
      type: 'comparison/init',
      runs: this.runDirs.map((runDir) => {
        if (!this.store.get(runDir)) this.store.read(runDir);
        const s = this.store.get(runDir);
        return {
          run: { runDir, runId: s?.runId ?? path.basename(runDir), experiment: s?.experiment ?? path.basename(path.dirname(runDir)), status: s?.status ?? 'stopped', label: s?.meta?.label },
          events: this.store.events(runDir),
          weights: readWeightHashes(runDir),
          checkpointEvaluations: readCheckpointEvaluations(runDir, (file, reason) => this.log.appendLine(`[comparison] skipped ${file}, not a checkpoint evaluation: ${reason}`)),
        };
      }),
    });
  }
}
