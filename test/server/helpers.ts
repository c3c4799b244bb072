/**
 * Helpers of the language service tests: documents built from fixture text in which `|` marks the
 * cursor (as yaml-language-server's tests do), and a service that fails the test on any error it
 * would otherwise have swallowed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createLanguageService } from '../../src/server/service/languageService';
import type { LanguageService } from '../../src/server/service/languageService';
import type { Position, ServiceDocument, Span, TextEdit } from '../../src/server/service/types';

export const repoRoot = path.resolve(__dirname, '../..');
export const fixtures = path.join(repoRoot, 'test/experiment/fixtures');

/** The example experiments the service must handle: the examples and the engine's fixtures. */
export function exampleFiles(): string[] {
  const dirs = [path.join(repoRoot, 'examples'), fixtures];
  return dirs.flatMap((d) => {
    try {
      return fs
        .readdirSync(d)
        .filter((f) => f.endsWith('.gacd'))
        .sort()
        .map((f) => path.join(d, f));
    } catch {
      return [];
    }
  });
}

/** A service whose swallowed errors are collected, so that a test can assert there were none. */
export function strictService(root?: string): { service: LanguageService; errors: unknown[] } {
  const errors: unknown[] = [];
  const service = createLanguageService({
    workspaceRoot: () => root,
    onError: (feature, e) => errors.push(new Error(`${feature}: ${(e as Error)?.stack ?? String(e)}`)),
  });
  return { service, errors };
}

let counter = 0;

/** A document for `text` at `filePath` (by default a file in a folder that does not exist). */
export function doc(text: string, filePath = '/nonexistent-ws/exp.gacd'): ServiceDocument {
  return { id: `test://${++counter}`, filePath, version: 1, text };
}

/** Splits text with one `|` cursor marker into the text and the cursor position. */
export function cursor(marked: string): { text: string; pos: Position } {
  const i = marked.indexOf('|');
  if (i < 0) throw new Error('no | cursor marker in the fixture');
  const text = marked.slice(0, i) + marked.slice(i + 1);
  const before = text.slice(0, i).split('\n');
  return { text, pos: { line: before.length - 1, character: before[before.length - 1].length } };
}

/** The text a span covers. */
export function spanText(text: string, s: Span): string {
  const lines = text.split('\n');
  if (s.start.line === s.end.line) return lines[s.start.line].slice(s.start.character, s.end.character);
  return [lines[s.start.line].slice(s.start.character), ...lines.slice(s.start.line + 1, s.end.line), lines[s.end.line].slice(0, s.end.character)].join('\n');
}

/** Applies edits (non-overlapping, any order) to text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: Position) => Math.min(text.length, (starts[p.line] ?? text.length) + p.character);
  const sorted = [...edits].sort((a, b) => offset(b.span.start) - offset(a.span.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.span.start)) + e.newText + out.slice(offset(e.span.end));
  return out;
}

// The experiment tests' workspace and minimal file serve the server tests too.
export { MINIMAL, tempWorkspace } from '../experiment/helpers';
