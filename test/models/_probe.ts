import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel } from '/work/main/src/engine/models/registry';
async function main() {
await tf.setBackend('cpu');
const which = process.argv.slice(2);
for (const [arch, shape, opts, batch] of [
  ['small-cnn', [32,32,3], undefined, 2], ['small-cnn', [28,28,1], undefined, 2],
  ['tiny-cnn', [32,32,3], undefined, 2], ['tiny-cnn', [28,28,1], undefined, 2],
  ['preact-resnet18', [32,32,3], undefined, 2], ['mobilenetv2', [32,32,3], undefined, 2],
  ['wrn-34-10', [32,32,3], {depth:16, widen:1}, 2], ['wrn-34-10', [32,32,3], undefined, 1],
] as const) {
  if (which.length && !which.includes(arch)) continue;
  let t0 = Date.now();
  const m = buildModel(arch, { inputShape: shape as any, numClasses: 10, seed: 1, options: opts as any });
  const tb = Date.now() - t0;
  console.log(arch, shape.join('x'), JSON.stringify(opts ?? {}), 'params', m.params.count(), 'build ms', tb);
  if (arch === 'wrn-34-10' && !opts && !which.includes('full')) { m.params.dispose(); continue; }
  const x = tf.randomUniform([batch, ...shape]) as tf.Tensor4D;
  t0 = Date.now();
  tf.tidy(() => { const o = m.apply(x, { training: false }); o.logits.dataSync(); });
  const tf1 = Date.now() - t0; t0 = Date.now();
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const o = m.apply(x, { training: true });
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([1, 2].slice(0, batch), 'int32'), 10), o.logits) as tf.Scalar;
    }, m.params.trainable());
    value.dataSync(); for (const g of Object.values(grads)) g.dataSync();
  });
  console.log('  eval fwd ms', tf1, 'train fwd+bwd ms', Date.now() - t0);
  x.dispose(); m.params.dispose();
}
}
main();
