/**
 * A whole run of an experiment: pick the backend, load the data, get the teacher (from its
 * checkpoint or by training it), train the student and the baselines, evaluate every model, and
 * write the results. Each step leaves its trace in the run directory, so `resume` can pick up
 * after a stop, a crash or a full disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelResults } from '../../protocol/events';
import { BackendInfo, selectBackend } from '../backend/select';
import { augmenterFor } from '../data/augment';
import { loadDataset } from '../data/load';
import type { LoadedDataset } from '../data/types';
import type { ExperimentSpec } from '../experiment/schema';
import { buildModel } from '../models/registry';
import type { Model } from '../models/model';
import type { Teachers } from '../methods/method';
import { teacherRoles, type TeacherRole } from '../catalog/types';
import { describeIoError, writeFileAtomic } from './atomicWrite';
import { readCheckpoint, loadWeights } from './checkpoint';
import { evaluateAndReport, weightsHash } from './modelEvaluation';
import { importedCheckpoint, isTorchWeightsFile } from '../interop/importedCheckpoint';
import { WorkerPool, threadsFor, threadsWords } from '../parallel/pool';
import { EventLog, Listener } from './eventLog';
import { RunDir } from './runDir';
import { CheckpointStore, safeName } from './checkpointStore';
import { TrainOutcome, TrainingSpec, trainModel } from './trainModel';
import { planRun, teacherBlock, trainingKeys } from './runPlan';
import { RunProgress } from './runProgress';
import { modelCost } from './workPlan';
import { setHeartbeat } from '../util/heartbeat';
import { ENGINE_VERSION } from '../util/version';

export interface RunOptions {
  spec: ExperimentSpec;
  /** The experiment file's folder: relative paths in the spec resolve against it. */
  baseDir: string;
  dir: RunDir;
  resumed: boolean;
  /** Overrides spec.backend (the CLI's --backend). */
  backend?: string;
  listeners: Listener[];
  shouldStop: () => boolean;
}

export type RunStatus = 'finished' | 'stopped' | 'failed';

interface Member {
  label: string;
  method: string;
  settings: Record<string, unknown>;
  training: TrainingSpec;
}

export async function runExperiment(o: RunOptions): Promise<{ status: RunStatus; results: ModelResults[] }> {
  const started = Date.now();
  const log = new EventLog(o.dir.events);
  for (const l of o.listeners) log.listen(l);
  const fail = (code: string, message: string, fix: string) => {
    log.emit({ type: 'error', code, message, fix });
    log.emit({ type: 'run-end', status: 'failed', durationMs: Date.now() - started });
    return { status: 'failed' as const, results: [] };
  };

  let backend: BackendInfo;
  let data: LoadedDataset;
  const spec = o.spec;
  try {
    backend = await selectBackend((o.backend ?? spec.backend) as 'auto');
    data = await loadDataset(spec.data.dataset, {
      path: spec.data.path ? path.resolve(o.baseDir, spec.data.path) : undefined,
      classes: spec.data.classes ?? undefined,
      resize: spec.data.resize ?? undefined,
      validationSize: spec.data.validation_size ?? 'auto',
      trainSize: spec.data.train_size ?? undefined,
      testSize: spec.data.test_size ?? undefined,
      seed: spec.seed,
    });
  } catch (err) {
    return fail('setup', (err as Error).message, 'fix the experiment file or the installation and run again');
  }
  log.emit({
    type: 'run-start',
    runId: path.basename(o.dir.root),
    experiment: spec.name,
    runDir: o.dir.root,
    backend: backend.name,
    backendDetail: `${backend.detail} · ${threadsWords(backend.name, spec.workers)}`,
    resumed: o.resumed,
    versions: { engine: ENGINE_VERSION, tfjs: tf.version_core, node: process.versions.node },
    spec,
  });
  if (backend.tried.length > 0) {
    const why = backend.tried.map((t) => `${t.name} (${t.error.split(' (')[0]})`).join(', ');
    log.emit({ type: 'warning', message: `faster backends not used: ${why}; on a machine with internet, npm install @tensorflow/tfjs-node gives native speed` });
  }

  const [h, w, c] = data.info.shape;
  const build = (arch: string, numClasses: number, seedOffset: number): Model =>
    buildModel(arch, { inputShape: [h, w, c], numClasses, seed: spec.seed + seedOffset });

  // One progress figure for the whole run, following the events below; its heartbeat keeps the
  // run audible inside long attacks (synchronous) and while worker threads compute (the timer).
  const progress = new RunProgress(
    planRun(spec, { trainCount: data.train.count, validationCount: data.validation.count, testCount: data.test.count }, costOfArch(build, data.info.numClasses)),
    (body) => log.emit(body),
  );
  log.listen((e) => progress.observe(e));
  const restoreHeartbeat = setHeartbeat(() => progress.beat());
  const timer = setInterval(() => progress.beat(), 1000);
  timer.unref();
  const augmentOf = (d: LoadedDataset, augment: string) => augmenterFor(augment === 'auto' ? d.info.defaultAugment : (augment as 'none' | 'crop-flip'));
  // The spec holds every default already (the schema resolved them once): nothing here re-derives one.
  const training = spec.training;
  const models: Array<{ member: Member; model: Model; arch: string; data: LoadedDataset }> = [];
  let pool: WorkerPool | null = null;

  try {
    // The second core is reached through worker threads, each with its own wasm instance.
    const threads = threadsFor(backend.name, spec.workers);
    pool = threads > 1 ? await WorkerPool.start(threads, backend.name) : null;

    // Train (or continue training) one model on `on`; `undefined` means it finished.
    const train = async (member: Member, model: Model, teachers: Teachers, seedOffset: number, on: LoadedDataset, augment: string, teacherLabelsMatch = true) => {
      const latest = new CheckpointStore(o.dir.checkpoints, member.label).latest();
      if (latest?.completed) {
        loadWeights(latest.checkpoint, model, `checkpoint of ${member.label}`);
        progress.complete(`train:${member.label}`);
        return undefined;
      }
      const resumeFrom = latest?.checkpoint;
      const outcome = await trainModel({
        label: member.label,
        model,
        teachers,
        teacherLabelsMatch,
        method: member.method,
        methodSettings: member.settings,
        training: member.training,
        train: on.train,
        validation: on.validation,
        augment: augmentOf(on, augment),
        seed: spec.seed + seedOffset,
        log,
        checkpointsDir: o.dir.checkpoints,
        shouldStop: o.shouldStop,
        resumeFrom,
        pool,
      });
      return outcome.status === 'finished' ? undefined : (outcome as Exclude<TrainOutcome, { status: 'finished' }>);
    };

    // With keep_best, the model evaluated is its best epoch on the validation split.
    const useBest = (label: string, model: Model) => {
      const store = new CheckpointStore(o.dir.checkpoints, label);
      const best = store.best();
      if (best) loadWeights(readCheckpoint(store.bestFolder), model, store.bestFolder);
    };

    // The teachers by role: each from its checkpoint or trained by its own recipe, on the
    // student's data or on its own (a teacher from another task).
    const teachers: Teachers = {};
    let teacherLabelsMatch = true;
    for (const [k, role] of teacherRoles.entries()) {
      const block = teacherBlock(spec, role);
      if (!block) continue;
      const label = role === 'adversarial' ? 'teacher' : `teacher:${role}`;
      const own = block.data ? await loadTeacherData(block.data, o.baseDir, spec.seed) : data;
      if (block.data && !sameLabelSet(block.data, spec.data)) teacherLabelsMatch = false;
      if (own.info.shape.join('x') !== data.info.shape.join('x')) {
        throw new Error(
          `the ${label}'s data (${own.info.name}) has ${own.info.shape.join('x')} images but the student's has ${data.info.shape.join('x')}: the teacher sees the student's inputs, so both must have one shape`,
        );
      }
      const seedOffset = 1000 * (k + 1);
      if (block.checkpoint) {
        const written = path.resolve(o.baseDir, block.checkpoint);
        // A PyTorch file is imported once into a checkpoint folder beside it.
        const where = isTorchWeightsFile(written)
          ? importedCheckpoint(written, block.model, {
              inputShape: [h, w, c],
              numClasses: own.info.numClasses,
              normalization: block.normalization ?? undefined,
            })
          : written;
        const ck = readCheckpoint(where);
        if (ck.state.numClasses !== own.info.numClasses) {
          throw new Error(
            `${where}: the ${label} has ${ck.state.numClasses} classes but its data (${own.info.name}${block.data?.classes ? ` classes [${block.data.classes.join(', ')}]` : ''}) has ${own.info.numClasses}: ` +
              `give the ${label} a \`data:\` section with the dataset and classes it was trained on`,
          );
        }
        const teacher = buildModel(block.model, {
          inputShape: [h, w, c],
          numClasses: ck.state.numClasses,
          seed: spec.seed + seedOffset,
          options: ck.state.options,
          normalization: ck.state.normalization,
        });
        loadWeights(ck, teacher, where);
        log.emit({ type: 'stage-start', model: label, method: ck.state.method, arch: teacher.arch, epochs: 0, stepsPerEpoch: 0, params: teacher.params.count(), loadedFrom: where });
        models.push({ member: { label, method: ck.state.method, settings: {}, training }, model: teacher, arch: teacher.arch, data: own });
        teachers[role] = teacher;
      } else if (block.train) {
        const { method, ...rest } = block.train;
        const member: Member = { label, method, settings: rest, training: { ...spec.training, ...trainingKeys(rest, spec.training) } };
        const teacher = build(block.model, own.info.numClasses, seedOffset);
        // Its training set is the first model's, so its weights stay in `models` for disposal.
        models.push({ member, model: teacher, arch: teacher.arch, data: own });
        const stopped = await train(member, teacher, {}, seedOffset, own, block.data?.augment ?? spec.data.augment);
        if (stopped) return end(stopped);
        if (member.training.keep_best) useBest(label, teacher);
        teachers[role] = teacher;
      }
    }

    const { name: studentMethod, ...studentSettings } = spec.method;
    const members: Member[] = [
      { label: 'student', method: studentMethod, settings: studentSettings, training },
      ...spec.baselines.map((b) => {
        const { method, label, ...settings } = b;
        return { label: `baseline:${label ?? method}`, method, settings, training };
      }),
    ];
    for (const member of members) {
      const model = build(spec.student.model, data.info.numClasses, 0);
      models.push({ member, model, arch: model.arch, data });
      const stopped = await train(member, model, teachers, 0, data, spec.data.augment, teacherLabelsMatch);
      if (stopped) return end(stopped);
      if (member.training.keep_best) useBest(member.label, model);
    }

    // Evaluation of every model, each saved as soon as it is done.
    const ev = spec.evaluation;
    const teacherCards = Object.entries(teachers).map(([role, t]) => ({ role, arch: t.arch, weightsSha256: weightsHash(t) }));
    const teacherDataOf = (label: string) => {
      const role = label === 'teacher' ? 'adversarial' : label.replace(/^teacher:/, '');
      return teacherBlock(spec, role as TeacherRole)?.data ?? null;
    };
    const epsilon = ev.epsilon;
    const results: ModelResults[] = [];
    // Each model is evaluated on the test split of its own data (a teacher from another task on its task's).
    for (const { member, model, arch, data: own } of models) {
      const testSplit = ev.test_size ? headSplit(own.test, ev.test_size) : own.test;
      const saved = path.join(o.dir.evaluation, `${safeName(member.label)}.json`);
      let r: ModelResults;
      if (fs.existsSync(saved)) {
        r = JSON.parse(fs.readFileSync(saved, 'utf8')) as ModelResults;
      } else {
        if (o.shouldStop()) return end({ status: 'stopped' });
        const dataSection = own === data ? spec.data : teacherDataOf(member.label) ?? spec.data;
        const evaluated = await evaluateAndReport({
          model,
          label: member.label,
          method: member.method,
          split: testSplit,
          data: { dataset: own.info.name, split: 'test', classes: dataSection.classes, resize: dataSection.resize, classNames: own.info.classNames },
          config: { epsilon, attacks: ev.attacks, epsilons: ev.epsilons, batchSize: ev.batch_size, seed: ev.seed ?? spec.seed + 17 },
          pool,
          emit: (e) => log.emit(e),
          partialFile: path.join(o.dir.evaluation, `${safeName(member.label)}.partial.json`),
          cacheDir: evaluationCacheDir(o.dir.root),
          card: {
            backend: backend.name,
            teachers: member.label.startsWith('teacher') ? [] : teacherCards,
          },
        });
        r = evaluated.results;
        writeFileAtomic(path.join(o.dir.evaluation, `${safeName(member.label)}.card.json`), JSON.stringify(evaluated.card, null, 1));
        writeFileAtomic(saved, JSON.stringify(r, null, 1));
      }
      log.emit({ type: 'evaluation', ...r });
      results.push(r);
    }
    writeFileAtomic(o.dir.results, JSON.stringify({ experiment: spec.name, backend: backend.name, epsilon, models: results }, null, 2));
    progress.finish();
    log.emit({ type: 'run-end', status: 'finished', durationMs: Date.now() - started, results });
    return { status: 'finished', results };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e?.code) {
      const io = describeIoError(err, `the run folder ${o.dir.root}`);
      return fail(io.code, `${io.message}; the previous checkpoint is intact`, io.fix);
    }
    return fail('engine', e?.message ?? String(err), 'see the message; fix the experiment file and resume with gacd resume');
  } finally {
    clearInterval(timer);
    restoreHeartbeat();
    await pool?.close();
    for (const m of models) m.model.params.dispose();
  }

  function end(outcome: Exclude<TrainOutcome, { status: 'finished' }>) {
    if (outcome.status === 'failed') return fail(outcome.code, outcome.message, outcome.fix);
    log.emit({ type: 'run-end', status: 'stopped', durationMs: Date.now() - started });
    return { status: 'stopped' as const, results: [] };
  }
}

/** A model's relative cost by architecture, from its parameter count (a throwaway model, counted once). */
function costOfArch(build: (arch: string, numClasses: number, seedOffset: number) => Model, numClasses: number): (arch: string) => number {
  const known = new Map<string, number>();
  return (arch) => {
    let cost = known.get(arch);
    if (cost === undefined) {
      const m = build(arch, numClasses, 0);
      cost = modelCost(m.params.count());
      m.params.dispose();
      known.set(arch, cost);
    }
    return cost;
  };
}

/**
 * The evaluation cache of every run under the same runs folder (`<runs>/.cache/evaluations`), so
 * that a fixed teacher is evaluated once for all the runs that use it.
 */
function evaluationCacheDir(runRoot: string): string {
  return path.join(path.dirname(path.dirname(runRoot)), '.cache', 'evaluations');
}

/** Whether two data sections name one label set (the same dataset and the same classes, in order). */
function sameLabelSet(a: { dataset: string; classes: number[] | null }, b: { dataset: string; classes: number[] | null }): boolean {
  return a.dataset === b.dataset && (a.classes ?? []).join(',') === (b.classes ?? []).join(',');
}

/** A teacher's own dataset (`teacher.data`), loaded as the student's is. */
function loadTeacherData(d: NonNullable<NonNullable<ExperimentSpec['teacher']>['data']>, baseDir: string, seed: number): Promise<LoadedDataset> {
  return loadDataset(d.dataset, {
    path: d.path ? path.resolve(baseDir, d.path) : undefined,
    classes: d.classes ?? undefined,
    resize: d.resize ?? undefined,
    validationSize: d.validation_size ?? 'auto',
    trainSize: d.train_size ?? undefined,
    testSize: d.test_size ?? undefined,
    seed,
  });
}

function headSplit(split: LoadedDataset['test'], n: number): LoadedDataset['test'] {
  const count = Math.min(n, split.count);
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  return { ...split, count, images: split.images.subarray(0, count * size), labels: split.labels.subarray(0, count) };
}
