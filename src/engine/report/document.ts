/**
 * A report as a list of blocks, so that its content is assembled once (build.ts) and written as
 * Markdown (markdown.ts) or as one self-contained HTML page (html.ts).
 */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'code'; text: string }
  /** `numeric[i]`: column i holds figures (right-aligned). */
  | { kind: 'table'; header: string[]; rows: string[][]; numeric: boolean[] }
  /** `name`: the file name the Markdown report gives the SVG (unique within a report). */
  | { kind: 'figure'; name: string; caption: string; svg: string };

export interface ReportDocument {
  title: string;
  blocks: Block[];
}
