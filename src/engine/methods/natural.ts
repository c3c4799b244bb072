/**
 * Natural training: cross-entropy on clean inputs. The baseline every robust method is measured
 * against.   L = CE(f(x), y)       (described in natural.info.ts)
 */
import * as tf from '@tensorflow/tfjs-core';
import { MethodFactory } from './method';
import { batchMean, crossEntropyRows } from './losses';

export const natural: MethodFactory = ({ student }) => ({
  name: 'natural',
  extraParams: null,
  prepare: (rows) => ({ input: tf.clone(rows.x), tensors: {} }),
  loss(rows, prepared) {
    const logits = student.apply(prepared.input, { training: true }).logits;
    const ce = batchMean(crossEntropyRows(logits, rows.y), rows);
    return { loss: ce, terms: { ce }, logits };
  },
});
