/**
 * PGD adversarial training.
 * Madry, Makelov, Schmidt, Tsipras, Vladu, ICLR 2018 (arXiv 1706.06083).
 *   L = CE(f(x'), y),  x' = PGD_eps(CE(f(.), y)) with a random start
 * The attack runs on the model in evaluation mode (batch-norm running statistics), our convention
 * for every method.
 */
import { localPgd } from '../attacks/pgd';
import { MethodFactory } from './method';
import { crossEntropy } from './losses';

export const pgdAt: MethodFactory = ({ student, attack, perturb = localPgd }) => ({
  name: 'pgd-at',
  extraParams: null,
  prepare(batch, rng) {
    const input = perturb(student, batch.x, batch.y, { ...attack, loss: 'ce' }, rng);
    return { input, tensors: {} };
  },
  loss(batch, prepared) {
    const logits = student.apply(prepared.input, { training: true }).logits;
    const ce = crossEntropy(logits, batch.y, batch.total);
    return { loss: ce, terms: { ce }, logits };
  },
});
