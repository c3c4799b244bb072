/**
 * Latency of the language server on a 1,000-line experiment: diagnostics (target: median under
 * 20 ms) and completion (target: median under 10 ms), measured through the language service
 * in-process and through the stdio server from a plain-Node client, as an editor talks to it.
 *
 *   npm run bench:server            (or: node --import tsx bench/server.ts [runs])
 *
 * Every measured request is on a new version of the text, so nothing is served from the cache of
 * a previous run: each diagnostic run parses, validates and checks the whole file again, and each
 * completion reads the file's structure again.
 */
import * as path from 'node:path';
import { createLanguageService } from '../src/server/service/languageService';
import type { Position } from '../src/server/service/types';
import { fileUri, startClient } from '../test/server/client';

const RUNS = Number(process.argv[2] ?? 60);
const WARMUP = 8;
const root = path.resolve(__dirname, '..');
const file = path.join(root, 'bench', 'server-bench.gacd');

/** A realistic large experiment: every section, then baselines (with comments) up to 1,000 lines. */
export function largeExperiment(lines = 1000): string {
  let text = `# run 0
# A large comparison: GACD against many baselines on the bundled Fashion-MNIST subset.
name: big-comparison
seed: 0
data:
  dataset: fashion-mnist-mini
  train_size: 2000
teacher:
  model: small-cnn
  train:
    method: pgd-at
    epochs: 3
student:
  model: tiny-cnn
method:
  name: gacd
  critic: infonce
  beta: 0.8
training:
  epochs: 5
  schedule: piecewise
  milestones: [3, 4]
  attack:
    epsilon: 0.1
    step_size: 0.1/4
evaluation:
  attacks: [clean, fgsm, pgd-20, cw-20]
baselines:
`;
  const kinds = ['ard', 'pgd-at', 'natural', 'gacd'];
  for (let i = 0; text.split('\n').length < lines; i++) {
    const m = kinds[i % kinds.length];
    text += `  # baseline ${i}\n  - method: ${m}\n    label: b${i}\n`;
    if (m === 'ard') text += `    temperature: ${(i % 20) + 1}\n    alpha: 0.9\n`;
    if (m === 'gacd') text += `    beta: 0.${(i % 9) + 1}\n    critic: infonce\n`;
  }
  return text;
}

function stats(samples: number[]): { median: number; p90: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))] };
}

const base = largeExperiment();
const lineCount = base.split('\n').length;
/** The text at version `v`: the first line's counter changes, nothing else. */
const version = (v: number) => base.replace('# run 0', `# run ${v}`);
const firstLine = (v: number) => `# run ${v}`;

// Where completion is asked: a new key in a baseline entry, a method name, a new top-level key.
const lines = base.split('\n');
const entry = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith('  - method: ard'));
const completions: { pos: Position; edit: (text: string) => string }[] = [
  { pos: { line: entry + 1, character: 4 }, edit: (t) => t },
  { pos: { line: entry, character: 13 }, edit: (t) => t },
  { pos: { line: 27, character: 0 }, edit: (t) => t },
];

async function main(): Promise<void> {
  const results: [string, string, { median: number; p90: number }, number][] = [];

  // Through the service, in-process.
  const service = createLanguageService({ workspaceRoot: () => root });
  const diag: number[] = [];
  let count = 0;
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const doc = { id: 'bench', filePath: file, version: i, text: version(i) };
    const t = performance.now();
    count = service.validate(doc).length;
    if (i >= WARMUP) diag.push(performance.now() - t);
  }
  results.push(['diagnostics', 'service', stats(diag), 20]);
  const comp: number[] = [];
  for (let i = 0; i < WARMUP + RUNS * 3; i++) {
    const c = completions[i % completions.length];
    const doc = { id: 'bench', filePath: file, version: 10_000 + i, text: version(10_000 + i) };
    const t = performance.now();
    const items = service.complete(doc, c.pos, { snippets: true });
    if (i >= WARMUP) comp.push(performance.now() - t);
    if (items.length === 0) throw new Error(`no completion at ${JSON.stringify(c.pos)}`);
  }
  results.push(['completion', 'service', stats(comp), 10]);

  // Through the stdio server: diagnostics published after an incremental change (no debounce).
  const client = await startClient({ diagnosticsDelayMs: 0, rootPath: root });
  const uri = fileUri(file);
  client.open(uri, version(0), 1);
  await client.diagnostics(uri, 1);
  const sdiag: number[] = [];
  for (let i = 1; i <= WARMUP + RUNS; i++) {
    const t = performance.now();
    void client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 1 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine(i - 1).length } }, text: firstLine(i) }],
    });
    const published = await client.diagnostics(uri, i + 1);
    if (i > WARMUP) sdiag.push(performance.now() - t);
    if (published.diagnostics.length !== count) throw new Error(`the server reported ${published.diagnostics.length} diagnostics, the service ${count}`);
  }
  results.push(['diagnostics', 'stdio server', stats(sdiag), 20]);
  await client.stop();

  // Completion right after a keystroke, as an editor asks it (the default debounce keeps the
  // diagnostics of that keystroke from running first).
  const client2 = await startClient({ rootPath: root });
  client2.open(uri, version(0), 1);
  await client2.diagnostics(uri, 1);
  const scomp: number[] = [];
  for (let i = 1; i <= WARMUP + RUNS * 3; i++) {
    const c = completions[i % completions.length];
    void client2.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: i + 1 },
      contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine(i - 1).length } }, text: firstLine(i) }],
    });
    const t = performance.now();
    const items = (await client2.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position: c.pos })) as unknown[];
    if (i > WARMUP) scomp.push(performance.now() - t);
    if (items.length === 0) throw new Error('no completion from the server');
    // Let the debounced diagnostics run between keystrokes, as they would while typing.
    if (i % 3 === 0) await client2.diagnostics(uri, i + 1);
  }
  results.push(['completion', 'stdio server', stats(scomp), 10]);
  await client2.stop();

  console.log(`GACD language server on a ${lineCount}-line experiment (${count} diagnostics), ${RUNS} runs (${RUNS * 3} for completion) after ${WARMUP} warm-up:`);
  console.log('  request      through        median     p90    target');
  for (const [what, via, s, target] of results) {
    const ok = s.median < target ? 'ok' : 'MISSED';
    console.log(`  ${what.padEnd(12)} ${via.padEnd(13)} ${s.median.toFixed(2).padStart(7)} ms ${s.p90.toFixed(2).padStart(7)} ms  < ${target} ms ${ok}`);
  }
  if (results.some(([, , s, target]) => s.median >= target)) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
