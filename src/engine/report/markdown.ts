/**
 * A report as Markdown: the text in one file, each chart an SVG file in a folder beside it
 * (`<report>-figures/`), linked by a relative path so that the folder and the report travel together.
 */
import * as path from 'node:path';
import type { Block, ReportDocument } from './document';

/** Text that Markdown would read as markup (a raw tag, a table's bar) made literal. */
const text = (s: string) => s.replace(/</g, '&lt;');
const cell = (s: string) => text(s).replace(/\|/g, '\\|');

export interface MarkdownReport {
  markdown: string;
  /** Files to write beside the report: path relative to the report's folder -> content. */
  files: Map<string, string>;
}

/** `out`: the report's file, whose stem names the figures' folder. */
export function renderMarkdown(doc: ReportDocument, out: string): MarkdownReport {
  const folder = `${path.basename(out, path.extname(out))}-figures`;
  const files = new Map<string, string>();
  const lines: string[] = [`# ${text(doc.title)}`, ''];
  const write = (b: Block) => {
    switch (b.kind) {
      case 'heading':
        lines.push(`${'#'.repeat(b.level + 1)} ${text(b.text)}`, '');
        break;
      case 'paragraph':
        lines.push(text(b.text), '');
        break;
      case 'list':
        lines.push(...b.items.map((i) => `- ${text(i)}`), '');
        break;
      case 'code':
        lines.push('```', b.text, '```', '');
        break;
      case 'table':
        lines.push(`| ${b.header.map(cell).join(' | ')} |`);
        lines.push(`| ${b.header.map((_, i) => (b.numeric[i] ? '---:' : '---')).join(' | ')} |`);
        for (const r of b.rows) lines.push(`| ${r.map(cell).join(' | ')} |`);
        lines.push('');
        break;
      case 'figure': {
        const rel = `${folder}/${b.name}.svg`;
        files.set(rel, b.svg + '\n');
        lines.push(`![${text(b.caption).replace(/[[\]]/g, '')}](${encodeURI(rel)})`, '', `*${text(b.caption)}*`, '');
        break;
      }
    }
  };
  doc.blocks.forEach(write);
  return { markdown: lines.join('\n').replace(/\n+$/, '\n'), files };
}
