/**
 * A worker thread of the engine: its own TensorFlow.js instance (wasm gets its own module per
 * thread, which is how the engine reaches a second core) holding a copy of one model at a time.
 */
import { parentPort } from 'node:worker_threads';
import { selectBackend } from '../backend/select';
import { buildModel } from '../models/registry';
import type { Model } from '../models/model';
import { correctnessRange } from '../step/correctness';
import type { FromWorker, ModelRef, ToWorker } from './messages';
import { serveTraining } from './trainingServer';
import { unpackWeights } from './weights';

let model: Model | null = null;
let modelKey = '';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const send = (m: FromWorker) => port.postMessage(m);

/** This thread's copy of a model of that architecture (built once, weights set by each request). */
function useModel(ref: ModelRef): Model {
  const key = JSON.stringify([ref.arch, ref.inputShape, ref.numClasses, ref.options ?? null, ref.normalization ?? null]);
  if (key !== modelKey || !model) {
    model?.params.dispose();
    model = buildModel(ref.arch, { ...ref, seed: 0 });
    modelKey = key;
  }
  return model;
}

port.on('message', async (msg: ToWorker) => {
  try {
    switch (msg.type) {
      case 'init': {
        const b = await selectBackend(msg.backend as 'wasm');
        send({ type: 'ready', backend: b.name });
        break;
      }
      case 'set-model':
        unpackWeights(useModel(msg.model), msg.weights);
        break;
      case 'training-session': {
        const teachers = Object.fromEntries(
          Object.entries(msg.setup.teachers).map(([role, t]) => [role, buildModel(t.model.arch, { ...t.model, seed: 0 })]),
        );
        try {
          serveTraining(msg.end, msg.setup, useModel(msg.setup.student), teachers);
        } finally {
          for (const t of Object.values(teachers)) t.params.dispose();
          send({ type: 'session-closed' });
        }
        break;
      }
      case 'correctness': {
        if (!model) throw new Error('no model set');
        const split = { images: msg.images, labels: msg.labels, count: msg.labels.length, shape: msg.shape, numClasses: model.numClasses };
        const job = { entry: msg.entry, epsilon: msg.epsilon, batchSize: msg.batchSize, seed: msg.seed };
        const { correct, report } = correctnessRange(model, split, job, 0, split.count, msg.offset);
        send({ type: 'correctness', id: msg.id, correct, report });
        break;
      }
    }
  } catch (err) {
    send({ type: 'error', id: 'id' in msg ? msg.id : undefined, message: (err as Error).message });
  }
});
