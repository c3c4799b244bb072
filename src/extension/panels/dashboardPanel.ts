/**
 * The run dashboard panel: one per run. After the page's `initialized` it gets every event logged
 * so far, then only the new ones (batched every 100 ms), and status changes.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineEvent } from '../../protocol/events';
import { VIEW_TYPES, type RunStatus } from '../../protocol/webview';
import { readCheckpointEvaluations } from '../runs/checkpoints';
import type { RunStore } from '../runs/runStore';
import { PanelBase } from './panelBase';

export class DashboardPanel extends PanelBase {
  private static readonly open = new Map<string, DashboardPanel>();
  private sentSeq = -1;
  private status: RunStatus | undefined;
  private buffer: EngineEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;

  static show(runDir: string, store: RunStore, extensionUri: vscode.Uri, log: vscode.OutputChannel): DashboardPanel {
    const existing = DashboardPanel.open.get(runDir);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPES.dashboard, DashboardPanel.title(runDir, store), vscode.ViewColumn.Active, {});
    return new DashboardPanel(panel, runDir, store, extensionUri, log);
  }

  /** Sends the run's checkpoint evaluations again to its open dashboard (one was added or redone). */
  static checkpointEvaluationsChanged(runDir: string): void {
    const open = DashboardPanel.open.get(runDir);
    if (open?.ready) open.post({ type: 'dashboard/checkpoint-evaluations', checkpointEvaluations: open.checkpointEvaluations() });
  }

  /** Gives a restored panel (the serializer, after a reload) its run back. */
  static restore(panel: vscode.WebviewPanel, runDir: string, store: RunStore, extensionUri: vscode.Uri, log: vscode.OutputChannel): DashboardPanel {
    panel.title = DashboardPanel.title(runDir, store);
    return new DashboardPanel(panel, runDir, store, extensionUri, log);
  }

  static title(runDir: string, store: RunStore): string {
    const s = store.get(runDir);
    return `${s?.experiment ?? path.basename(path.dirname(runDir))} · ${s?.meta?.label ?? path.basename(runDir)}`;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    readonly runDir: string,
    private readonly store: RunStore,
    extensionUri: vscode.Uri,
    log: vscode.OutputChannel,
  ) {
    super(panel, 'dashboard', extensionUri, log);
    DashboardPanel.open.set(runDir, this);
    this.disposables.push(
      store.onDidAppend(({ runDir: dir, events }) => {
        if (dir !== this.runDir || !this.ready) return;
        this.buffer.push(...events);
        this.flushTimer ??= setTimeout(() => this.flush(), 100);
      }),
      store.onDidChange(() => {
        const s = store.get(this.runDir);
        // A rename shows in the tab at once, and in the page's heading after a fresh init (renames are rare).
        const title = DashboardPanel.title(this.runDir, store);
        if (this.panel.title !== title) {
          this.panel.title = title;
          if (this.ready) this.sendInitial();
        }
        if (s && this.ready && s.status !== this.status) {
          this.flush();
          this.status = s.status;
          this.post({ type: 'dashboard/status', status: s.status });
        }
      }),
    );
  }

  private checkpointEvaluations() {
    return readCheckpointEvaluations(this.runDir, (file, reason) => this.log.appendLine(`[dashboard] skipped ${file}, not a checkpoint evaluation: ${reason}`));
  }

  protected sendInitial(): void {
    const events = this.store.events(this.runDir);
    const s = this.store.get(this.runDir);
    this.buffer = [];
    this.status = s?.status ?? 'stopped';
    this.sentSeq = events.length ? events[events.length - 1].seq : -1;
    this.post({
      type: 'dashboard/init',
      run: { runDir: this.runDir, runId: s?.runId ?? path.basename(this.runDir), experiment: s?.experiment ?? path.basename(path.dirname(this.runDir)), status: this.status, label: s?.meta?.label },
      events,
      checkpointEvaluations: this.checkpointEvaluations(),
    });
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const fresh = this.buffer.filter((e) => e.seq > this.sentSeq);
    this.buffer = [];
    if (!fresh.length) return;
    this.sentSeq = fresh[fresh.length - 1].seq;
    this.post({ type: 'dashboard/append', events: fresh });
  }

  protected override onDispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (DashboardPanel.open.get(this.runDir) === this) DashboardPanel.open.delete(this.runDir);
  }
}
