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
import { evaluateAndReport } from '../run/modelEvaluation';
import { writeFileAtomic } from '../run/atomicWrite';
import type { EngineEvent } from '../../protocol/events';
import { WorkerPool, workerCount } from '../parallel/pool';
import { DEFAULT_EVALUATION_ATTACKS } from '../attacks/catalog';
import { parseAttackList } from './attackList';
import { Printer } from './printer';
import { ProgressBar } from './progressBar';
import { defaultEpsilons, experimentFields } from '../experiment/schema';

/** The evaluation section's defaults, from the one schema (an experiment's evaluation is the same). */
const EVALUATION_DEFAULTS = experimentFields.shape.evaluation.parse({});

/** The evaluation's seed, fixed and recorded in the model card. */
const EVALUATION_SEED = 17;

export async function evalCommand(
  dir: string,
  flags: { json?: boolean; backend?: string; dataset?: string; epsilon?: string; attacks?: string; 'test-size'?: string; workers?: string; card?: string },
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
  if (ck.state.numClasses !== info.numClasses) {
    throw new Error(`${where}: the model has ${ck.state.numClasses} classes but ${datasetName} has ${info.numClasses}; give the dataset it was trained on with --dataset`);
  }
  const model = buildModel(ck.state.arch, { inputShape: info.shape, numClasses: info.numClasses, seed: 0 });
  loadWeights(ck, model, where);
  const threads = backend.name === 'wasm' ? workerCount(flags.workers ? Number(flags.workers) : 'auto') : 1;
  const pool = threads > 1 ? await WorkerPool.start(threads, backend.name) : null;
  const printer = flags.json ? null : new Printer(process.stdout, process.stderr, new ProgressBar(process.stderr));
  printer?.line(`backend ${backend.name}: ${backend.detail}`);
  let evaluated;
  try {
    evaluated = await evaluateAndReport({
      model,
      label: ck.state.model,
      method: ck.state.method,
      split: data.test,
      data: { dataset: datasetName, split: 'test', classes: null, resize: null, classNames: info.classNames },
      config: { epsilon, attacks, epsilons: defaultEpsilons(epsilon), batchSize: EVALUATION_DEFAULTS.batch_size, seed: EVALUATION_SEED },
      pool,
      // The progress bar on a terminal; nothing but the last line with --json.
      emit: (e) => printer?.event({ seq: 0, time: new Date().toISOString(), ...e } as EngineEvent),
      card: { backend: backend.name, checkpoint: where },
    });
  } finally {
    await pool?.close();
  }
  if (flags.card) writeFileAtomic(path.resolve(flags.card), JSON.stringify(evaluated.card, null, 1));
  const result = evaluated.results;
  if (flags.json) process.stdout.write(JSON.stringify({ backend: backend.name, checkpoint: where, ...result, flags: result.flags ?? [] }) + '\n');
  else {
    printer!.results([result]);
    if (flags.card) printer!.line(`model card: ${path.resolve(flags.card)}`);
  }
  return 0;
}
