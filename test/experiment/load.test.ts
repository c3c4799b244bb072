import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { MINIMAL, byCode, check, covered, errors, fixtures, tempWorkspace } from './helpers';

test('a minimal file yields the spec with every default filled in', () => {
  const r = loadExperiment(path.join(fixtures, 'minimal.gacd'));
  assert.deepEqual(r.problems, []);
  assert.deepEqual(r.spec, {
    name: 'minimal',
    seed: 0,
    backend: 'auto',
    workers: 'auto',
    allow_outside_workspace: false,
    data: { dataset: 'fashion-mnist-mini', path: null, classes: null, train_size: null, test_size: null, validation_size: null, resize: null, augment: 'none' },
    teacher: null,
    teachers: { adversarial: null, natural: null },
    student: { model: 'tiny-cnn' },
    method: { name: 'pgd-at' },
    training: {
      epochs: 5,
      batch_size: 128,
      lr: 0.05,
      momentum: 0.9,
      weight_decay: 5e-4,
      schedule: 'cosine',
      milestones: [100, 150],
      lr_decay: 0.1,
      keep_best: false,
      attack: { epsilon: 0.1, step_size: 0.025, steps: 10, random_start: true },
    },
    baselines: [],
    evaluation: {
      epsilon: 0.1,
      // Resolved by the attacks catalog's parser, every setting filled in (spec.json holds these).
      attacks: [
        { label: 'clean', attack: 'clean', settings: {} },
        { label: 'fgsm', attack: 'fgsm', settings: { random_start: false } },
        { label: 'pgd-20', attack: 'pgd', settings: { steps: 20, step_size: null, random_start: true, loss: 'ce', restarts: 1 } },
        { label: 'cw-20', attack: 'cw', settings: { steps: 20, step_size: null, random_start: true, confidence: 50, restarts: 1 } },
      ],
      epsilons: [0, 0.05, 0.1, 1.5 * 0.1, 0.2],
      test_size: null,
      batch_size: 250,
      seed: null,
    },
    sweep: null,
    slurm: null,
  });
});

test('a full GACD file fills method settings, baselines and the teacher training block', () => {
  const r = loadExperiment(path.join(fixtures, 'quickstart.gacd'));
  assert.deepEqual(errors(r), []);
  const spec = r.spec!;
  assert.equal(spec.name, 'quickstart');
  assert.deepEqual(spec.method, {
    name: 'gacd',
    gamma: 1,
    beta: 0.8,
    alpha: 0,
    kd_temperature: 4,
    student_tap: 'penultimate',
    teacher_tap: 'penultimate',
    embed_dim: 128,
    critic: 'infonce',
    negatives: 16384,
    temperature: 0.07,
    bank_momentum: 0.5,
    class_negatives: true,
    direction: 'teacher-anchor',
    teacher_input: 'clean',
    reweight: 'confidence',
    reweight_beta: 0.1,
    attack_loss: 'ce',
    kl_reduction: 'batchmean',
    attack_mode: 'eval',
  });
  assert.deepEqual(spec.baselines, [
    { method: 'pgd-at' },
    { method: 'ard', alpha: 1, temperature: 10, kl_reduction: 'batchmean', attack_mode: 'eval' },
  ]);
  assert.equal(spec.teacher?.model, 'small-cnn');
  assert.equal(spec.teacher?.checkpoint, null);
  assert.equal(spec.teacher?.train?.method, 'pgd-at');
  assert.equal(spec.teacher?.train?.epochs, 3);
  assert.deepEqual(spec.teacher?.train?.attack, { epsilon: 0.1, step_size: 0.025, steps: 10, random_start: true });
});

test('8/255 and 2 / 255 are evaluated; epsilon defaults follow the dataset; paths become absolute', () => {
  const r = loadExperiment(path.join(fixtures, 'cifar.gacd'));
  // Whether CIFAR-10 is downloaded depends on the machine; the dataset check has its own tests.
  assert.deepEqual(r.problems.filter((p) => p.code !== 'dataset-not-found'), []);
  const spec = r.spec!;
  assert.equal(spec.training.attack.epsilon, 8 / 255);
  assert.equal(spec.training.attack.step_size, 2 / 255);
  assert.equal(spec.training.weight_decay, 2e-4);
  assert.equal(spec.evaluation.epsilon, 8 / 255, 'evaluation.epsilon defaults to training.attack.epsilon');
  assert.deepEqual(spec.evaluation.epsilons, [0, 4 / 255, 8 / 255, 1.5 * (8 / 255), 16 / 255]);
  assert.equal(spec.data.augment, 'crop-flip', "augment: auto is the dataset's usual augmentation");
  assert.equal(spec.teacher?.checkpoint, path.join(fixtures, 'checkpoints', 'teacher'));

  const cifar100 = check(MINIMAL.replace('fashion-mnist-mini', 'cifar100'));
  assert.equal(cifar100.spec?.training.attack.epsilon, 8 / 255);
  assert.equal(cifar100.spec?.training.attack.step_size, 2 / 255);
  const mnist = check(MINIMAL.replace('fashion-mnist-mini', 'mnist'));
  assert.equal(mnist.spec?.training.attack.epsilon, 0.3);
});

test("evaluation.seed fixes the attacks' random starts; a negative or fractional seed is refused on its line", () => {
  const at = (seed: string) => check(`${MINIMAL}evaluation:\n  seed: ${seed}\n`);
  assert.equal(at('3').spec?.evaluation.seed, 3);
  for (const bad of ['-1', '0.5']) {
    const problems = errors(at(bad));
    assert.equal(problems.length, 1, bad);
    assert.equal(problems[0].line, 8, bad);
  }
});

test('the name defaults to the base name, made safe for a folder', () => {
  assert.equal(loadExperiment('/ws/My Exp (2).gacd', { text: MINIMAL, workspaceRoot: '/ws' }).spec?.name, 'My-Exp-2-');
  assert.equal(check(`name: run-1\n${MINIMAL}`).spec?.name, 'run-1');
  const bad = check(`name: "a/b"\n${MINIMAL}`);
  assert.equal(bad.spec, undefined);
  assert.equal(errors(bad)[0].code, 'bad-value');
});

test('malformed YAML is reported with its position, and problems elsewhere are still found', () => {
  const text = fs.readFileSync(path.join(fixtures, 'malformed.gacd'), 'utf8');
  const r = loadExperiment(path.join(fixtures, 'malformed.gacd'));
  assert.equal(r.spec, undefined);
  const syntax = byCode(r, 'yaml-syntax');
  assert.equal(syntax.length, 1);
  assert.equal(syntax[0].severity, 'error');
  assert.equal(syntax[0].line, 10);
  assert.equal(syntax[0].column, 1);
  const dup = byCode(r, 'duplicate-key');
  assert.equal(dup.length, 1);
  assert.deepEqual([dup[0].line, dup[0].column, dup[0].endColumn], [3, 3, 10]);
  assert.equal(covered(text, dup[0]), 'dataset');
  // The evaluation section, after the broken line, is still checked.
  const unknown = byCode(r, 'unknown-key');
  assert.equal(unknown.length, 1);
  assert.equal(unknown[0].line, 11);
  assert.deepEqual(unknown[0].data?.replacements, ['batch_size']);
});

test('an unclosed quote or a bad indent is a syntax error with line and column', () => {
  const r = check(`${MINIMAL}training:\n  epochs: 5\n lr: 0.1\n`);
  const syntax = byCode(r, 'yaml-syntax');
  assert.ok(syntax.length >= 1);
  assert.equal(syntax[0].line, 9);
  const q = check(`name: "open\n${MINIMAL}`);
  assert.ok(byCode(q, 'yaml-syntax').length >= 1);
  assert.equal(q.spec, undefined);
});

test('an unknown key gets "did you mean" with the closest key as replacement', () => {
  const text = `${MINIMAL}training:\n  epoch: 3\n  attack:\n    epsilom: 0.1\n`;
  const r = check(text);
  const unknown = byCode(r, 'unknown-key');
  assert.equal(unknown.length, 2);
  assert.equal(unknown[0].message, 'unknown key "epoch" in training');
  assert.equal(unknown[0].fix, 'did you mean epochs?');
  assert.deepEqual(unknown[0].data?.replacements, ['epochs']);
  assert.deepEqual([unknown[0].line, unknown[0].column, unknown[0].endColumn], [8, 3, 8]);
  assert.equal(unknown[1].message, 'unknown key "epsilom" in training.attack');
  assert.equal(unknown[1].fix, 'did you mean epsilon?');
  assert.equal(covered(text, unknown[1]), 'epsilom');

  const top = check(`${MINIMAL}evalution:\n  batch_size: 10\n`);
  assert.equal(byCode(top, 'unknown-key')[0].fix, 'did you mean evaluation?');
});

test("a method's settings are checked against that method; another method's setting says whose it is", () => {
  const r = check(MINIMAL.replace('name: pgd-at', 'name: ard\n  temprature: 10\n  beta: 0.5') + 'teacher:\n  model: small-cnn\n  train: { method: pgd-at }\n');
  const unknown = byCode(r, 'unknown-key');
  assert.equal(unknown.length, 2);
  assert.equal(unknown[0].fix, 'did you mean temperature?');
  assert.match(unknown[1].message, /"beta" is not a setting of method ard \(it is one of gacd, trades, iad, crd\)/);
});

test('wrong types are reported at the value, with the expected type', () => {
  const text = `${MINIMAL}seed: 1.5\nallow_outside_workspace: yes\ntraining:\n  epochs: five\n  milestones: 100\n`;
  const r = check(text);
  const wrong = byCode(r, 'wrong-type');
  const messages = wrong.map((p) => p.message);
  assert.deepEqual(messages, [
    'seed must be an integer, not 1.5',
    'allow_outside_workspace must be true or false, not the string "yes"',
    'training.epochs must be an integer, not the string "five"',
    'training.milestones must be a list, not 100',
  ]);
  assert.equal(wrong[1].fix, 'use true');
  assert.equal(covered(text, wrong[2]), 'five');
  const quoted = check(MINIMAL.replace('tiny-cnn', 'tiny-cnn') + 'name: 2020\n');
  assert.equal(byCode(quoted, 'wrong-type')[0].fix, 'quote it: "2020"');
  const asString = check(MINIMAL.replace('method:\n  name: pgd-at', 'method: pgd-at'));
  assert.deepEqual(byCode(asString, 'wrong-type')[0].data?.replacements, ['{ name: pgd-at }']);
});

test('bad enum values list the allowed values as replacements', () => {
  const r = check(`${MINIMAL}backend: gpu\ntraining:\n  schedule: cosin\n`);
  const bad = byCode(r, 'bad-value');
  assert.equal(bad.length, 2);
  assert.match(bad[0].message, /^backend must be one of auto, tensorflow, wasm, cpu, not the string "gpu"$/);
  assert.deepEqual([...bad[0].data!.replacements!].sort(), ['auto', 'cpu', 'tensorflow', 'wasm']);
  assert.equal(bad[1].fix, 'did you mean cosine?');
  assert.equal(bad[1].data?.replacements?.[0], 'cosine');
});

test('epsilon 8 is an error whose fix is 8/255', () => {
  const text = `${MINIMAL}training:\n  attack:\n    epsilon: 8\nevaluation:\n  epsilons: [0, 4, 0.5]\n`;
  const r = check(text);
  const units = byCode(r, 'epsilon-units');
  assert.equal(units.length, 2);
  assert.equal(units[0].severity, 'error');
  assert.equal(units[0].fix, "did you mean 8/255, or fashion-mnist-mini's usual 0.1?");
  assert.deepEqual(units[0].data?.replacements, ['8/255', '0.1']);
  assert.deepEqual([units[0].line, units[0].column, units[0].endColumn], [9, 14, 15]);
  assert.equal(covered(text, units[0]), '8');
  assert.deepEqual(units[1].data?.replacements, ['4/255']);
  assert.equal(covered(text, units[1]), '4');
  assert.equal(r.spec, undefined);
  // Too large to be grey levels: only the dataset's usual epsilon is offered.
  assert.deepEqual(byCode(check(`${MINIMAL}training:\n  attack:\n    epsilon: 300\n`), 'epsilon-units')[0].data, { replacements: ['0.1'] });
  assert.equal(byCode(check(`${MINIMAL}training:\n  attack:\n    epsilon: -0.1\n`), 'bad-value').length, 1);
  const step = check(`${MINIMAL}training:\n  attack:\n    epsilon: 8/255\n    step_size: 2\n`);
  assert.deepEqual(byCode(step, 'epsilon-units')[0].data?.replacements, ['2/255']);
  const expr = check(`${MINIMAL}training:\n  attack:\n    epsilon: 8//255\n`);
  assert.equal(byCode(expr, 'bad-expression').length, 1);
});

test('unknown dataset, model, method and attack names suggest the closest', () => {
  const text = `data:\n  dataset: cifar-10\nstudent:\n  model: preact-resnet-18\nmethod:\n  name: gcad\nevaluation:\n  attacks: [clean, pgd20, apgd]\n`;
  const r = check(text);
  const unknown = byCode(r, 'unknown-name');
  assert.deepEqual(
    unknown.map((p) => [covered(text, p), p.fix]),
    [
      ['cifar-10', 'did you mean cifar10?'],
      ['preact-resnet-18', 'did you mean preact-resnet18?'],
      ['gcad', 'did you mean gacd?'],
      ['pgd20', 'did you mean pgd-20?'],
      ['apgd', 'did you mean pgd-20?'],
    ],
  );
  assert.equal(unknown[2].message, 'unknown method "gcad"; known: natural, pgd-at, ard, gacd, trades, kd, rslad, iad, adaad, igdm, crd, mtard');
  assert.equal(unknown[2].data?.replacements?.[0], 'gacd');
});

test('missing sections and keys are reported', () => {
  const r = check('name: x\n');
  assert.deepEqual(
    byCode(r, 'missing-section').map((p) => p.message),
    ['missing section "data"', 'missing section "student"', 'missing section "method"'],
  );
  const noName = check(MINIMAL.replace('name: pgd-at', 'critic: nce'));
  const missing = byCode(noName, 'missing-key');
  assert.equal(missing.length, 1);
  assert.match(missing[0].message, /missing key "name" in method/);
  assert.equal(missing[0].line, 5);
  const empty = check('');
  assert.equal(byCode(empty, 'missing-section').length, 3);
  const list = check('- a\n- b\n');
  assert.equal(errors(list)[0].code, 'wrong-type');
});

test('a method that needs a teacher without a teacher section is an error at the method name', () => {
  const r = loadExperiment(path.join(fixtures, 'no-teacher.gacd'));
  const missing = byCode(r, 'missing-section');
  assert.deepEqual(
    missing.map((p) => [p.line, p.column, p.message]),
    [
      [6, 9, 'method gacd distills from a teacher, but the experiment has no teacher: section'],
      [8, 13, 'method ard distills from a teacher, but the experiment has no teacher: section'],
    ],
  );
  assert.equal(r.spec, undefined);
});

test('a teacher with neither checkpoint nor train is an error; a teacher method that needs a teacher too', () => {
  const gacd = MINIMAL.replace('pgd-at', 'gacd');
  const r = check(`${gacd}teacher:\n  model: small-cnn\n`);
  const e = byCode(r, 'no-teacher-source');
  assert.equal(e.length, 1);
  assert.equal(e[0].line, 7);
  const nested = check(`${gacd}teacher:\n  model: small-cnn\n  train:\n    method: ard\n`);
  assert.equal(byCode(nested, 'teacher-needs-teacher').length, 1);
  assert.equal(byCode(nested, 'teacher-needs-teacher')[0].data?.replacements?.[0], 'pgd-at');
  const ok = check(`${gacd}teacher:\n  model: small-cnn\n  train:\n    method: pgd-at\n    epochs: 2\n    schedule: constant\n`);
  assert.deepEqual(errors(ok), []);
  assert.equal(ok.spec?.teacher?.train?.schedule, 'constant');
});

test('a student larger than its teacher is a warning; an evaluation without PGD or CW too', () => {
  const r = check(
    MINIMAL.replace('tiny-cnn', 'small-cnn').replace('pgd-at', 'ard') +
      'teacher:\n  model: tiny-cnn\n  train: { method: pgd-at }\nevaluation:\n  attacks: [clean, fgsm]\n',
  );
  assert.deepEqual(errors(r), []);
  assert.ok(r.spec, 'warnings do not withhold the spec');
  const larger = byCode(r, 'student-larger');
  assert.equal(larger.length, 1);
  assert.equal(larger[0].severity, 'warning');
  assert.equal(larger[0].line, 4);
  const weak = byCode(r, 'weak-evaluation');
  assert.equal(weak.length, 1);
  assert.equal(weak[0].severity, 'warning');
  assert.equal(byCode(check(`${MINIMAL}evaluation:\n  attacks: [clean, cw-30]\n`), 'weak-evaluation').length, 0);
});

test('a piecewise schedule whose milestones are past the last epoch is a warning', () => {
  const r = check(`${MINIMAL}training:\n  epochs: 10\n  schedule: piecewise\n  milestones: [5, 20]\n`);
  const w = byCode(r, 'milestone-beyond-epochs');
  assert.equal(w.length, 1);
  assert.equal(w[0].line, 10);
  assert.equal(byCode(check(`${MINIMAL}training:\n  schedule: piecewise\n`), 'milestone-beyond-epochs').length, 2);
});

test('GACD gets an info note for each unconfirmed setting, other methods none', () => {
  const text = MINIMAL.replace('name: pgd-at', 'name: gacd\n  beta: 0.5') + 'teacher:\n  model: small-cnn\n  train: { method: pgd-at }\n';
  const r = check(text);
  const [summary, ...more] = byCode(r, 'unconfirmed').filter((n) => n.data?.summarises !== undefined);
  assert.equal(more.length, 0, 'one summary per file');
  assert.equal(summary.data?.summarises, 16);
  assert.equal(covered(text, summary), 'name');
  const notes = byCode(r, 'unconfirmed').filter((n) => n !== summary);
  assert.equal(notes.length, 16);
  assert.ok(notes.every((n) => n.severity === 'info'));
  assert.ok(notes.every((n) => n.message.includes("reconstructed from the abstract; the paper's exact choice is unknown")));
  const beta = notes.find((n) => n.message.startsWith('gacd beta'))!;
  assert.equal(covered(text, beta), 'beta');
  assert.match(beta.message, /Default 0\.8/);
  const gamma = notes.find((n) => n.message.startsWith('gacd gamma'))!;
  assert.equal(covered(text, gamma), 'gacd', 'an unwritten setting is noted at the method name');
  assert.equal(byCode(check(MINIMAL), 'unconfirmed').length, 0);
  assert.ok(r.spec, 'notes do not withhold the spec');
});

test('a missing data path or checkpoint is an error; an existing one resolves relative to the file', () => {
  const ws = tempWorkspace();
  try {
    fs.mkdirSync(path.join(ws.root, 'exps', 'data', 'fmnist'), { recursive: true });
    const file = path.join(ws.root, 'exps', 'a.gacd');
    const text = MINIMAL.replace('fashion-mnist-mini', 'fashion-mnist\n  path: data/fmnist').replace('pgd-at', 'ard') +
      'teacher:\n  model: small-cnn\n  checkpoint: ckpt/teacher\n';
    const r = loadExperiment(file, { text });
    const missing = byCode(r, 'missing-file');
    assert.equal(missing.length, 1);
    assert.equal(covered(text, missing[0]), 'ckpt/teacher');
    assert.match(missing[0].message, /checkpoint folder .*ckpt\/teacher does not exist/);
    fs.mkdirSync(path.join(ws.root, 'exps', 'ckpt', 'teacher'), { recursive: true });
    const ok = loadExperiment(file, { text });
    assert.deepEqual(errors(ok), []);
    assert.equal(ok.spec?.data.path, path.join(ws.root, 'exps', 'data', 'fmnist'));
    assert.equal(ok.spec?.teacher?.checkpoint, path.join(ws.root, 'exps', 'ckpt', 'teacher'));
    fs.writeFileSync(path.join(ws.root, 'exps', 'data', 'file'), '');
    const notFolder = loadExperiment(file, { text: text.replace('data/fmnist', 'data/file') });
    assert.equal(byCode(notFolder, 'not-a-folder').length, 1);
  } finally {
    ws.cleanup();
  }
});

test('a path outside the workspace is refused unless allow_outside_workspace is true', () => {
  const ws = tempWorkspace();
  const outside = tempWorkspace();
  try {
    const inner = path.join(ws.root, 'project');
    fs.mkdirSync(path.join(inner, '.vscode'), { recursive: true });
    const file = path.join(inner, 'a.gacd');
    const text = MINIMAL.replace('fashion-mnist-mini', `fashion-mnist\n  path: ${outside.root}`);
    const refused = loadExperiment(file, { text });
    const e = byCode(refused, 'outside-workspace');
    assert.equal(e.length, 1, 'the .vscode folder makes project/ the workspace');
    assert.equal(e[0].fix, 'move it into the workspace, or set allow_outside_workspace: true');
    assert.equal(covered(text, e[0]), outside.root);
    const up = loadExperiment(file, { text: MINIMAL.replace('fashion-mnist-mini', 'fashion-mnist\n  path: ..') });
    assert.equal(byCode(up, 'outside-workspace').length, 1, '.. leaves the workspace');
    assert.deepEqual(errors(loadExperiment(file, { text: `allow_outside_workspace: true\n${text}` })), []);
    // An explicit workspace root wins over the markers.
    assert.deepEqual(errors(loadExperiment(file, { text, workspaceRoot: path.dirname(outside.root) })), []);
    // A symbolic link inside the workspace that points outside it is still outside.
    fs.symlinkSync(outside.root, path.join(inner, 'link'));
    const linked = loadExperiment(file, { text: MINIMAL.replace('fashion-mnist-mini', 'fashion-mnist\n  path: link') });
    assert.equal(byCode(linked, 'outside-workspace').length, 1);
  } finally {
    ws.cleanup();
    outside.cleanup();
  }
});

test('a file that does not exist is a problem, not an exception', () => {
  const r = loadExperiment('/nonexistent/dir/x.gacd');
  assert.equal(r.spec, undefined);
  assert.equal(r.problems.length, 1);
  assert.equal(r.problems[0].code, 'missing-file');
  assert.equal(r.problems[0].line, 1);
  assert.equal(r.doc.text, '');
});

/** Runs `fn` with $GACD_DATA and the cache folder pointed into `root` (the search reads the environment). */
function withDataEnv<T>(root: string, fn: () => T): T {
  const saved = { GACD_DATA: process.env.GACD_DATA, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  process.env.GACD_DATA = path.join(root, 'datasets');
  process.env.XDG_CACHE_HOME = path.join(root, 'cache');
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('a dataset that is not on this machine is a warning that says where it was looked for; found, it is not', () => {
  const ws = tempWorkspace();
  try {
    const file = path.join(ws.root, 'exp.gacd');
    const text = MINIMAL.replace('fashion-mnist-mini', 'cifar10');
    const [missing, ...more] = withDataEnv(ws.root, () => byCode(loadExperiment(file, { text, workspaceRoot: ws.root }), 'dataset-not-found'));
    assert.equal(more.length, 0);
    assert.equal(missing.severity, 'warning');
    assert.equal(covered(text, missing), 'cifar10');
    assert.ok(missing.message.includes(`(1) ${path.join(ws.root, 'datasets', 'cifar10')} ($GACD_DATA/cifar10): no such folder`), missing.message);
    assert.ok(missing.message.includes(`(2) ${path.join(ws.root, 'cache', 'gacd', 'cifar10')} (the cache folder): no such folder`), missing.message);
    assert.match(missing.message, /It needs: data_batch_1\.bin, .*test_batch\.bin/);
    assert.match(missing.fix!, /cifar-10-binary\.tar\.gz.*Or set data\.path/);

    // Half the files: the message says which are missing; all of them: no warning.
    const dir = path.join(ws.root, 'datasets', 'cifar10', 'cifar-10-batches-bin');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'test_batch.bin'), '');
    const partial = withDataEnv(ws.root, () => byCode(loadExperiment(file, { text, workspaceRoot: ws.root }), 'dataset-not-found'));
    assert.match(partial[0].message, /cifar-10-batches-bin \(\$GACD_DATA\/cifar10\): missing data_batch_1\.bin/);
    for (let i = 1; i <= 5; i++) fs.writeFileSync(path.join(dir, `data_batch_${i}.bin`), '');
    assert.deepEqual(withDataEnv(ws.root, () => byCode(loadExperiment(file, { text, workspaceRoot: ws.root }), 'dataset-not-found')), []);
    // The bundled subset is always found.
    assert.deepEqual(withDataEnv(ws.root, () => byCode(loadExperiment(file, { text: MINIMAL, workspaceRoot: ws.root }), 'dataset-not-found')), []);
  } finally {
    ws.cleanup();
  }
});

test('a data path that exists but lacks the files is marked at the path; one that does not exist is only missing-file', () => {
  const ws = tempWorkspace();
  try {
    const file = path.join(ws.root, 'exp.gacd');
    fs.mkdirSync(path.join(ws.root, 'mine'));
    const text = MINIMAL.replace('fashion-mnist-mini', 'mnist\n  path: mine');
    const [atPath] = withDataEnv(ws.root, () => byCode(loadExperiment(file, { text, workspaceRoot: ws.root }), 'dataset-not-found'));
    assert.equal(covered(text, atPath), 'mine');
    assert.match(atPath.message, /^data\.path does not hold the mnist files.*Looked in: \(1\) .*mine \(`path:` in the experiment file\): none of the dataset's files/);
    const gone = withDataEnv(ws.root, () => loadExperiment(file, { text: text.replace('path: mine', 'path: gone'), workspaceRoot: ws.root }));
    assert.deepEqual(gone.problems.map((p) => p.code), ['missing-file']);
  } finally {
    ws.cleanup();
  }
});

test('a key left blank says the value is missing, not that "null" is unknown', () => {
  const text = 'data:\n  dataset:\nstudent:\n  model:\nmethod:\n  name:\ntraining:\n  epochs:\n  schedule:\n';
  const r = check(text);
  assert.deepEqual(r.problems.map((p) => [p.code, p.message, p.fix]), [
    ['missing-value', 'data.dataset has no value: it needs one of fashion-mnist-mini, fashion-mnist, mnist, cifar10, cifar100, stl10', undefined],
    ['missing-value', 'student.model has no value: it needs one of small-cnn, tiny-cnn, preact-resnet18, resnet18, mobilenetv2, wrn-34-10', undefined],
    ['missing-value', 'method.name has no value: it needs one of natural, pgd-at, ard, gacd, trades, kd, rslad, iad, adaad, igdm, crd, mtard', undefined],
    ['missing-value', 'training.epochs has no value: it needs an integer', 'write one, or remove the key for the default 5'],
    ['missing-value', 'training.schedule has no value: it needs one of constant, piecewise, cosine', 'write one, or remove the key for the default cosine'],
  ]);
  assert.ok(r.problems.every((p) => !p.message.includes('null')));
});

test('numbers computed from arithmetic are shown rounded in problems', () => {
  const r = check(MINIMAL + 'training:\n  attack:\n    step_size: 1.5*0.1*10\n');
  assert.deepEqual(r.problems.map((p) => p.message), ['training.attack.step_size must be at most 1, not 1.5*0.1*10 (= 1.5)']);
});
