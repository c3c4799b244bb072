/**
 * A language client for tests and the benchmark: starts `src/server/server.ts --stdio` in a child
 * process and talks to it with `vscode-jsonrpc` from plain Node, as an editor would.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';

export const repoRoot = path.resolve(__dirname, '../..');

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; severity?: number; code?: string | number; message: string; data?: unknown }[];
}

export interface TestClient {
  connection: MessageConnection;
  child: ChildProcessWithoutNullStreams;
  initializeResult: { capabilities: Record<string, unknown> };
  /** Messages the server logged (window/logMessage), e.g. a handler that failed. */
  logs: string[];
  /** Resolves with the first diagnostics published for `uri` at `version` or later. */
  diagnostics(uri: string, version?: number): Promise<PublishedDiagnostics>;
  open(uri: string, text: string, version?: number): void;
  stop(): Promise<number | null>;
}

export const fileUri = (p: string): string => pathToFileURL(p).href;

export async function startClient(options: { diagnosticsDelayMs?: number; rootPath?: string; notes?: string } = {}): Promise<TestClient> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/server/server.ts'), '--stdio'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const latest = new Map<string, PublishedDiagnostics>();
  const waiters: { uri: string; version: number; resolve: (d: PublishedDiagnostics) => void }[] = [];
  const logs: string[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
    latest.set(p.uri, p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && (p.version ?? 0) >= w.version) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  connection.onNotification('window/logMessage', (p: { message: string }) => {
    logs.push(p.message);
  });
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('workspace/configuration', () => []);
  connection.listen();

  const rootPath = options.rootPath ?? repoRoot;
  const initializeResult = (await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: fileUri(rootPath),
    workspaceFolders: [{ uri: fileUri(rootPath), name: 'workspace' }],
    capabilities: {
      textDocument: {
        completion: { completionItem: { snippetSupport: true } },
        publishDiagnostics: { versionSupport: true },
      },
    },
    initializationOptions: {
      ...(options.diagnosticsDelayMs === undefined ? {} : { diagnosticsDelayMs: options.diagnosticsDelayMs }),
      ...(options.notes === undefined ? {} : { notes: options.notes }),
    },
  })) as TestClient['initializeResult'];
  await connection.sendNotification('initialized', {});

  return {
    connection,
    child,
    initializeResult,
    logs,
    diagnostics(uri, version = 0) {
      const have = latest.get(uri);
      if (have && (have.version ?? 0) >= version) {
        latest.delete(uri);
        return Promise.resolve(have);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}; stderr: ${stderr}`)), 20_000);
        waiters.push({
          uri,
          version,
          resolve: (d) => {
            clearTimeout(timer);
            latest.delete(uri);
            resolve(d);
          },
        });
      });
    },
    open(uri, text, version = 1) {
      void connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'gacd', version, text } });
    },
    async stop() {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      try {
        await connection.sendRequest('shutdown');
        await connection.sendNotification('exit');
      } catch {
        child.kill();
      }
      const timer = setTimeout(() => child.kill(), 5000);
      const code = await exited;
      clearTimeout(timer);
      connection.dispose();
      return code;
    },
  };
}
