/**
 * The comparison table as CSV (RFC 4180), GitHub Markdown and a LaTeX tabular (booktabs). Pure.
 * `bold(row, col)` marks the cells set in bold (each column's best), where the format has bold.
 */

export type BoldCell = (row: number, col: number) => boolean;
const plain: BoldCell = () => false;

export function toCsv(columns: readonly string[], rows: readonly string[][]): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [columns, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

export function toMarkdown(columns: readonly string[], rows: readonly string[][], numeric: (col: number) => boolean = () => false, bold: BoldCell = plain): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (r: readonly string[], i = -1) => `| ${r.map((c, j) => (i >= 0 && bold(i, j) ? `**${cell(c)}**` : cell(c))).join(' | ')} |`;
  const rule = `|${columns.map((_, i) => (numeric(i) ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(columns), rule, ...rows.map(line)].join('\n') + '\n';
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '#': '\\#',
  '%': '\\%',
  _: '\\_',
  '^': '\\^{}',
  '~': '\\~{}',
};

export function latexEscape(s: string): string {
  return s.replace(/[\\{}$&#%_^~]/g, (c) => LATEX_SPECIALS[c]);
}

export function toLatex(columns: readonly string[], rows: readonly string[][], numeric: (col: number) => boolean = () => false, caption = 'Robust accuracy (%)', bold: BoldCell = plain): string {
  const spec = columns.map((_, i) => (numeric(i) ? 'r' : 'l')).join('');
  const line = (r: readonly string[], i = -1) => `    ${r.map((c, j) => (i >= 0 && bold(i, j) ? `\\textbf{${latexEscape(c)}}` : latexEscape(c))).join(' & ')} \\\\`;
  return [
    '% Needs \\usepackage{booktabs}.',
    '\\begin{table}[t]',
    '  \\centering',
    `  \\caption{${latexEscape(caption)}}`,
    `  \\begin{tabular}{${spec}}`,
    '    \\toprule',
    line(columns),
    '    \\midrule',
    ...rows.map(line),
    '    \\bottomrule',
    '  \\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}
