/**
 * The language client: starts the language server (dist/server.js, which never loads
 * TensorFlow.js) over IPC for `.gacd` files. It runs in untrusted workspaces too: it only reads.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'gacd' }],
    // The `gacd` settings reach the server at start and again when they change (gacd.notes).
    initializationOptions: { notes: vscode.workspace.getConfiguration('gacd').get<string>('notes') },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.gacd'), configurationSection: 'gacd' },
    outputChannelName: 'GACD Language Server',
  };
  const client = new LanguageClient('gacd', 'GACD Language Server', serverOptions, clientOptions);
  await client.start();
  return client;
}
