/**
 * The messages between the extension host and its two webview panels (the run dashboard and the
 * run comparison), typed once here and validated where they arrive.
 *
 * The handshake: a panel's page posts `initialized` once its script has loaded and its listeners
 * are in place; only then does the host send data (`dashboard/init` or `comparison/init`), so no
 * message is lost to a page that is still loading, after a reload or a serializer restore too.
 * Afterwards the host sends only what is new (`dashboard/append` with the run's new events), never
 * the whole state again.
 */
import { z } from 'zod';
import { checkpointEvaluation } from './checkpointEvaluation';
import { engineEvent, type EngineEvent } from './events';

/** Which panel a page is; also the webview panel's `viewType` suffix and its bundle's name. */
export const panelKinds = ['dashboard', 'comparison'] as const;
export type PanelKind = (typeof panelKinds)[number];

/** The VS Code `viewType` of each panel, which the serializers are registered under. */
export const VIEW_TYPES: Record<PanelKind, string> = {
  dashboard: 'gacd.dashboard',
  comparison: 'gacd.comparison',
};

export const runStatus = z.enum(['queued', 'running', 'finished', 'failed', 'stopped']);
export type RunStatus = z.infer<typeof runStatus>;

/** What a page shows about a run before its events: where it is and what state it is in. */
export const runRef = z.object({
  runDir: z.string(),
  runId: z.string(),
  experiment: z.string(),
  status: runStatus,
  /** The label a person gave the run (its meta.json), shown instead of the run id. */
  label: z.string().optional(),
});
export type RunRef = z.infer<typeof runRef>;

/** State a page keeps with `vscode.setState`, which the serializer hands back after a reload. */
export const dashboardState = z.object({ kind: z.literal('dashboard'), runDir: z.string() });
export const comparisonState = z.object({ kind: z.literal('comparison'), runDirs: z.array(z.string()).min(1) });
export const panelState = z.discriminatedUnion('kind', [dashboardState, comparisonState]);
export type PanelState = z.infer<typeof panelState>;

// ----- host → page -----

/** The dashboard's first data: the run and every event logged so far. Sent after `initialized`. */
export const dashboardInit = z.object({
  type: z.literal('dashboard/init'),
  run: runRef,
  events: z.array(engineEvent),
  /** The evaluations of the run's checkpoints kept in its folder (Evaluate Checkpoint), oldest first. */
  checkpointEvaluations: z.array(checkpointEvaluation).optional(),
});

/** The run's checkpoint evaluations changed (one was added or redone): the whole list, oldest first. */
export const dashboardCheckpointEvaluations = z.object({
  type: z.literal('dashboard/checkpoint-evaluations'),
  checkpointEvaluations: z.array(checkpointEvaluation),
});

/** New events of the dashboard's run, in order, appended to what the page has. */
export const dashboardAppend = z.object({
  type: z.literal('dashboard/append'),
  events: z.array(engineEvent),
});

/** The run's status changed without an event (queued → running, or the engine was killed). */
export const dashboardStatus = z.object({
  type: z.literal('dashboard/status'),
  status: runStatus,
});

/** The runs to compare, each with its whole event log (finished runs do not change). */
export const comparisonInit = z.object({
  type: z.literal('comparison/init'),
  runs: z.array(
    z.object({
      run: runRef,
      events: z.array(engineEvent),
      checkpointEvaluations: z.array(checkpointEvaluation).optional(),
      /** Each evaluated model's weights' sha256 (its model card): the same weights and figures are one row. */
      weights: z.record(z.string(), z.string()).optional(),
    }),
  ),
});

/** The host saved an export or failed to: the page shows this line. */
export const exportDone = z.object({
  type: z.literal('export/done'),
  ok: z.boolean(),
  message: z.string(),
});

export const hostMessage = z.discriminatedUnion('type', [dashboardInit, dashboardAppend, dashboardStatus, dashboardCheckpointEvaluations, comparisonInit, exportDone]);
export type HostMessage = z.infer<typeof hostMessage>;
export type DashboardInit = z.infer<typeof dashboardInit>;
export type ComparisonInit = z.infer<typeof comparisonInit>;

// ----- page → host -----

/** The page has loaded and listens: the host may send its data now. */
export const initialized = z.object({ type: z.literal('initialized'), kind: z.enum(panelKinds) });

export const exportFormats = ['csv', 'markdown', 'latex', 'png'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/**
 * The user asked to save a table or a chart. Text formats carry the text; `png` carries a
 * `data:image/png;base64,` URL from the chart's canvas. The host asks where to save it.
 */
export const exportRequest = z.object({
  type: z.literal('export'),
  format: z.enum(exportFormats),
  suggestedName: z.string().regex(/^[A-Za-z0-9._-]+$/),
  content: z.string(),
});

/** A button in a page that runs one of the extension's commands on this page's run. */
export const runCommand = z.object({
  type: z.literal('command'),
  command: z.enum(['stop', 'resume', 'revealFolder', 'showLog']),
  runDir: z.string(),
});

/** A page reports an error of its own (a chart that failed to render) to the engine log. */
export const pageError = z.object({ type: z.literal('page-error'), message: z.string() });

export const pageMessage = z.discriminatedUnion('type', [initialized, exportRequest, runCommand, pageError]);
export type PageMessage = z.infer<typeof pageMessage>;
export type ExportRequest = z.infer<typeof exportRequest>;

/** Validates a message from a page; returns null (and the reason) for anything else. */
export function parsePageMessage(data: unknown): { ok: true; message: PageMessage } | { ok: false; reason: string } {
  const r = pageMessage.safeParse(data);
  return r.success ? { ok: true, message: r.data } : { ok: false, reason: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

/** Validates a message from the host (the pages do, so a stale page never acts on garbage). */
export function parseHostMessage(data: unknown): HostMessage | null {
  const r = hostMessage.safeParse(data);
  return r.success ? r.data : null;
}

export type { EngineEvent };
