/**
 * `gacd eval CHECKPOINT_DIR`: the robustness table of one saved model on a dataset's test split,
 * with the same evaluation as the end of a run.
 */
import * as path from 'node:path';
import { selectBackend } from '../backend/select';
import { findDataset } from '../data/catalog';
import { loadDataset } from '../data/load';
import { evaluateExpression } from '../catalog/expression';
import { buildModel } from '../models/registry';
import { loadWeights, readCheckpoint } from '../run/checkpoint';
import { evaluateModel } from '../run/evaluate';
import { WorkerPool, workerCount } from '../parallel/pool';
import { DEFAULT_EVALUATION_ATTACKS } from '../attacks/catalog';
import { parseAttackList } from './attackList';
import { Printer } from './printer';
import { defaultEpsilons, experimentFields } from '../experiment/schema';

/** The evaluation section's defaults, from the one schema (an experiment's evaluation is the same). */
const EVALUATION_DEFAULTS = experimentFields.shape.evaluation.parse({});

export async function evalCommand(
  dir: string,
  flags: { json?: boolean; backend?: string; dataset?: string; epsilon?: string; attacks?: string; 'test-size'?: string; workers?: string },
): Promise<number> {
  const where = path.resolve(dir);
  // The list is checked before anything loads, so a typo fails at once.
  const attacks = parseAttackList(flags.attacks ?? DEFAULT_EVALUATION_ATTACKS.join(','));
  const ck = readCheckpoint(where);
  const datasetName = flags.dataset ?? 'fashion-mnist-mini';
  const info = findDataset(datasetName);
  if (!info) throw new Error(`unknown dataset '${datasetName}' (--dataset)`);
  let epsilon = info.defaultEpsilon;
  if (flags.epsilon) {
    const e = evaluateExpression(flags.epsilon);
    if (!e.ok || e.value < 0 || e.value > 1) throw new Error(`--epsilon ${flags.epsilon}: give a number in [0, 1], such as 8/255`);
    epsilon = e.value;
  }
  const backend = await selectBackend((flags.backend ?? 'auto') as 'auto');
  const data = await loadDataset(datasetName, { seed: 0, testSize: flags['test-size'] ? Number(flags['test-size']) : undefined });
  const model = buildModel(ck.state.arch, { inputShape: info.shape, numClasses: info.numClasses, seed: 0 });
  loadWeights(ck, model, where);
  const threads = backend.name === 'wasm' ? workerCount(flags.workers ? Number(flags.workers) : 'auto') : 1;
  const pool = threads > 1 ? await WorkerPool.start(threads, backend.name) : null;
  const e = await evaluateModel(
    model,
    data.test,
    {
      epsilon,
      attacks,
      epsilons: defaultEpsilons(epsilon),
      batchSize: EVALUATION_DEFAULTS.batch_size,
      seed: 17,
    },
    pool?.correctnessFor(model),
  );
  await pool?.close();
  const result = {
    model: ck.state.model,
    method: ck.state.method,
    arch: ck.state.arch,
    results: e.results,
    accuracyVsEpsilon: e.accuracyVsEpsilon,
    worstClass: { className: info.classNames[e.worstClass.classIndex], accuracy: e.worstClass.accuracy },
    examples: e.examples,
  };
  if (flags.json) process.stdout.write(JSON.stringify({ backend: backend.name, checkpoint: where, ...result }) + '\n');
  else {
    const printer = new Printer();
    printer.line(`backend ${backend.name}: ${backend.detail}`);
    printer.results([result]);
  }
  return 0;
}
