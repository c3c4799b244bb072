/**
 * Natural training: cross-entropy on clean inputs. The baseline every robust method is measured
 * against.   L = CE(f(x), y)
 */
import * as tf from '@tensorflow/tfjs-core';
import { MethodFactory } from './method';
import { crossEntropy } from './losses';

export const natural: MethodFactory = ({ student }) => ({
  name: 'natural',
  extraParams: null,
  prepare: (batch) => ({ input: tf.clone(batch.x), tensors: {} }),
  loss(batch, prepared) {
    const logits = student.apply(prepared.input, { training: true }).logits;
    const ce = crossEntropy(logits, batch.y, batch.total);
    return { loss: ce, terms: { ce }, logits };
  },
});
