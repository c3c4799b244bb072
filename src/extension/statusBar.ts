/** The status-bar item: the running run's whole progress, ETA and phase (model, epoch or attack); hidden when nothing runs. */
import * as vscode from 'vscode';
import { formatDuration } from './format';
import { runProgressPhrase, runProgressText } from '../protocol/eventText';
import type { EngineManager } from './engine/engineManager';
import type { RunStore } from './runs/runStore';

export class RunStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gacd.run', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly store: RunStore,
    private readonly engines: EngineManager,
  ) {
    this.item.name = 'GACD Run';
    this.subscriptions = [store.onDidChange(() => this.update()), engines.onDidChange(() => this.update()), this.item];
    this.update();
  }

  update(): void {
    const live = this.engines.liveRunDirs();
    const queued = this.engines.queued().length;
    const s = live.length ? this.store.get(live[0]) : undefined;
    if (!s && !queued && !this.engines.isBusy()) {
      this.item.hide();
      return;
    }
    const parts: string[] = [];
    if (s) {
      parts.push(s.experiment);
      if (s.overall) parts.push(runProgressText(s.overall.fraction, s.overall.etaSeconds), runProgressPhrase(s.overall));
      else if (s.current) parts.push(`${s.current.model} e${s.current.epoch}/${s.current.epochs}`, `${Math.round(s.current.fraction * 100)}%`, `ETA ${formatDuration(s.current.etaSeconds)}`);
      else parts.push('starting');
    } else parts.push('GACD starting');
    if (live.length > 1) parts.push(`+${live.length - 1} running`);
    if (queued) parts.push(`${queued} queued`);
    this.item.text = `$(sync~spin) ${parts.join(' · ')}`;
    this.item.tooltip = s ? `${s.experiment} · ${s.runId}\n${s.runDir}\nClick to open its dashboard.` : 'An engine is starting.';
    this.item.command = s ? { command: 'gacd.openDashboard', title: 'Open Dashboard', arguments: [s.runDir] } : undefined;
    this.item.accessibilityInformation = { label: `GACD run ${parts.join(', ')}` };
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
