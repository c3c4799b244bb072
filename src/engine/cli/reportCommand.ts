/**
 * `gacd report SWEEP_DIR... [--format md|html] --out FILE [--reference 'path=value ...']`: a
 * self-contained report of one or more sweeps (src/engine/report). Markdown writes its charts as
 * SVG files in `<out stem>-figures/` beside the report; HTML inlines them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../report/build';
import { renderHtml } from '../report/html';
import { renderMarkdown } from '../report/markdown';
import { readSweep } from '../report/sweepData';
import { writeFileAtomic } from '../run/atomicWrite';
import { Printer } from './printer';

export interface ReportFlags {
  format?: string;
  out?: string;
  reference?: string;
}

/** The format: the flag's, else the output's extension (.html, .htm), else Markdown. */
function formatOf(flags: ReportFlags): 'md' | 'html' {
  const f = flags.format ?? (/\.html?$/i.test(flags.out ?? '') ? 'html' : 'md');
  if (f !== 'md' && f !== 'html') throw new Error(`--format must be md or html, not "${f}"`);
  return f;
}

/** How this report was asked for, to print in it (paths as given, so the line can be run again). */
function commandLine(dirs: string[], flags: ReportFlags, format: string): string {
  const q = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  const words = ['gacd', 'report', ...dirs, '--format', format, '--out', flags.out!];
  if (flags.reference !== undefined) words.push('--reference', flags.reference);
  return words.map(q).join(' ');
}

export async function reportCommand(dirs: string[], flags: ReportFlags, printer = new Printer()): Promise<number> {
  if (!flags.out) throw new Error('gacd report needs --out FILE (the report to write, e.g. --out report.md or --out report.html)');
  const format = formatOf(flags);
  const sweeps = dirs.map(readSweep);
  const doc = buildReport(sweeps, { reference: flags.reference, commandLine: commandLine(dirs, flags, format) });
  const out = path.resolve(flags.out);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  if (format === 'html') {
    writeFileAtomic(out, renderHtml(doc));
  } else {
    const md = renderMarkdown(doc, out);
    for (const [rel, svg] of md.files) {
      const file = path.join(path.dirname(out), rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, svg);
    }
    writeFileAtomic(out, md.markdown);
  }
  const members = sweeps.reduce((s, x) => s + x.members.length, 0);
  const finished = sweeps.reduce((s, x) => s + x.members.filter((m) => m.results).length, 0);
  printer.line(`report of ${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'} (${finished} of ${members} members finished) written to ${out}`);
  return 0;
}
