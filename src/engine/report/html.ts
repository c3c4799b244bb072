/**
 * A report as one HTML page that needs nothing else: the charts inlined as SVG, the style inline,
 * no script, no link, no font or image fetched from anywhere (a strict Content-Security-Policy
 * says so to the browser too).
 */
import type { Block, ReportDocument } from './document';
import { escapeXml } from './svgChart';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:0.8em 0;font-size:0.9em}th,td{border:1px solid #ccc;padding:3px 7px}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
pre{background:#f6f6f6;padding:0.6em;overflow-x:auto}figure{margin:1em 0}figcaption{font-style:italic;color:#555}`;

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${escapeXml(b.text)}</h${b.level + 1}>`;
    case 'paragraph':
      return `<p>${escapeXml(b.text)}</p>`;
    case 'list':
      return `<ul>\n${b.items.map((i) => `<li>${escapeXml(i)}</li>`).join('\n')}\n</ul>`;
    case 'code':
      return `<pre><code>${escapeXml(b.text)}</code></pre>`;
    case 'table': {
      const head = `<tr>${b.header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td${b.numeric[i] ? ' class="num"' : ''}>${escapeXml(c)}</td>`).join('')}</tr>`);
      return `<table>\n${head}\n${rows.join('\n')}\n</table>`;
    }
    case 'figure':
      return `<figure>\n${b.svg}\n<figcaption>${escapeXml(b.caption)}</figcaption>\n</figure>`;
  }
}

export function renderHtml(doc: ReportDocument): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeXml(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeXml(doc.title)}</h1>`,
    ...doc.blocks.map(block),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
