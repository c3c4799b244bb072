/**
 * Random edits of experiment text for the fuzz and incremental-sync tests: characters that matter
 * to YAML inserted or deleted, lines removed, duplicated or swapped, indentation changed. Each
 * edit is also given as a range change, as an editor sends it.
 */
import { Rng } from '../../src/engine/util/rng';

export interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

const CHARS = [' ', ' ', '  ', '\n', ':', ': ', '-', '- ', '#', '# gacd-ignore: epsilon-units', '[', ']', '{', '}', ',', '"', "'", '|', '>', '&a', '*a', '?', '!', '%', '@', '`', '\t', '8', '/255', '0', '.', 'e', 'a', 'z', '_', 'method', 'name', 'gacd', 'pgd-20', 'attacks', 'epsilon', 'data', '\uFEFF', '\r\n', 'é', '😀'];

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function position(text: string, offset: number): { line: number; character: number } {
  const starts = lineStarts(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  return { line, character: offset - starts[line] };
}

/** One random edit of `text`, as a change and the resulting text. */
export function randomChange(rng: Rng, text: string): { change: Change; text: string } {
  const starts = lineStarts(text);
  const kind = rng.int(7);
  let start = rng.int(text.length + 1);
  let end = start;
  let insert = '';
  if (kind <= 1) {
    insert = CHARS[rng.int(CHARS.length)];
  } else if (kind === 2) {
    end = Math.min(text.length, start + 1 + rng.int(6));
  } else {
    const line = rng.int(starts.length);
    const lineStart = starts[line];
    const lineEnd = line + 1 < starts.length ? starts[line + 1] : text.length;
    if (kind === 3) {
      // Remove a whole line.
      start = lineStart;
      end = lineEnd;
    } else if (kind === 4) {
      // Duplicate a line (a duplicate key, often).
      start = end = lineStart;
      insert = text.slice(lineStart, lineEnd) + (lineEnd === text.length ? '\n' : '');
    } else if (kind === 5) {
      // Indent or dedent a line.
      start = end = lineStart;
      const spaces = /^ */.exec(text.slice(lineStart, lineEnd))![0].length;
      if (spaces > 0 && rng.next() < 0.5) end = lineStart + Math.min(spaces, 1 + rng.int(4));
      else insert = ' '.repeat(1 + rng.int(4));
    } else {
      // Move a line elsewhere.
      const moved = text.slice(lineStart, lineEnd);
      const rest = text.slice(0, lineStart) + text.slice(lineEnd);
      const restStarts = lineStarts(rest);
      const at = restStarts[rng.int(restStarts.length)];
      const result = rest.slice(0, at) + moved + (moved.endsWith('\n') ? '' : '\n') + rest.slice(at);
      // As one change: replace the whole text (an editor may send that too).
      return { change: { range: { start: { line: 0, character: 0 }, end: position(text, text.length) }, text: result }, text: result };
    }
  }
  return {
    change: { range: { start: position(text, start), end: position(text, end) }, text: insert },
    text: text.slice(0, start) + insert + text.slice(end),
  };
}
