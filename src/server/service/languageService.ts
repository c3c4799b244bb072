/**
 * The language service for `.gacd` files: one function per editor feature, each in its own file,
 * over a cache that analyses each document version at most once. It knows nothing of the Language
 * Server Protocol; `../connection.ts` adapts it. Every entry point catches its own failures and
 * answers with nothing rather than throw, so that one bad request never takes the server down.
 */
import { AnalysisCache } from './analysis';
import type { Analysis } from './analysis';
import { computeCodeActions } from './codeActions';
import { computeCompletion } from './completion';
import { computeDiagnostics } from './diagnostics';
import { computeFolding } from './folding';
import { computeFormatting } from './formatting';
import { computeHover } from './hover';
import { computeSymbols } from './symbols';
import type {
  CodeAction,
  CompletionItem,
  CompletionOptions,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  FormattingOptions,
  Hover,
  Position,
  ServiceDocument,
  Span,
  TextEdit,
} from './types';

export interface LanguageServiceOptions {
  /**
   * The workspace folder a file belongs to (paths in the experiment must stay inside it); by
   * default the one `loadExperiment` finds from the file (.git, .vscode or package.json).
   */
  workspaceRoot?: (filePath: string) => string | undefined;
  /** Told about a failure that was turned into an empty answer (the server logs it). */
  onError?: (feature: string, error: unknown) => void;
}

export interface LanguageService {
  validate(doc: ServiceDocument): Diagnostic[];
  complete(doc: ServiceDocument, pos: Position, options?: CompletionOptions): CompletionItem[];
  hover(doc: ServiceDocument, pos: Position): Hover | undefined;
  codeActions(doc: ServiceDocument, span: Span): CodeAction[];
  documentSymbols(doc: ServiceDocument): DocumentSymbol[];
  foldingRanges(doc: ServiceDocument): FoldingRange[];
  format(doc: ServiceDocument, options?: FormattingOptions): TextEdit[];
  /** Drops what is cached for a closed document. */
  forget(id: string): void;
  /** Drops every cached analysis (files on disk changed: a path may now exist). */
  reset(): void;
}

export function createLanguageService(options: LanguageServiceOptions = {}): LanguageService {
  const cache = new AnalysisCache(options.workspaceRoot ?? (() => undefined));
  const guard =
    <A extends unknown[], R>(feature: string, fallback: () => R, run: (a: Analysis, ...args: A) => R) =>
    (doc: ServiceDocument, ...args: A): R => {
      try {
        return run(cache.get(doc), ...args);
      } catch (e) {
        options.onError?.(feature, e);
        return fallback();
      }
    };
  return {
    validate: guard('diagnostics', () => [], computeDiagnostics),
    complete: guard('completion', () => [], computeCompletion),
    hover: guard('hover', () => undefined, computeHover),
    codeActions: guard('code actions', () => [], computeCodeActions),
    documentSymbols: guard('document symbols', () => [], computeSymbols),
    foldingRanges: guard('folding ranges', () => [], computeFolding),
    format: guard('formatting', () => [], computeFormatting),
    forget: (id) => cache.forget(id),
    reset: () => cache.clear(),
  };
}

export type * from './types';
