/**
 * What the run measures at the end of each epoch, besides the loss: clean test accuracy, PGD
 * accuracy on a fixed slice of the test split, and, when there is a teacher, how close the
 * student's features are to the teacher's (linear CKA and embedding cosine, clean and adversarial;
 * CRD's logit-correlation gap).
 */
import * as tf from '@tensorflow/tfjs-core';
import { pgdWithOptions } from '../attacks/pgd';
import { linearCka, logitCorrelationGap, meanCosine } from '../analysis/cka';
import { Split, imageSize, takeSamples } from '../data/types';
import { Method, evalLogits } from '../methods/method';
import { Model, ModelOutput } from '../models/model';
import { Rng } from '../util/rng';

export interface AttackSetting {
  epsilon: number;
  stepSize: number;
}

/** The first `n` samples of a split (a fixed probe set, the same every epoch). */
export function head(split: Split, n: number): Split {
  return takeSamples(split, Array.from({ length: Math.min(n, split.count) }, (_, i) => i));
}

function tensors(split: Split): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return {
    x: tf.tensor4d(split.images, [split.count, ...split.shape]),
    y: tf.tensor1d(split.labels, 'int32'),
  };
}

export function accuracy(model: Model, split: Split, batchSize = 500): number {
  let hits = 0;
  const size = imageSize(split.shape);
  for (let s = 0; s < split.count; s += batchSize) {
    const n = Math.min(batchSize, split.count - s);
    hits += tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(s * size, (s + n) * size), [n, ...split.shape]);
      const pred = tf.argMax(model.apply(x, { training: false }).logits, 1);
      return tf.sum(tf.cast(tf.equal(pred, tf.tensor1d(split.labels.subarray(s, s + n), 'int32')), 'int32')).dataSync()[0];
    });
  }
  return hits / Math.max(split.count, 1);
}

/** PGD-10 accuracy on the probe set. */
export function robustAccuracy(model: Model, probe: Split, attack: AttackSetting, seed: number): number {
  return tf.tidy(() => {
    const { x, y } = tensors(probe);
    const xAdv = pgdWithOptions(evalLogits(model), x, y, { ...attack, steps: 10, randomStart: true, loss: 'ce' }, new Rng(seed));
    const pred = tf.argMax(model.apply(xAdv, { training: false }).logits, 1);
    return tf.mean(tf.cast(tf.equal(pred, y), 'float32')).dataSync()[0];
  });
}

export interface SimilarityFigures {
  cka: { clean: number; adversarial: number };
  cosine?: { clean: number; adversarial: number };
  /** Absent when the label sets differ (a teacher from another task). */
  logitCorrelationGap?: number;
}

/** Teacher-student agreement on the probe set; adversarial inputs are PGD-10 against the student. */
export function similarity(
  student: Model,
  teacher: Model,
  method: Method,
  probe: Split,
  attack: AttackSetting,
  seed: number,
  sameLabels = true,
): SimilarityFigures {
  return tf.tidy(() => {
    const { x, y } = tensors(probe);
    const xAdv = pgdWithOptions(evalLogits(student), x, y, { ...attack, steps: 10, randomStart: true, loss: 'ce' }, new Rng(seed));
    const pair = (input: tf.Tensor4D): [ModelOutput, ModelOutput] => [
      student.apply(input, { training: false }),
      teacher.apply(input, { training: false }),
    ];
    const [sClean, tClean] = pair(x);
    const [sAdv, tAdv] = pair(xAdv);
    const pen = (o: ModelOutput) => o.features.penultimate as tf.Tensor2D;
    const figures: SimilarityFigures = {
      cka: { clean: linearCka(pen(sClean), pen(tClean)), adversarial: linearCka(pen(sAdv), pen(tAdv)) },
    };
    // Class-correlation matrices compare only over one label set.
    if (sameLabels && teacher.numClasses === student.numClasses) figures.logitCorrelationGap = logitCorrelationGap(tClean.logits, sClean.logits);
    if (method.embeddings) {
      figures.cosine = {
        clean: meanCosine(...method.embeddings(sClean, tClean)),
        adversarial: meanCosine(...method.embeddings(sAdv, tAdv)),
      };
    }
    return figures as unknown as tf.TensorContainer;
  }) as unknown as SimilarityFigures;
}
