/**
 * Offsets, positions and lines of one text. Built once per document version and shared by every
 * feature; all conversions are O(log lines).
 */
import type { Position, Span } from './types';

export class TextModel {
  readonly text: string;
  /** The offset at which each line starts; a line ends before its `\n` (and a `\r` before it). */
  readonly lineStarts: number[];

  constructor(text: string) {
    this.text = text;
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The text of line `line` (0-based), without its line break. */
  lineText(line: number): string {
    if (line < 0 || line >= this.lineStarts.length) return '';
    const start = this.lineStarts[line];
    let end = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /** A position clamped into the text: lines past the end go to the end, characters to the line's end. */
  clamp(pos: Position): Position {
    if (pos.line < 0) return { line: 0, character: 0 };
    if (pos.line >= this.lineCount) {
      const last = this.lineCount - 1;
      return { line: last, character: this.lineText(last).length };
    }
    return { line: pos.line, character: Math.max(0, Math.min(pos.character, this.lineText(pos.line).length)) };
  }

  offsetAt(pos: Position): number {
    const p = this.clamp(pos);
    return this.lineStarts[p.line] + p.character;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    const character = Math.min(o - this.lineStarts[lo], this.lineText(lo).length);
    return { line: lo, character };
  }

  span(start: number, end: number): Span {
    return { start: this.positionAt(start), end: this.positionAt(Math.max(start, end)) };
  }

  /** The span of whole lines `first` to `last` (0-based, inclusive), with the last line's break. */
  linesSpan(first: number, last: number): Span {
    if (last + 1 < this.lineCount) return { start: { line: first, character: 0 }, end: { line: last + 1, character: 0 } };
    // The last line of the text has no break after it: take the one before the first line instead.
    if (first > 0) {
      return { start: { line: first - 1, character: this.lineText(first - 1).length }, end: { line: last, character: this.lineText(last).length } };
    }
    return { start: { line: first, character: 0 }, end: { line: last, character: this.lineText(last).length } };
  }
}

/** Whether `a` is before `b`. */
export function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Whether two spans overlap or touch (a cursor at a span's end counts as inside it). */
export function touches(a: Span, b: Span): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}
