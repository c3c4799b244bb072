/**
 * The page's side of the message contract (src/protocol/webview.ts): one typed `post`, the saved
 * state, and a listener that hands host messages to the page. `acquireVsCodeApi` may be called
 * only once per page, so everything goes through here.
 */
import type { HostMessage, PageMessage, PanelKind, PanelState } from '../../src/protocol/webview';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();

export function post(message: PageMessage): void {
  api.postMessage(message);
}

export function saveState(state: PanelState): void {
  api.setState(state);
}

export function savedState(): PanelState | undefined {
  return (api.getState() as PanelState | undefined) ?? undefined;
}

const HOST_TYPES = new Set(['dashboard/init', 'dashboard/append', 'dashboard/status', 'dashboard/checkpoint-evaluations', 'comparison/init', 'export/done']);

/**
 * Listens for the host's messages, then says `initialized`: the host sends nothing before that.
 * The host validated every event already, so the page checks only the message's shape.
 */
export function connect(kind: PanelKind, onMessage: (m: HostMessage) => void): void {
  window.addEventListener('message', (e: MessageEvent) => {
    const data = e.data as { type?: unknown } | null;
    if (!data || typeof data.type !== 'string' || !HOST_TYPES.has(data.type)) return;
    try {
      onMessage(data as HostMessage);
    } catch (err) {
      post({ type: 'page-error', message: `${kind}: ${(err as Error)?.stack ?? String(err)}` });
    }
  });
  post({ type: 'initialized', kind });
}
