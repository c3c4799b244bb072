/**
 * `gacd eval --attacks`: a comma list of evaluation entries, each a short label (`pgd-20`) or a
 * section in YAML flow style (`{attack: pgd, steps: 50}`; the JSON of a resolved entry, as the
 * editor passes spec.json's entries, is such a section too). Commas inside braces, brackets or
 * quotes do not split. Every entry goes through the attacks catalog's parser, the one the
 * experiment schema uses, so a label means the same on the command line as in an experiment file.
 */
import { parse as parseYaml } from 'yaml';
import { EvaluationEntry, duplicateLabels, parseEvaluationEntry } from '../attacks/catalog';

/** The entries of `text`; throws with the entry's position and the parser's message on the first bad one. */
export function parseAttackList(text: string): EvaluationEntry[] {
  const pieces = splitTopLevel(text);
  const entries = pieces.map((piece, i) => {
    const where = `--attacks entry ${i + 1} "${piece}"`;
    if (piece === '') throw new Error(`${where} is empty: give a label such as pgd-20 or a section such as {attack: pgd, steps: 50}`);
    let value: unknown = piece;
    if (/^[{[]/.test(piece)) {
      try {
        value = parseYaml(piece);
      } catch (err) {
        throw new Error(`${where} is not a YAML flow section: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    const r = parseEvaluationEntry(value);
    if (!r.ok) throw new Error(`${where}: ${r.issues.map((issue) => (issue.fix ? `${issue.message} (${issue.fix})` : issue.message)).join('; ')}`);
    return r.entry;
  });
  const twice = duplicateLabels(entries)[0];
  if (twice) throw new Error(`--attacks entries ${twice.first + 1} and ${twice.index + 1} are both labelled "${twice.label}"`);
  return entries;
}

/**
 * `text` split at the commas outside braces, brackets and quotes, each piece trimmed. Unbalanced
 * brackets leave the rest in the last piece, where the YAML parser reports them.
 */
export function splitTopLevel(text: string): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  // A quote opens a quoted scalar only where a scalar starts; inside a plain scalar (`it's`) it is a character.
  let scalarStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const atStart = scalarStart;
    if (c !== ' ' && c !== '\t') scalarStart = c === ',' || c === '{' || c === '[' || c === ':';
    if (quote) {
      // YAML's double quotes escape with a backslash; its single quotes with a doubled quote, which
      // this loop reads as a close and a reopen, with the same result.
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && atStart) {
      quote = c;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth = Math.max(0, depth - 1);
    } else if (c === ',' && depth === 0) {
      pieces.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  pieces.push(text.slice(start).trim());
  return pieces;
}
