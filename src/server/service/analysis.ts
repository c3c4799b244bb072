/**
 * What the service knows about one version of a document, computed lazily and at most once:
 * the text model, the line structure, the parse (with positions) and the full check through
 * `loadExperiment`, the same function `gacd check` and the engine call, so that the editor and the
 * command line report the same problems from one source.
 */
import { loadExperiment } from '../../engine/experiment/load';
import type { LoadResult } from '../../engine/experiment/load';
import type { ParsedExperiment } from '../../engine/experiment/parse';
import { parseExperimentText, toPlain } from '../../engine/experiment/parse';
import type { Range } from '../../engine/experiment/problems';
import type { LineModel } from './lines';
import { readStructure } from './lines';
import { TextModel } from './textModel';
import type { Position, ServiceDocument, Span } from './types';

export class Analysis {
  readonly doc: ServiceDocument;
  readonly model: TextModel;
  /**
   * 1 when the text starts with a byte-order mark, which `loadExperiment` drops: the parse's
   * offsets and first-line columns are then one less than the editor's.
   */
  readonly bom: number;
  private readonly workspaceRoot: string | undefined;
  private lineModel?: LineModel;
  private parse?: ParsedExperiment;
  private loaded?: LoadResult;
  private plainValue?: { value: unknown };

  constructor(doc: ServiceDocument, workspaceRoot: string | undefined) {
    this.doc = doc;
    this.workspaceRoot = workspaceRoot;
    this.model = new TextModel(doc.text);
    this.bom = doc.text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  get lines(): LineModel {
    return (this.lineModel ??= readStructure(this.model));
  }

  /** The parse with positions; shared with `load` when that ran first. */
  get parsed(): ParsedExperiment {
    return (this.parse ??= this.loaded?.doc ?? parseExperimentText(this.doc.text.slice(this.bom)));
  }

  get load(): LoadResult {
    if (!this.loaded) {
      this.loaded = loadExperiment(this.doc.filePath, { text: this.doc.text, workspaceRoot: this.workspaceRoot });
      // The load parsed the same text: keep its parse unless one was already made.
      this.parse ??= this.loaded.doc;
    }
    return this.loaded;
  }

  /** The file's content as plain data (last duplicate wins); undefined when it cannot be built. */
  get plain(): unknown {
    return (this.plainValue ??= { value: toPlain(this.parsed) }).value;
  }

  /** A problem's 1-based range as a span of the editor's text. */
  spanOfRange(r: Range): Span {
    const shift = (line: number) => (line === 1 ? this.bom : 0);
    const start = this.model.clamp({ line: r.line - 1, character: r.column - 1 + shift(r.line) });
    let end = this.model.clamp({ line: r.endLine - 1, character: r.endColumn - 1 + shift(r.endLine) });
    if (end.line < start.line || (end.line === start.line && end.character < start.character)) end = start;
    return { start, end };
  }

  /** A span of the parse's offsets as a span of the editor's text. */
  spanOfOffsets(start: number, end: number): Span {
    return this.model.span(start + this.bom, end + this.bom);
  }

  /** An editor position as an offset into the parsed text. */
  parseOffset(pos: Position): number {
    return Math.max(0, this.model.offsetAt(pos) - this.bom);
  }
}

/** Keeps the latest analysis of each document, so that requests on one version share the work. */
export class AnalysisCache {
  private readonly byId = new Map<string, Analysis>();
  private readonly rootOf: (filePath: string) => string | undefined;

  constructor(rootOf: (filePath: string) => string | undefined) {
    this.rootOf = rootOf;
  }

  get(doc: ServiceDocument): Analysis {
    const cached = this.byId.get(doc.id);
    if (cached && cached.doc.text === doc.text && cached.doc.filePath === doc.filePath) return cached;
    const fresh = new Analysis(doc, this.rootOf(doc.filePath));
    this.byId.set(doc.id, fresh);
    return fresh;
  }

  forget(id: string): void {
    this.byId.delete(id);
  }

  /** Drops every analysis, e.g. when files on disk changed (a dataset folder appeared). */
  clear(): void {
    this.byId.clear();
  }
}
