/**
 * `npm run bench`: the engine's PGD-10 adversarial training step beside the same step in PyTorch
 * (Debian's python3-torch, 2 threads), run one after the other in this script so that both see the
 * same machine. Prints a table with the ratio engine / PyTorch for each backend and input shape.
 * Options: --steps N (timed steps per figure, default 5), --backend NAME (only that backend).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const steps = flag('--steps') ?? '5';
const PYTHON = '/usr/bin/python3';

interface EngineFigure { backend: string; workers: number; shape: string; imagesPerSecond: number; steps: number }
interface TorchFigure { shape: string; imagesPerSecond: number; torch: string }

function jsonLines<T>(out: string): T[] {
  return out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as T);
}

const engineArgs = ['bin/gacd.js', 'bench', '--json', '--steps', steps, ...(flag('--backend') ? ['--backend', flag('--backend')!] : ['--backend', 'wasm'])];
process.stderr.write(`engine: node ${engineArgs.join(' ')}\n`);
const engine = jsonLines<EngineFigure>(execFileSync(process.execPath, engineArgs, { cwd: ROOT, encoding: 'utf8' }));
process.stderr.write(`reference: ${PYTHON} bench/torch_step.py ${steps}\n`);
const torch = jsonLines<TorchFigure>(execFileSync(PYTHON, [path.join(ROOT, 'bench', 'torch_step.py'), steps], { encoding: 'utf8' }));

console.log(`PGD-10 adversarial training step, small CNN, batch 128 (images/second; PyTorch ${torch[0]?.torch}, 2 threads)`);
console.log('backend  threads  shape      engine   pytorch   ratio');
for (const e of engine) {
  const t = torch.find((x) => x.shape === e.shape);
  const ratio = t ? (e.imagesPerSecond / t.imagesPerSecond).toFixed(2) : '-';
  console.log(
    `${e.backend.padEnd(7)}  ${String(e.workers).padStart(7)}  ${e.shape.padEnd(9)}  ${e.imagesPerSecond.toFixed(1).padStart(6)}  ${(t?.imagesPerSecond ?? NaN).toFixed(1).padStart(8)}  ${ratio.padStart(6)}`,
  );
}

// The language server's latency (issue 3's targets) and, where present, the dashboard's render time.
for (const script of ['server.ts', 'dashboard.ts']) {
  const file = path.join(ROOT, 'bench', script);
  if (!require('node:fs').existsSync(file)) continue;
  console.log(`\n${script}:`);
  console.log(execFileSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, encoding: 'utf8' }).trim());
}
