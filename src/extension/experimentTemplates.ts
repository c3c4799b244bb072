/**
 * New Experiment's templates are the shipped examples themselves (examples/*.gacd and
 * examples/paper/*.gacd), so that what the command writes is what the README, the tests and the
 * CLI run. A template is copied with its name set to the new file's, and with the checkpoint
 * folders it names (the quickstart's shipped robust teacher) copied beside it when missing there,
 * so that it runs from its new folder as it does from examples/. No vscode here: it is tested as is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ExperimentTemplate {
  /** The example's path relative to the examples folder, e.g. `quickstart.gacd`, `paper/gacd.gacd`. */
  file: string;
  /** The first sentence of the example's opening comment. */
  detail: string;
}

/** The examples that read best first; the others follow by name, then the paper-scale recipes. */
const FIRST = ['quickstart.gacd', 'teacher-fashion.gacd', 'gacd.gacd', 'cross-task.gacd'];

/** The first sentence of the comment a file opens with, at most about a line long. */
function summaryOf(text: string): string {
  const comment: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^#\s?(.*)$/.exec(line);
    if (!m) break;
    comment.push(m[1].trim());
  }
  const joined = comment.join(' ');
  const end = joined.search(/\.(\s|$)/);
  const sentence = (end >= 0 ? joined.slice(0, end) : joined).trim();
  return sentence.length > 120 ? `${sentence.slice(0, sentence.lastIndexOf(' ', 118))}…` : sentence;
}

/** Every example experiment under `examplesDir`, the most useful first. */
export function listTemplates(examplesDir: string): ExperimentTemplate[] {
  const inFolder = (sub: string) =>
    fs
      .readdirSync(path.join(examplesDir, sub))
      .filter((f) => f.endsWith('.gacd'))
      .sort()
      .map((f) => (sub ? `${sub}/${f}` : f));
  const top = inFolder('');
  const ordered = [...FIRST.filter((f) => top.includes(f)), ...top.filter((f) => !FIRST.includes(f)), ...inFolder('paper')];
  return ordered.map((file) => ({ file, detail: summaryOf(fs.readFileSync(path.join(examplesDir, file), 'utf8')) }));
}

/** A folder to copy so that the new experiment finds what its example names. */
export interface TemplateCopy {
  from: string;
  to: string;
}

/** A relative `checkpoint:` or `path:` value of a line, without its comment or quotes. */
const PATH_LINE = /^\s*(?:checkpoint|path):\s*["']?([^\s"'#]+)/;

/**
 * The text of the new experiment at `target` from the example `file`, and the folders to copy
 * beside it: each relative checkpoint or data folder the example names that exists beside the
 * example and not yet beside the target.
 */
export function instantiateTemplate(examplesDir: string, file: string, target: string): { text: string; copies: TemplateCopy[] } {
  const source = path.join(examplesDir, file);
  const name = path.basename(target).replace(/\.gacd$/, '');
  let text = fs.readFileSync(source, 'utf8');
  // The experiment's name follows the file's, so its runs are found under that name.
  text = text.replace(/^name: .*$/m, `name: ${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`);
  // The opening comment's `npx gacd run examples/quickstart.gacd` now names the new file.
  text = text.split(`examples/${file}`).join(path.basename(target));
  const copies: TemplateCopy[] = [];
  for (const line of text.split('\n')) {
    const written = PATH_LINE.exec(line)?.[1];
    if (!written || path.isAbsolute(written) || written.startsWith('~')) continue;
    const from = path.resolve(path.dirname(source), written);
    const to = path.resolve(path.dirname(target), written);
    if (from !== to && fs.existsSync(from) && !fs.existsSync(to) && !copies.some((c) => c.to === to)) copies.push({ from, to });
  }
  return { text, copies };
}

/** Writes the new experiment and copies what it names. */
export function writeTemplate(examplesDir: string, file: string, target: string): TemplateCopy[] {
  const { text, copies } = instantiateTemplate(examplesDir, file, target);
  for (const c of copies) fs.cpSync(c.from, c.to, { recursive: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text, 'utf8');
  return copies;
}
