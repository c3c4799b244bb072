/**
 * PGD adversarial training.
 * Madry, Makelov, Schmidt, Tsipras, Vladu, ICLR 2018 (arXiv 1706.06083); official code
 * MadryLab/cifar10_challenge.          (described in pgdAt.info.ts)
 *   L = CE(f(x'), y),  x' = PGD_eps(CE(f(.), y)) with a random start
 * The attack runs on the model in evaluation mode (batch-norm running statistics), our convention
 * for every method.
 */
import { MethodFactory } from './method';
import { batchMean, crossEntropyRows } from './losses';
import { trainingAttack } from './trainingAttack';

export const pgdAt: MethodFactory = (ctx) => ({
  name: 'pgd-at',
  extraParams: null,
  prepare: (rows) => ({ input: trainingAttack(ctx, rows), tensors: {} }),
  loss(rows, prepared) {
    const logits = ctx.student.apply(prepared.input, { training: true }).logits;
    const ce = batchMean(crossEntropyRows(logits, rows.y), rows);
    return { loss: ce, terms: { ce }, logits };
  },
});
