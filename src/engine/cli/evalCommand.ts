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
import { resultsTable } from './table';

export async function evalCommand(
  dir: string,
  flags: { json?: boolean; backend?: string; dataset?: string; epsilon?: string; attacks?: string; 'test-size'?: string; workers?: string },
): Promise<number> {
  const where = path.resolve(dir);
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
      attacks: (flags.attacks ?? 'clean,fgsm,pgd-20,cw-20').split(','),
      epsilons: [0, epsilon / 2, epsilon, 1.5 * epsilon, 2 * epsilon],
      batchSize: 250,
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
  else process.stdout.write(`backend ${backend.name}: ${backend.detail}\n${resultsTable([result])}\n`);
  return 0;
}
