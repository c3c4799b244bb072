/**
 * A synthetic sweep folder, written as `gacd sweep` and its members would write it (sweep.json,
 * each member's results.json and events.jsonl), with figures chosen so that means, stds and
 * paired differences are known by hand.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelResults } from '../../src/protocol/events';
import type { SweepManifest } from '../../src/protocol/sweep';

export interface MemberSpec {
  /** The swept `method` section, as a sweep's grid gives it. */
  method: Record<string, string>;
  seed: number;
  /** Student accuracies (fractions) under clean, pgd-20, aa-style; null: the member has not finished. */
  accuracy: { clean: number; pgd: number; aa: number } | null;
  cka?: { clean: number; adversarial: number; gap: number };
  flags?: string[];
}

/** gacd, ard, and gacd without reweighting, seeds 0..2; the last gacd-ablation seed unfinished. */
export const MEMBERS: MemberSpec[] = [
  { method: { name: 'gacd' }, seed: 0, accuracy: { clean: 0.7, pgd: 0.45, aa: 0.4 }, cka: { clean: 0.8, adversarial: 0.6, gap: 0.2 } },
  { method: { name: 'gacd' }, seed: 1, accuracy: { clean: 0.72, pgd: 0.47, aa: 0.42 }, cka: { clean: 0.82, adversarial: 0.62, gap: 0.22 }, flags: ['gradient-masking'] },
  { method: { name: 'gacd' }, seed: 2, accuracy: { clean: 0.74, pgd: 0.49, aa: 0.44 }, cka: { clean: 0.84, adversarial: 0.64, gap: 0.24 } },
  { method: { name: 'ard' }, seed: 0, accuracy: { clean: 0.75, pgd: 0.4, aa: 0.35 }, cka: { clean: 0.7, adversarial: 0.5, gap: 0.3 } },
  { method: { name: 'ard' }, seed: 1, accuracy: { clean: 0.76, pgd: 0.45, aa: 0.4 }, cka: { clean: 0.7, adversarial: 0.55, gap: 0.3 } },
  { method: { name: 'ard' }, seed: 2, accuracy: { clean: 0.77, pgd: 0.44, aa: 0.39 }, cka: { clean: 0.72, adversarial: 0.57, gap: 0.32 } },
  { method: { name: 'gacd', reweight: 'none' }, seed: 0, accuracy: { clean: 0.7, pgd: 0.43, aa: 0.38 }, cka: { clean: 0.79, adversarial: 0.58, gap: 0.21 } },
  { method: { name: 'gacd', reweight: 'none' }, seed: 1, accuracy: { clean: 0.71, pgd: 0.44, aa: 0.41 }, cka: { clean: 0.8, adversarial: 0.6, gap: 0.2 } },
  { method: { name: 'gacd', reweight: 'none' }, seed: 2, accuracy: null },
];

const flag = (code: string) => ({ code, title: `${code} title`, message: `${code} seen`, fix: `${code} fix` });

function student(spec: MemberSpec): ModelResults {
  const a = spec.accuracy!;
  return {
    model: 'student',
    method: spec.method.name,
    arch: 'tiny-cnn',
    results: [
      { attack: 'clean', epsilon: 0.1, accuracy: a.clean },
      { attack: 'pgd-20', epsilon: 0.1, accuracy: a.pgd },
      { attack: 'aa-style', epsilon: 0.1, accuracy: a.aa },
    ],
    accuracyVsEpsilon: [
      { epsilon: 0, accuracy: a.clean },
      { epsilon: 0.05, accuracy: (a.clean + a.pgd) / 2 },
      { epsilon: 0.1, accuracy: a.pgd },
    ],
    flags: (spec.flags ?? []).map(flag),
    examples: 100,
  };
}

const TEACHER: ModelResults = {
  model: 'teacher',
  method: 'pgd-at',
  arch: 'small-cnn',
  results: [
    { attack: 'clean', epsilon: 0.1, accuracy: 0.8 },
    { attack: 'pgd-20', epsilon: 0.1, accuracy: 0.5 },
    { attack: 'aa-style', epsilon: 0.1, accuracy: 0.46 },
  ],
  accuracyVsEpsilon: [
    { epsilon: 0, accuracy: 0.8 },
    { epsilon: 0.05, accuracy: 0.65 },
    { epsilon: 0.1, accuracy: 0.5 },
  ],
  flags: [flag('few-points')],
  examples: 100,
};

const written: string[] = [];

/** Removes every sweep writeSweep made (call it after the tests). */
export function removeSweeps(): void {
  for (const d of written.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

const configurationOf = (method: Record<string, string>) => `method=${JSON.stringify(method)}`;

/** Writes the sweep and returns its folder; `start` is the first member's start (ms since the epoch). */
export function writeSweep(members: MemberSpec[] = MEMBERS, start = Date.parse('2026-01-01T00:00:00Z')): string {
  // As gacd sweep lays it out: <workspace>/exp.gacd, the runs in <workspace>/.gacd-runs.
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-report-'));
  written.push(workspace);
  const runs = path.join(workspace, '.gacd-runs');
  const id = 'sweep-20260101-000000-test';
  const root = path.join(runs, 'exp', id);
  fs.mkdirSync(path.join(root, 'members'), { recursive: true });
  const manifest: SweepManifest = {
    format: 'gacd-sweep-1',
    id,
    experiment: 'exp',
    source: path.join(workspace, 'exp.gacd'),
    created: '2026-01-01T00:00:00.000Z',
    executor: 'local',
    parallel: 2,
    axes: [
      { path: 'method', values: [...new Set(members.map((m) => JSON.stringify(m.method)))].map((s) => JSON.parse(s)), kind: 'grid' },
      { path: 'seed', values: [0, 1, 2], kind: 'grid' },
    ],
    teachers: [],
    members: members.map((m, index) => ({
      index,
      id: `m0${index}`,
      overrides: { method: m.method, seed: m.seed },
      configuration: configurationOf(m.method),
      seed: m.seed,
      file: path.join(root, 'members', `m0${index}.gacd`),
      runDir: path.join(runs, 'exp', `${id}-m0${index}`),
      settings: { method: { ...m.method }, evaluation: { epsilon: 0.1 } },
    })),
    slurm: null,
  };
  fs.writeFileSync(path.join(root, 'sweep.json'), JSON.stringify(manifest, null, 2));
  manifest.members.forEach((mm, i) => {
    const spec = members[i];
    // Each member runs 10 s, starting 5 s after the one before: the sweep spans 5 s x (n-1) + 10 s.
    const t0 = start + i * 5000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    fs.mkdirSync(mm.runDir, { recursive: true });
    const events: object[] = [
      { seq: 0, time: at(0), type: 'run-start', runId: path.basename(mm.runDir), experiment: 'exp', runDir: mm.runDir, backend: 'wasm', backendDetail: 'wasm (SIMD, 1 thread)', resumed: false, versions: { engine: '0.1.0', tfjs: '4.22.0', node: '20.0.0' }, spec: {} },
    ];
    if (spec.cka) {
      // A first epoch's similarity that the report must not use: only the last counts.
      events.push({ seq: 1, time: at(4), type: 'similarity', model: 'student', epoch: 1, cka: { clean: 0.1, adversarial: 0.1 }, logitCorrelationGap: 0.9 });
      events.push({ seq: 2, time: at(8), type: 'similarity', model: 'student', epoch: 2, cka: { clean: spec.cka.clean, adversarial: spec.cka.adversarial }, logitCorrelationGap: spec.cka.gap });
    }
    if (spec.accuracy) {
      events.push({ seq: 3, time: at(10), type: 'run-end', status: 'finished', durationMs: 10000 });
      fs.writeFileSync(path.join(mm.runDir, 'results.json'), JSON.stringify({ experiment: 'exp', backend: 'wasm', epsilon: 0.1, models: [TEACHER, student(spec)] }));
    }
    fs.writeFileSync(path.join(mm.runDir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  });
  return root;
}

/**
 * A strict enough XML well-formedness check for our SVG: every tag closed in order, attributes
 * quoted, no bare `&` or `<` in text. Returns the element names met, in order.
 */
export function parseXml(xml: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = token.exec(body))) {
    if (m.index !== last) throw new Error(`not well-formed near: ${body.slice(last, last + 40)}`);
    last = token.lastIndex;
    if (m[6]) throw new Error(`a bare < near: ${body.slice(m.index, m.index + 40)}`);
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(m[5])) throw new Error(`a bare & in text: ${m[5].slice(0, 40)}`);
      if (stack.length === 0 && m[5].trim()) throw new Error(`text outside the root element: ${m[5].slice(0, 40)}`);
      continue;
    }
    if (!m[2]) continue;
    if (m[1]) {
      const open = stack.pop();
      if (open !== m[2]) throw new Error(`</${m[2]}> closes <${open}>`);
    } else {
      if (stack.length === 0 && names.length > 0) throw new Error('a second root element');
      names.push(m[2]);
      if (!m[4]) stack.push(m[2]);
    }
  }
  if (last !== body.length) throw new Error('trailing content');
  if (stack.length) throw new Error(`unclosed: ${stack.join(' > ')}`);
  return names;
}
