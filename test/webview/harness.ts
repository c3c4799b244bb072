/**
 * Serves the panels' pages as the extension does (the same HTML and CSP, from src/extension/panels/html.ts)
 * on a loopback HTTP server, and drives them in Debian's headless Chromium with playwright-core.
 * `acquireVsCodeApi` is a stub that records what the page posts and keeps its state; CSP
 * violations are collected from the page's `securitypolicyviolation` events and the console.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/panels/html';
import type { HostMessage, PanelKind } from '../../src/protocol/webview';

export const ROOT = path.join(__dirname, '..', '..');
export const CHROMIUM = process.env.GACD_CHROMIUM ?? '/usr/bin/chromium';
/** Flags for a root user on a machine without network (research/vscode-testing.md). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Harness {
  browser: Browser;
  origin: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const webviewDir = path.join(ROOT, 'dist', 'webview');
  if (!fs.existsSync(path.join(webviewDir, 'dashboard.js'))) throw new Error('dist/webview is missing: run `npm run build` first');
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const panel = /^\/panel\/(dashboard|comparison)$/.exec(url.pathname);
    if (panel) {
      const kind = panel[1] as PanelKind;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(panelHtml({ kind, title: kind, cspSource: origin, scriptUri: `${origin}/webview/${kind}.js`, styleUri: `${origin}/webview/style.css` }));
      return;
    }
    const file = path.join(webviewDir, path.basename(url.pathname));
    if (url.pathname.startsWith('/webview/') && fs.existsSync(file)) {
      res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
      res.end(fs.readFileSync(file));
      return;
    }
    // favicon.ico and anything else: nothing (a 404 would show up as a console error).
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    browser,
    origin,
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface PanelPage {
  page: Page;
  /** Messages the page posted to the (stub) host, in order. */
  posted(): Promise<Array<{ type: string; [k: string]: unknown }>>;
  /** CSP violations and console errors seen so far. */
  violations: string[];
  consoleErrors: string[];
  /** Sends a host message, as VS Code does: a `message` event on the page's window. */
  send(message: HostMessage): Promise<void>;
  /** Waits until the page has rendered more than `after` times. */
  rendered(after?: number): Promise<number>;
  renders(): Promise<number>;
}

/** VS Code's dark theme variables, a few of them, so the page looks as it does in the editor. */
const THEME = {
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-background': '#252526',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-font-family': 'sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': 'monospace',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-button-background': '#0e639c',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-badge-background': '#4d4d4d',
  '--vscode-badge-foreground': '#ffffff',
};

export async function openPanel(h: Harness, kind: PanelKind, o: { state?: unknown; options?: Record<string, unknown>; viewport?: { width: number; height: number } } = {}): Promise<PanelPage> {
  const page = await h.browser.newPage({ viewport: o.viewport ?? { width: 1280, height: 1600 } });
  const violations: string[] = [];
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  // Runs before the page's own scripts, outside its CSP (as VS Code's own webview host script does).
  await page.addInitScript(`(() => {
    window.__posted = [];
    window.__violations = [];
    window.__gacdOptions = ${JSON.stringify(o.options ?? {})};
    let state = ${JSON.stringify(o.state ?? null)} ?? undefined;
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => state,
        setState: (s) => { state = s; window.__state = s; },
      };
    };
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    const theme = ${JSON.stringify(THEME)};
    const paint = () => { for (const [k, v] of Object.entries(theme)) document.documentElement.style.setProperty(k, v); };
    if (document.documentElement) paint();
    else new MutationObserver((_, o) => { if (document.documentElement) { paint(); o.disconnect(); } }).observe(document, { childList: true });
  })()`);
  await page.goto(`${h.origin}/panel/${kind}`);
  // Functions, not strings: the page's CSP forbids eval, and string predicates are evaluated with it.
  await page.waitForFunction(() => (globalThis as any).__posted?.some((m: { type: string }) => m.type === 'initialized'));
  const renders = async () => Number(await page.evaluate('document.body.dataset.renders || 0'));
  return {
    page,
    violations,
    consoleErrors,
    posted: () => page.evaluate('window.__posted') as Promise<Array<{ type: string }>>,
    send: async (message) => {
      await page.evaluate(`window.postMessage(${JSON.stringify(message)}, '*')`);
    },
    renders,
    rendered: async (after = 0) => {
      await page.waitForFunction((n) => Number((globalThis as any).document.body.dataset.renders || 0) > n, after);
      return renders();
    },
  };
}

/** Every CSP violation the page reported, from its events and its console. */
export async function cspViolations(p: PanelPage): Promise<string[]> {
  const fromEvents = (await p.page.evaluate('window.__violations')) as string[];
  return [...fromEvents, ...p.violations];
}
