/**
 * What CRD's ContrastMemory keeps across steps (HobbitLong/RepDistiller, crd/memory.py), and GACD
 * after it: a memory bank of the teacher's embeddings and one of the student's, and the NCE
 * normalising constant Z of each direction (the teacher or the student as anchor), fixed from the
 * first batch's score sums and 0 until then. Every thread keeps an identical copy: `afterStep`
 * does the same arithmetic with the whole batch's sums and kept embeddings everywhere.
 */
import { normalisingConstant } from './contrastive';
import { MemoryBank } from './memoryBank';

export type Anchor = 'teacherAnchor' | 'studentAnchor';

export class ContrastMemory {
  readonly teacherBank: MemoryBank;
  readonly studentBank: MemoryBank;
  /** Z of each direction; 0 until the first batch fixes it. */
  readonly z: Record<Anchor, number> = { teacherAnchor: 0, studentAnchor: 0 };

  /**
   * `seeds` initialise the banks; `zOrder` is the order the two Z take in a checkpoint's state
   * (each method keeps its own, so its checkpoints stay readable).
   */
  constructor(
    private readonly trainSize: number,
    dim: number,
    momentum: number,
    seeds: { teacher: number; student: number },
    private readonly zOrder: readonly [Anchor, Anchor],
  ) {
    this.teacherBank = new MemoryBank(trainSize, dim, momentum, seeds.teacher);
    this.studentBank = new MemoryBank(trainSize, dim, momentum, seeds.student);
  }

  /** Z of one direction: fixed already, or from the first batch's sums (`<anchor>Sum`, `<anchor>Count`). */
  zOf(anchor: Anchor, sums: Record<string, number>): number {
    return this.z[anchor] || normalisingConstant(sums[`${anchor}Sum`], sums[`${anchor}Count`], this.trainSize);
  }

  /** After a step: fix each Z the batch's sums now give, and take the embeddings the loss scored. */
  afterStep(indices: Int32Array, sums: Record<string, number>, kept: { teacherEmbedding?: Float32Array; studentEmbedding?: Float32Array }): void {
    for (const anchor of this.zOrder) {
      if (this.z[anchor] === 0 && sums[`${anchor}Count`]) this.z[anchor] = this.zOf(anchor, sums);
    }
    if (kept.teacherEmbedding) this.teacherBank.update(indices, kept.teacherEmbedding);
    if (kept.studentEmbedding) this.studentBank.update(indices, kept.studentEmbedding);
  }

  state(): { teacherBank: Float32Array; studentBank: Float32Array; z: number[] } {
    return { teacherBank: this.teacherBank.values, studentBank: this.studentBank.values, z: this.zOrder.map((a) => this.z[a]) };
  }

  loadState(state: Record<string, Float32Array | number[]>): void {
    this.teacherBank.values.set(state.teacherBank as Float32Array);
    this.studentBank.values.set(state.studentBank as Float32Array);
    Array.from(state.z as ArrayLike<number>).forEach((v, k) => (this.z[this.zOrder[k]] = v));
  }
}
