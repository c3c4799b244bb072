/** Driving the VS Code workbench in Chromium: the palette, quick open, tree rows, webviews, notifications. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../webview/harness';

export async function openWorkbench(url: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
  page.setDefaultTimeout(45_000);
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor();
  // The extension's contributions are registered once its activity-bar container shows.
  await page.locator('.activitybar .action-item a[aria-label^="GACD Studio"]').waitFor();
  return { browser, page };
}

/** Runs a command by its palette title (`GACD: Run Experiment`). */
export async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>' + title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/**
 * Closes the active editor tab by its close button. On a loaded machine the workbench's layout
 * can briefly lay a container over the tab strip (Playwright then reports that it "intercepts
 * pointer events"); the button's own click handler is then called directly, as a click would.
 */
export async function closeActiveTab(page: Page): Promise<void> {
  const close = page.locator('.tabs-container .tab.active .codicon-close');
  try {
    await close.click({ timeout: 5_000 });
  } catch {
    await close.dispatchEvent('click');
  }
}

/** Chooses the quick pick's row that contains `text` (typed as the filter first) and accepts it. */
export async function quickPick(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: text }).waitFor();
  await page.keyboard.press('Enter');
}

/** Runs an item of a row's context menu (right click), e.g. the run explorer's `Rename Run…`. */
export async function contextMenu(page: Page, row: Locator, item: string): Promise<void> {
  await row.click({ button: 'right' });
  // Hovered, the item is focused; Enter runs it (a click can land while the menu still settles).
  await page.locator('.monaco-menu .action-item', { hasText: item }).first().hover();
  await page.locator('.monaco-menu .action-item.focused', { hasText: item }).waitFor();
  await page.keyboard.press('Enter');
}

/** Drags the side bar's edge so that it is `width` pixels wide (the runs' descriptions show whole). */
export async function widenSideBar(page: Page, width: number): Promise<void> {
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (!bar) return;
  await page.mouse.move(bar.x + bar.width + 1, bar.y + 300);
  await page.mouse.down();
  await page.mouse.move(bar.x + width, bar.y + 300, { steps: 5 });
  await page.mouse.up();
}

/** Opens a workspace file by name with Quick Open. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tabs-container .tab.active[aria-label*="${name}"]`).waitFor();
  await page.locator('.monaco-editor .view-lines').first().waitFor();
}

/** The run explorer's rows (the GACD activity-bar container). */
export function runsView(page: Page): Locator {
  return page.locator('[id="workbench.view.extension.gacd"]');
}

/** A tree row's status icon (not its inline buttons, which use codicons too). */
export function statusIcon(page: Page, codicon: string): Locator {
  return page.locator(`.custom-view-tree-node-item-icon.codicon-${codicon}`);
}

export function runRow(page: Page, text: string | RegExp): Locator {
  return runsView(page).locator('.monaco-list-row', { hasText: text });
}

/** The active webview's own document. */
export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** The active webview's frame itself, to read the page's own state (`window.__gacd`). */
export async function webviewFrame(page: Page): Promise<Frame> {
  const handle = await webview(page).locator('body').elementHandle();
  const frame = await handle?.ownerFrame();
  if (!frame) throw new Error('no active webview frame');
  return frame;
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text });
}

/** Waits until `check` returns a truthy value (a file on disk, a count), polling; never a fixed sleep. */
export async function until<T>(what: string, check: () => T | Promise<T>, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** The run folders of an experiment in a workspace. */
export function runDirs(workspace: string, experiment: string): string[] {
  const dir = path.join(workspace, '.gacd-runs', experiment);
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((d) => path.join(dir, d)) : [];
}

export function eventsOf(runDir: string): Array<{ type: string; status?: string }> {
  const file = path.join(runDir, 'events.jsonl');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}
