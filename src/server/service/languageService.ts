/**
 * The language service for `.gacd` files: one function per editor feature, each in its own file,
 * over a cache that analyses each document version at most once. It knows nothing of the Language
 * Server Protocol; `../connection.ts` adapts it. Every entry point catches its own failures and
 * answers with nothing rather than throw, so that one bad request never takes the server down.
 */
import { DEFAULT_NOTES_MODE, type NotesMode } from '../../engine/experiment/problems';
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
  /** How notes on settings a paper leaves unconfirmed are shown; default one per file. */
  notes?: NotesMode;
}

/** What the editor's settings may change while the service runs. */
export interface LanguageServiceSettings {
  notes?: NotesMode;
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
  /** Applies changed settings to every later answer. */
  configure(settings: LanguageServiceSettings): void;
}

export function createLanguageService(options: LanguageServiceOptions = {}): LanguageService {
  const cache = new AnalysisCache(options.workspaceRoot ?? (() => undefined));
  let notes = options.notes ?? DEFAULT_NOTES_MODE;
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
    validate: guard('diagnostics', () => [], (a) => computeDiagnostics(a, notes)),
    complete: guard('completion', () => [], computeCompletion),
    hover: guard('hover', () => undefined, computeHover),
    codeActions: guard('code actions', () => [], (a, span: Span) => computeCodeActions(a, span, notes)),
    documentSymbols: guard('document symbols', () => [], computeSymbols),
    foldingRanges: guard('folding ranges', () => [], computeFolding),
    format: guard('formatting', () => [], computeFormatting),
    forget: (id) => cache.forget(id),
    reset: () => cache.clear(),
    configure: (settings) => {
      if (settings.notes) notes = settings.notes;
    },
  };
}

export type * from './types';
export { NOTES_MODES, type NotesMode } from '../../engine/experiment/problems';
