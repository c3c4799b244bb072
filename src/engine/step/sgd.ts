/**
 * SGD with momentum and weight decay, as PyTorch's `torch.optim.SGD` does it (decay added to the
 * gradient, momentum buffer initialised with the first gradient), so that recipes from the
 * robust-distillation papers carry over unchanged. Its buffers are named after the variables, so a
 * checkpoint can store and restore them.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

export class Sgd {
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    private readonly vars: Array<[string, tf.Variable]>,
    private readonly options: SgdOptions,
  ) {}

  /** One update with learning rate `lr`; `grads` is keyed by variable name as tf.variableGrads returns it. */
  apply(grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, weightDecay } = this.options;
    tf.tidy(() => {
      for (const [name, v] of this.vars) {
        const grad = grads[v.name];
        if (!grad) continue;
        const g = weightDecay > 0 ? tf.add(grad, tf.mul(v, weightDecay)) : grad;
        let step = g;
        if (momentum > 0) {
          const buf = this.buffers.get(name);
          if (buf) {
            buf.assign(tf.add(tf.mul(buf, momentum), g));
            step = buf;
          } else {
            this.buffers.set(name, tf.variable(g, false));
          }
        }
        v.assign(tf.sub(v, tf.mul(step, lr)));
      }
    });
  }

  /** Momentum buffers by variable name, for checkpoints. */
  state(): Array<[string, tf.Tensor]> {
    return [...this.buffers.entries()];
  }

  load(state: Map<string, tf.Tensor>): void {
    this.dispose();
    for (const [name, t] of state) this.buffers.set(name, tf.variable(t, false));
  }

  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
