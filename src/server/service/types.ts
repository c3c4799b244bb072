/**
 * The language service's own vocabulary. These types mirror the shape of the editor features
 * (positions, edits, completion items, quick fixes) without depending on the Language Server
 * Protocol: the LSP handlers in `../connection.ts` translate them, so the service can be tested,
 * benchmarked and reused (a CLI, a web editor) without a connection.
 *
 * Positions are 0-based lines and 0-based characters counted in UTF-16 code units, which is what
 * JavaScript string offsets count, so that no conversion is needed anywhere in between.
 */

export interface Position {
  line: number;
  character: number;
}

/** A span of text; `end` is exclusive. */
export interface Span {
  start: Position;
  end: Position;
}

/** The document the service works on: its text at one version, and where it lives on disk. */
export interface ServiceDocument {
  /** An opaque identifier (the handlers pass the editor's URI); the cache is keyed by it. */
  id: string;
  /** The file's path on disk, against which the experiment's relative paths resolve. */
  filePath: string;
  /** The editor's version; a new version with the same text reuses the analysis. */
  version: number;
  text: string;
}

export type DiagnosticSeverity = 'error' | 'warning' | 'info' | 'hint';

export interface Diagnostic {
  span: Span;
  severity: DiagnosticSeverity;
  /** The problem code of src/engine/experiment/problems.ts, or `unused-ignore` for our own hint. */
  code: string;
  message: string;
  /** Set on diagnostics whose text can be removed (an ignore comment that silences nothing). */
  unnecessary?: boolean;
  /** What quick fixes are built from; it travels with the diagnostic through the client. */
  data?: DiagnosticData;
}

export interface DiagnosticData {
  /** The short suggestion that `gacd check` prints, e.g. "did you mean 8/255?". */
  fix?: string;
  /** Replacement texts for the span, best first. */
  replacements?: string[];
  /** On the one note that stands for this many notes on unconfirmed settings. */
  summarises?: number;
}

export interface TextEdit {
  span: Span;
  newText: string;
}

export type CompletionKind = 'property' | 'section' | 'value' | 'enum' | 'snippet' | 'file' | 'folder' | 'keyword' | 'text';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  /** One line shown beside the label (the type, or the catalog title). */
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** The text written in place of `edit.span`; a snippet with `$1`-style tab stops when `snippet`. */
  insertText: string;
  snippet: boolean;
  /** What is replaced: the word around the cursor. */
  span: Span;
  /** Sorts the list (the client sorts by it, then by label). */
  sortText?: string;
  /** Typed text the client matches against, when it differs from the label. */
  filterText?: string;
  preselect?: boolean;
}

export interface CompletionOptions {
  /** Whether the client accepts snippets; without, tab stops are removed from the inserted text. */
  snippets?: boolean;
}

export interface Hover {
  /** Markdown. */
  contents: string;
  span: Span;
}

export interface CodeAction {
  title: string;
  kind: 'quickfix';
  /** The diagnostics this action fixes. */
  diagnostics: Diagnostic[];
  edits: TextEdit[];
  /** The action that editors apply with "auto fix" (one per diagnostic at most). */
  preferred?: boolean;
}

export type SymbolKind = 'section' | 'list' | 'setting' | 'entry';

export interface DocumentSymbol {
  name: string;
  detail?: string;
  kind: SymbolKind;
  /** The whole entry, key and value. */
  span: Span;
  /** The key (or the first line of a list entry), which the editor selects. */
  selectionSpan: Span;
  children: DocumentSymbol[];
}

export interface FoldingRange {
  /** 0-based first line (which stays visible when folded) and last line (hidden with the rest). */
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

export interface FormattingOptions {
  /** Spaces per indentation level (YAML has no tabs); default 2. */
  tabSize?: number;
}
