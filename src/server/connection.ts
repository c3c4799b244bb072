/**
 * The Language Server Protocol handlers: thin wiring from a `vscode-languageserver` connection to
 * the language service. Documents are synced incrementally; diagnostics are pushed after each
 * change, a short moment after the last keystroke so that a burst of edits is checked once, and
 * always for the document's latest version.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lsp from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  fromRange,
  toCodeAction,
  toCompletionItem,
  toDiagnostic,
  toDocumentSymbol,
  toFoldingRange,
  toHover,
  toTextEdit,
  uriToPath,
} from './convert';
import { createLanguageService, NOTES_MODES, type NotesMode } from './service/languageService';
import type { ServiceDocument } from './service/types';

/** What a client may pass in `initializationOptions`. */
export interface GacdInitializationOptions {
  /** Milliseconds to wait after a change before checking the document again; default 50. */
  diagnosticsDelayMs?: number;
  /** The `gacd.notes` setting: notes on unconfirmed settings per file, per setting, or none. */
  notes?: NotesMode;
}

/** A `gacd.notes` value the service knows, or undefined. */
function notesMode(v: unknown): NotesMode | undefined {
  return NOTES_MODES.find((m) => m === v);
}

export const DEFAULT_DIAGNOSTICS_DELAY_MS = 50;

export function startServer(connection: lsp.Connection): void {
  const documents = new lsp.TextDocuments(TextDocument);
  let workspaceFolders: string[] = [];
  let snippets = true;
  let delay = DEFAULT_DIAGNOSTICS_DELAY_MS;
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  /** The version whose diagnostics were published last, per document. */
  const published = new Map<string, number>();

  const rootOf = (filePath: string): string | undefined => {
    const inside = workspaceFolders.filter((f) => filePath === f || filePath.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
    return inside.sort((a, b) => b.length - a.length)[0];
  };
  const service = createLanguageService({
    workspaceRoot: rootOf,
    onError: (feature, error) => connection.console.error(`gacd: ${feature} failed: ${(error as Error)?.stack ?? String(error)}`),
  });

  const serviceDoc = (doc: TextDocument): ServiceDocument => ({
    id: doc.uri,
    filePath: uriToPath(doc.uri, workspaceFolders[0] ?? process.cwd()),
    version: doc.version,
    text: doc.getText(),
  });

  const validate = (uri: string): void => {
    pending.delete(uri);
    const doc = documents.get(uri);
    if (!doc) return;
    const diagnostics = service.validate(serviceDoc(doc)).map(toDiagnostic);
    published.set(uri, doc.version);
    void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
  };

  const schedule = (uri: string): void => {
    clearTimeout(pending.get(uri));
    // Opening a document also reports a content change, of the version just checked.
    if (published.get(uri) === documents.get(uri)?.version) {
      pending.delete(uri);
      return;
    }
    pending.set(uri, setTimeout(() => validate(uri), delay));
  };

  connection.onInitialize((params): lsp.InitializeResult => {
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspaceFolders = folders.flatMap((uri) => {
      try {
        return uri.startsWith('file:') ? [path.resolve(fileURLToPath(uri))] : [];
      } catch {
        return [];
      }
    });
    if (workspaceFolders.length === 0 && params.rootPath) workspaceFolders = [path.resolve(params.rootPath)];
    snippets = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport ?? false;
    const opts = (params.initializationOptions ?? {}) as GacdInitializationOptions;
    if (typeof opts.diagnosticsDelayMs === 'number' && opts.diagnosticsDelayMs >= 0) delay = opts.diagnosticsDelayMs;
    service.configure({ notes: notesMode(opts.notes) });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: lsp.TextDocumentSyncKind.Incremental },
        // Typing a key's colon, a list dash, a path's slash or a flow list's bracket or comma
        // opens the list of what may follow; words open it anyway.
        completionProvider: { triggerCharacters: [':', '-', '/', '[', ','] },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [lsp.CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        foldingRangeProvider: true,
        documentFormattingProvider: true,
      },
      serverInfo: { name: 'gacd-ls', version: '0.1.0' },
    };
  });

  documents.onDidOpen((e) => validate(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.onDidClose((e) => {
    clearTimeout(pending.get(e.document.uri));
    pending.delete(e.document.uri);
    service.forget(e.document.uri);
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  // A dataset or checkpoint folder may have appeared or gone: check every open document again.
  connection.onDidChangeWatchedFiles(() => {
    service.reset();
    published.clear();
    for (const doc of documents.all()) schedule(doc.uri);
  });

  // The client sends its `gacd` settings when they change (synchronize.configurationSection).
  connection.onDidChangeConfiguration((params) => {
    const notes = notesMode((params.settings as { gacd?: { notes?: unknown } } | undefined)?.gacd?.notes);
    if (!notes) return;
    service.configure({ notes });
    published.clear();
    for (const doc of documents.all()) validate(doc.uri);
  });

  const withDoc =
    <P extends { textDocument: { uri: string } }, R>(fallback: R, run: (doc: ServiceDocument, params: P) => R) =>
    (params: P): R => {
      const doc = documents.get(params.textDocument.uri);
      return doc ? run(serviceDoc(doc), params) : fallback;
    };

  connection.onCompletion(
    withDoc<lsp.CompletionParams, lsp.CompletionItem[]>([], (doc, p) => service.complete(doc, p.position, { snippets }).map(toCompletionItem)),
  );
  connection.onHover(
    withDoc<lsp.HoverParams, lsp.Hover | null>(null, (doc, p) => {
      const h = service.hover(doc, p.position);
      return h ? toHover(h) : null;
    }),
  );
  connection.onCodeAction(
    withDoc<lsp.CodeActionParams, lsp.CodeAction[]>([], (doc, p) => {
      const only = p.context.only;
      if (only && !only.some((k) => k === lsp.CodeActionKind.QuickFix || lsp.CodeActionKind.QuickFix.startsWith(`${k}.`) || k === '')) return [];
      return service.codeActions(doc, fromRange(p.range)).map((a) => toCodeAction(doc.id, a));
    }),
  );
  connection.onDocumentSymbol(withDoc<lsp.DocumentSymbolParams, lsp.DocumentSymbol[]>([], (doc) => service.documentSymbols(doc).map(toDocumentSymbol)));
  connection.onFoldingRanges(withDoc<lsp.FoldingRangeParams, lsp.FoldingRange[]>([], (doc) => service.foldingRanges(doc).map(toFoldingRange)));
  connection.onDocumentFormatting(
    withDoc<lsp.DocumentFormattingParams, lsp.TextEdit[]>([], (doc, p) => service.format(doc, { tabSize: p.options.tabSize }).map(toTextEdit)),
  );

  documents.listen(connection);
  connection.listen();
}
