/**
 * Loads an experiment file: parse (keeping positions), validate with the schema, run the semantic
 * checks, and return the spec with every default filled in when nothing is an error. Every
 * problem found is reported, not just the first. The engine, the CLI's `check` and the language
 * server (which passes the editor's text) all come through here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathSettings, semanticChecks } from './checks';
import type { ParsedExperiment, Path } from './parse';
import { parseExperimentText, syntaxProblems, toPlain } from './parse';
import type { Problem } from './problems';
import { hasErrors, sortProblems } from './problems';
import type { ExperimentSpec } from './schema';
import { validateExperiment } from './validate';
import { findWorkspaceRoot } from './workspace';

export interface LoadOptions {
  /** The workspace folder that paths must stay inside; default: found from the file (workspace.ts). */
  workspaceRoot?: string;
  /** The file's content, when it is not (or not yet) on disk, e.g. an editor buffer. */
  text?: string;
}

export interface LoadResult {
  /** The spec, with defaults filled in and paths absolute; absent when any problem is an error. */
  spec?: ExperimentSpec;
  /** Every problem, sorted by position. */
  problems: Problem[];
  /** The parsed document, with positions (an empty one when the file could not be read). */
  doc: ParsedExperiment;
}

/** The experiment name a file gets when it does not say: its base name, made safe for a folder. */
export function defaultExperimentName(file: string): string {
  const base = path.basename(file).replace(/\.gacd$/i, '');
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
  return safe || 'experiment';
}

export function loadExperiment(file: string, opts: LoadOptions = {}): LoadResult {
  let text = opts.text;
  if (text === undefined) {
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const message =
        code === 'ENOENT'
          ? `no such file: ${path.resolve(file)}`
          : code === 'EISDIR'
            ? `${path.resolve(file)} is a folder, not an experiment file`
            : `cannot read ${path.resolve(file)}: ${(e as Error).message}`;
      return {
        problems: [
          {
            file,
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
            severity: 'error',
            code: code === 'ENOENT' ? 'missing-file' : 'unreadable-file',
            message,
          },
        ],
        doc: parseExperimentText(''),
      };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const doc = parseExperimentText(text);
  const syntax = syntaxProblems(doc, file);
  const plain = toPlain(doc) ?? {};
  if (typeof plain !== 'object' || Array.isArray(plain)) {
    const problem: Problem = {
      file,
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 2,
      severity: 'error',
      code: 'wrong-type',
      message: `an experiment file is a set of sections (data:, student:, method:, ...), not ${Array.isArray(plain) ? 'a list' : 'a single value'}`,
    };
    return { problems: sortProblems([...syntax, problem]), doc };
  }
  const content = plain as Record<string, unknown>;

  const input = content.name === undefined ? { ...content, name: defaultExperimentName(file) } : content;
  const validation = validateExperiment(doc, input, file);
  // A schema problem on a line the YAML parser already complained about is most likely the same
  // mistake seen twice; the syntax error says it better.
  const syntaxLines = new Set(syntax.filter((p) => p.code === 'yaml-syntax').map((p) => p.line));
  const schemaProblems = validation.problems.filter((p) => !syntaxLines.has(p.line));

  const filePath = path.resolve(file);
  const workspaceRoot = opts.workspaceRoot ? path.resolve(opts.workspaceRoot) : findWorkspaceRoot(filePath);
  const checks = semanticChecks({ parsed: doc, file, filePath, plain: content, workspaceRoot });

  const problems = sortProblems([...syntax, ...schemaProblems, ...checks]);
  let spec: ExperimentSpec | undefined;
  if (validation.spec && !hasErrors(problems)) {
    spec = validation.spec;
    for (const p of pathSettings(content, filePath)) {
      setPath(spec, p.setting, p.absolute);
      // The robust teacher is in the spec under both of its names.
      const [head, ...rest] = p.setting;
      if (head === 'teacher') setPath(spec, ['teachers', 'adversarial', ...rest], p.absolute);
      if (head === 'teachers' && rest[0] === 'adversarial') setPath(spec, ['teacher', ...rest.slice(1)], p.absolute);
    }
  }
  return { spec, problems, doc };
}

/** Sets a path setting of the spec to its absolute form, where the spec has that section. */
function setPath(spec: ExperimentSpec, at: Path, value: string): void {
  let here: unknown = spec;
  for (const seg of at.slice(0, -1)) {
    if (here === null || typeof here !== 'object') return;
    here = (here as Record<string | number, unknown>)[seg];
  }
  if (here !== null && typeof here === 'object') (here as Record<string | number, unknown>)[at[at.length - 1]] = value;
}
