/**
 * The HTML shell of a panel, with its Content-Security-Policy. Pure (no `vscode` import), so the
 * webview tests in headless Chromium serve exactly what the extension serves.
 *
 * The policy allows nothing by default: scripts only with this page's nonce, styles from the
 * extension's own files (and the nonce), images as data: URLs (chart exports) and from the
 * extension, fonts from the extension. Nothing is loaded from the network.
 */
import { randomBytes } from 'node:crypto';
import type { PanelKind } from '../../protocol/webview';

export interface PanelHtmlOptions {
  kind: PanelKind;
  title: string;
  /** The webview's `cspSource` (its resource origin). */
  cspSource: string;
  /** URL of `dist/webview/<kind>.js` as the webview sees it. */
  scriptUri: string;
  /** URL of `dist/webview/<kind>.css` as the webview sees it. */
  styleUri: string;
  nonce?: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function panelHtml(o: PanelHtmlOptions): string {
  const nonce = o.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escape(contentSecurityPolicy(o.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escape(o.styleUri)}" nonce="${nonce}">
<title>${escape(o.title)}</title>
</head>
<body data-kind="${o.kind}">
<div id="app"></div>
<script nonce="${nonce}" src="${escape(o.scriptUri)}"></script>
</body>
</html>`;
}
