/**
 * What both panels share: the webview's options (scripts on, resources only from dist/webview),
 * the HTML with its CSP, validation of every page message, the `initialized` handshake, and
 * exports saved where the person chooses.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { parsePageMessage, type HostMessage, type PageMessage, type PanelKind } from '../../protocol/webview';
import { panelHtml } from './html';

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    // No retainContextWhenHidden: a hidden panel's page is dropped and rebuilt from the host's data
    // after its next `initialized`, which costs less memory than keeping 100,000 points alive.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
  };
}

export abstract class PanelBase implements vscode.Disposable {
  protected ready = false;
  protected readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly kind: PanelKind,
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: vscode.OutputChannel,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', kind === 'dashboard' ? 'dashboard.svg' : 'compare.svg');
    const asset = (name: string) => panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', name)).toString();
    panel.webview.html = panelHtml({ kind, title: panel.title, cspSource: panel.webview.cspSource, scriptUri: asset(`${kind}.js`), styleUri: asset('style.css') });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data) => {
        const r = parsePageMessage(data);
        if (!r.ok) {
          this.log.appendLine(`[${kind} panel] ignored a message that breaks the contract: ${r.reason}`);
          return;
        }
        void this.receive(r.message);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  protected post(message: HostMessage): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async receive(m: PageMessage): Promise<void> {
    switch (m.type) {
      case 'initialized':
        this.ready = true;
        this.sendInitial();
        break;
      case 'export':
        await this.save(m.format, m.suggestedName, m.content);
        break;
      case 'command':
        await vscode.commands.executeCommand(
          { stop: 'gacd.stopRun', resume: 'gacd.resumeRun', revealFolder: 'gacd.revealRunFolder', showLog: 'gacd.showEngineLog' }[m.command],
          m.runDir,
        );
        break;
      case 'page-error':
        this.log.appendLine(`[${this.kind} panel] ${m.message}`);
        break;
    }
  }

  /** Sends the page its data; called on every `initialized` (first load, reload, restore). */
  protected abstract sendInitial(): void;

  private async save(format: string, suggestedName: string, content: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const filters: Record<string, Record<string, string[]>> = {
      csv: { CSV: ['csv'] },
      markdown: { Markdown: ['md'] },
      latex: { LaTeX: ['tex'] },
      png: { 'PNG image': ['png'] },
    };
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, suggestedName) : undefined, filters: filters[format] });
    if (!target) return;
    try {
      const bytes = format === 'png' ? Buffer.from(content.replace(/^data:image\/png;base64,/, ''), 'base64') : Buffer.from(content, 'utf8');
      if (target.scheme === 'file') fs.writeFileSync(target.fsPath, bytes);
      else await vscode.workspace.fs.writeFile(target, bytes);
      this.post({ type: 'export/done', ok: true, message: `Saved ${vscode.workspace.asRelativePath(target)}` });
    } catch (err) {
      this.post({ type: 'export/done', ok: false, message: `Could not save ${target.fsPath}: ${(err as Error).message}` });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }

  protected onDispose(): void {}
}
