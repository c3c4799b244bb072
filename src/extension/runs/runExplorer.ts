/** The run explorer view: the tree model (treeModel.ts) as `vscode.TreeItem`s, refreshed on change. */
import * as vscode from 'vscode';
import type { RunStore } from './runStore';
import { findSweeps } from './sweeps';
import { buildTree, type ExperimentNode, type QueuedRun, type RunNode, type SweepNode } from './treeModel';

/**
 * What the explorer needs of the engine manager: its queue and a change signal. Declared here so
 * that runs/ does not import engine/ (engine/ imports runs/).
 */
export interface QueueSource {
  queued(): QueuedRun[];
  onDidChange: vscode.Event<unknown>;
}

export type ExplorerNode = ExperimentNode | SweepNode | RunNode;

export class RunExplorer implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: ExperimentNode[] = [];
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly store: RunStore,
    private readonly engines: QueueSource,
  ) {
    this.subscriptions = [store.onDidChange(() => this.refresh()), engines.onDidChange(() => this.refresh()), this.changed];
  }

  refresh(): void {
    this.roots = this.build();
    this.changed.fire(undefined);
  }

  private build(): ExperimentNode[] {
    const runs = this.store.all();
    return buildTree(runs, this.engines.queued(), findSweeps(runs.map((r) => r.runDir)));
  }

  getChildren(node?: ExplorerNode): ExplorerNode[] {
    if (!node) {
      this.roots = this.build();
      return this.roots;
    }
    return node.kind === 'experiment' ? node.runs : node.kind === 'sweep' ? node.members : [];
  }

  getTreeItem(node: ExplorerNode): vscode.TreeItem {
    if (node.kind === 'experiment') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
      item.id = node.id;
      item.description = node.description;
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.contextValue = 'gacd.experiment';
      return item;
    }
    if (node.kind === 'sweep') {
      const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = node.id;
      item.description = node.description;
      item.tooltip = node.tooltip;
      item.iconPath = new vscode.ThemeIcon('layers');
      item.contextValue = node.contextValue;
      item.resourceUri = vscode.Uri.file(node.dir);
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.iconPath = new vscode.ThemeIcon(node.icon.id, node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined);
    item.contextValue = node.contextValue;
    if (node.runDir && node.status !== 'queued') {
      item.command = { command: 'gacd.openDashboard', title: 'Open Dashboard', arguments: [node] };
      item.resourceUri = vscode.Uri.file(node.runDir);
    }
    return item;
  }

  getParent(node: ExplorerNode): ExplorerNode | undefined {
    if (node.kind === 'experiment') return undefined;
    for (const e of this.roots) {
      for (const child of e.runs) {
        if (child.id === node.id) return e;
        if (child.kind === 'sweep' && child.members.some((m) => m.id === node.id)) return child;
      }
    }
    return undefined;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
