/**
 * Copies the teacher trained by examples/teacher-fashion.gacd into examples/checkpoints/ with a
 * recipe.json that records where it came from and what it scored, so that a test can check the
 * shipped weights against the recipe's own evaluation.
 *   npx gacd run examples/teacher-fashion.gacd
 *   node --import tsx scripts/ship-teacher.ts examples/.gacd-runs/teacher-fashion/<run-id>
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../src/engine/backend/select';
import { loadDataset } from '../src/engine/data/load';
import { buildModel } from '../src/engine/models/registry';
import { loadWeights, readCheckpoint } from '../src/engine/run/checkpoint';
import { evaluateModel } from '../src/engine/run/evaluate';

const runDir = path.resolve(process.argv[2] ?? '');
const runStart = JSON.parse(fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8').split('\n')[0]) as { backend: string };
const spec = JSON.parse(fs.readFileSync(path.join(runDir, 'spec.json'), 'utf8'));
const pointer = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'student.json'), 'utf8'));
if (!pointer.completed) throw new Error(`${runDir}: the model did not finish training`);
const source = path.join(runDir, 'checkpoints', pointer.path);
const target = path.join(__dirname, '..', 'examples', 'checkpoints', 'teacher-fashion');
fs.rmSync(target, { recursive: true, force: true });
fs.mkdirSync(target, { recursive: true });

// Ship the weights only: the optimizer's momentum is of no use to a frozen teacher.
const state = JSON.parse(fs.readFileSync(path.join(source, 'state.json'), 'utf8'));
const values = new Float32Array(fs.readFileSync(path.join(source, 'tensors.bin')).buffer.slice(0));
const kept = state.tensors.filter((t: { group: string }) => t.group === 'model');
let offset = 0;
const out = new Float32Array(kept.reduce((n: number, t: { length: number }) => n + t.length, 0));
for (const t of kept) {
  out.set(values.subarray(t.offset, t.offset + t.length), offset);
  t.offset = offset;
  offset += t.length;
}
const bin = new Uint8Array(out.buffer);
fs.writeFileSync(path.join(target, 'tensors.bin'), bin);
fs.writeFileSync(
  path.join(target, 'state.json'),
  JSON.stringify({ ...state, model: 'teacher', tensors: kept, methodState: [] }, null, 1),
);
// The metrics the engine's evaluation gives the shipped weights, exactly as the test recomputes them.
async function evaluateShipped(): Promise<Record<string, number>> {
  await selectBackend('wasm');
  const data = await loadDataset(spec.data.dataset, { seed: spec.seed });
  const model = buildModel(state.arch, { inputShape: data.info.shape, numClasses: data.info.numClasses, seed: 0 });
  loadWeights(readCheckpoint(target), model, target);
  const e = await evaluateModel(model, data.test, {
    epsilon: spec.evaluation.epsilon,
    attacks: spec.evaluation.attacks,
    epsilons: [],
    batchSize: spec.evaluation.batch_size,
    seed: spec.seed + 17,
  });
  return Object.fromEntries(e.results.map((r) => [r.attack, r.accuracy]));
}

evaluateShipped().then((metrics) => {
  const recipe = {
    recipe: 'examples/teacher-fashion.gacd',
    run: path.basename(runDir),
    backend: runStart.backend,
    seed: spec.seed,
    evaluation: { epsilon: spec.evaluation.epsilon, attacks: spec.evaluation.attacks, batchSize: spec.evaluation.batch_size, seed: spec.seed + 17 },
    metrics,
    sha256: createHash('sha256').update(bin).digest('hex'),
  };
  fs.writeFileSync(path.join(target, 'recipe.json'), JSON.stringify(recipe, null, 2) + '\n');
  console.log(`shipped ${source} -> ${target}`, metrics);
});
