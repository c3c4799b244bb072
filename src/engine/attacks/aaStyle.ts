/**
 * The AA-style suites: the components of AutoAttack's evaluations run as a cascade, each attack
 * only on the points that every earlier one failed to break, and reported per sample as the worst
 * case (a point counts as robust only if every component fails on it).
 * Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (arXiv 2003.01690); official code
 * https://github.com/fra31/auto-attack (autoattack/autoattack.py, run_standard_evaluation).
 *
 *   aa-style       APGD-CE, APGD-T (9 targets), Square (5,000 queries): the 'standard' version
 *                  without FAB-T, which the engine does not have;
 *   aa-style-fast  APGD-CE, APGD-T;
 *   aa-style-rand  APGD-CE and APGD-DLR with gradients averaged over 20 passes (EOT), for
 *                  randomised models: the 'rand' version.
 * Never AutoAttack itself: the reference runs in PyTorch; these are our implementations of its
 * published algorithms, checked against a PyTorch transcription (bench/torch_apgd.py). Each
 * component's share of the broken points is added to the report (`brokenBy`), so the evaluation
 * can flag Square breaking what the white-box attacks could not.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackImplementation, AttackReport, LogitsFn } from './attack';
import { APGD_T_TARGETS, ApgdLoss, addApgdFacts, runApgd } from './apgd';
import { gatherRows, setPositions, writeRows } from './rows';
import { runSquare } from './square';

/** One component of a suite: its label in reports, and the attack on the rows given. */
interface Component {
  label: string;
  run(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, epsilon: number, rng: Rng, report?: AttackReport): tf.Tensor4D;
}

function apgdComponent(label: string, loss: ApgdLoss, iterations: number, eot = 1): Component {
  return {
    label,
    run(logitsFn, x, labels, epsilon, rng, report) {
      const targets = loss === 'dlr-targeted' ? APGD_T_TARGETS : undefined;
      const { adversarial, runs } = runApgd(logitsFn, x, labels, { epsilon, steps: iterations, restarts: 1, loss, targets, eot }, rng);
      addApgdFacts(report, runs);
      return adversarial;
    },
  };
}

function squareComponent(queries: number): Component {
  return {
    label: 'square',
    run(logitsFn, x, labels, epsilon, rng, report) {
      const { adversarial, queries: used } = runSquare(logitsFn, x, labels, { epsilon, steps: queries, restarts: 1 }, rng);
      if (report) report.queries += used.reduce((a, b) => a + b, 0);
      return adversarial;
    },
  };
}

/**
 * Runs `components` as a cascade on a batch: each on the points still classified correctly,
 * keeping for each point the first adversarial image that breaks it; a point nothing breaks keeps
 * the last component's final image (still classified correctly: where the search ended), as each
 * component does on its own.
 */
export function cascade(components: Component[], logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, epsilon: number, rng: Rng, report?: AttackReport): tf.Tensor4D {
  const n = x.shape[0];
  const size = x.size / n;
  const clean = Float32Array.from(x.dataSync());
  const images = clean.slice();
  const y = Int32Array.from(labels.dataSync());
  const unbroken = tf.tidy(() => tf.equal(tf.argMax(logitsFn(x), 1), tf.cast(labels, 'int32')).dataSync());
  for (const c of components) {
    const rows = setPositions(unbroken);
    if (rows.length === 0 || epsilon === 0) break;
    // Every component attacks around the clean image, within the same ball.
    const xs = tf.tensor4d(gatherRows(clean, rows, size), [rows.length, x.shape[1], x.shape[2], x.shape[3]]);
    const ys = tf.tensor1d(Int32Array.from(rows, (r) => y[r]), 'int32');
    const adversarial = c.run(logitsFn, xs, ys, epsilon, rng, report);
    const broken = tf.tidy(() => tf.notEqual(tf.argMax(logitsFn(adversarial), 1), ys).dataSync());
    // Broken rows are final; unbroken ones are overwritten by the next component that runs.
    writeRows(images, adversarial.dataSync() as Float32Array, rows, rows.map(() => 1));
    tf.dispose([xs, ys, adversarial]);
    let count = 0;
    broken.forEach((b, j) => {
      if (b) {
        unbroken[rows[j]] = 0;
        count++;
      }
    });
    if (report) report.brokenBy[c.label] = (report.brokenBy[c.label] ?? 0) + count;
  }
  return tf.tensor4d(images, x.shape);
}

export const aaStyle: AttackImplementation<'aa-style'> = {
  name: 'aa-style',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const components = [
      apgdComponent('apgd-ce', 'ce', settings.iterations),
      apgdComponent('apgd-t', 'dlr-targeted', settings.iterations),
      squareComponent(settings.queries),
    ];
    return cascade(components, logitsFn, x, labels, epsilon, rng, report);
  },
};

export const aaStyleFast: AttackImplementation<'aa-style-fast'> = {
  name: 'aa-style-fast',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const components = [apgdComponent('apgd-ce', 'ce', settings.iterations), apgdComponent('apgd-t', 'dlr-targeted', settings.iterations)];
    return cascade(components, logitsFn, x, labels, epsilon, rng, report);
  },
};

export const aaStyleRand: AttackImplementation<'aa-style-rand'> = {
  name: 'aa-style-rand',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const components = [
      apgdComponent('apgd-ce', 'ce', settings.iterations, settings.eot),
      apgdComponent('apgd-dlr', 'dlr', settings.iterations, settings.eot),
    ];
    return cascade(components, logitsFn, x, labels, epsilon, rng, report);
  },
};
