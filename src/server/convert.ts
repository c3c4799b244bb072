/**
 * Translations between the language service's types and the Language Server Protocol's. They are
 * the only place where both meet, so a protocol change stays out of the service.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lsp from 'vscode-languageserver/node';
import type * as service from './service/types';

export const SOURCE = 'gacd';

const SEVERITY: Record<service.DiagnosticSeverity, lsp.DiagnosticSeverity> = {
  error: lsp.DiagnosticSeverity.Error,
  warning: lsp.DiagnosticSeverity.Warning,
  info: lsp.DiagnosticSeverity.Information,
  hint: lsp.DiagnosticSeverity.Hint,
};

export const toRange = (s: service.Span): lsp.Range => ({ start: { ...s.start }, end: { ...s.end } });

export const fromRange = (r: lsp.Range): service.Span => ({ start: { ...r.start }, end: { ...r.end } });

export function toDiagnostic(d: service.Diagnostic): lsp.Diagnostic {
  return {
    range: toRange(d.span),
    severity: SEVERITY[d.severity],
    code: d.code,
    source: SOURCE,
    message: d.message,
    ...(d.unnecessary ? { tags: [lsp.DiagnosticTag.Unnecessary] } : {}),
    ...(d.data ? { data: d.data } : {}),
  };
}

const COMPLETION_KIND: Record<service.CompletionKind, lsp.CompletionItemKind> = {
  property: lsp.CompletionItemKind.Property,
  section: lsp.CompletionItemKind.Module,
  value: lsp.CompletionItemKind.Value,
  enum: lsp.CompletionItemKind.EnumMember,
  snippet: lsp.CompletionItemKind.Snippet,
  file: lsp.CompletionItemKind.File,
  folder: lsp.CompletionItemKind.Folder,
  keyword: lsp.CompletionItemKind.Keyword,
  text: lsp.CompletionItemKind.Text,
};

export function toCompletionItem(it: service.CompletionItem): lsp.CompletionItem {
  return {
    label: it.label,
    kind: COMPLETION_KIND[it.kind],
    detail: it.detail,
    documentation: it.documentation ? { kind: lsp.MarkupKind.Markdown, value: it.documentation } : undefined,
    textEdit: { range: toRange(it.span), newText: it.insertText },
    insertTextFormat: it.snippet ? lsp.InsertTextFormat.Snippet : lsp.InsertTextFormat.PlainText,
    // The service writes the indentation of every line itself.
    insertTextMode: lsp.InsertTextMode.asIs,
    sortText: it.sortText,
    filterText: it.filterText,
    preselect: it.preselect,
  };
}

export function toHover(h: service.Hover): lsp.Hover {
  return { contents: { kind: lsp.MarkupKind.Markdown, value: h.contents }, range: toRange(h.span) };
}

export const toTextEdit = (e: service.TextEdit): lsp.TextEdit => ({ range: toRange(e.span), newText: e.newText });

export function toCodeAction(uri: string, a: service.CodeAction): lsp.CodeAction {
  return {
    title: a.title,
    kind: lsp.CodeActionKind.QuickFix,
    diagnostics: a.diagnostics.map(toDiagnostic),
    edit: { changes: { [uri]: a.edits.map(toTextEdit) } },
    ...(a.preferred ? { isPreferred: true } : {}),
  };
}

const SYMBOL_KIND: Record<service.SymbolKind, lsp.SymbolKind> = {
  section: lsp.SymbolKind.Namespace,
  list: lsp.SymbolKind.Array,
  setting: lsp.SymbolKind.Property,
  entry: lsp.SymbolKind.Object,
};

export function toDocumentSymbol(s: service.DocumentSymbol): lsp.DocumentSymbol {
  return {
    name: s.name || ' ',
    detail: s.detail,
    kind: SYMBOL_KIND[s.kind],
    range: toRange(s.span),
    selectionRange: toRange(s.selectionSpan),
    children: s.children.map(toDocumentSymbol),
  };
}

export function toFoldingRange(f: service.FoldingRange): lsp.FoldingRange {
  return { startLine: f.startLine, endLine: f.endLine, ...(f.kind ? { kind: f.kind } : {}) };
}

/**
 * The path on disk of a document URI; a document that is not a file (an untitled editor) is
 * given a path in `fallbackFolder`, so that its relative paths resolve against the workspace.
 */
export function uriToPath(uri: string, fallbackFolder: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      // A malformed file URI is treated like an untitled document.
    }
  }
  const name = decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:/i, '').split(/[\\/]/).pop() ?? '') || 'untitled';
  return path.join(fallbackFolder, name.endsWith('.gacd') ? name : `${name}.gacd`);
}
