import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-cpu';
async function main() {
  await tf.setBackend('cpu');
  const v = tf.variable(tf.tensor1d([1, 2]));
  const { grads } = tf.variableGrads(() => tf.sum(tf.div(v, tf.scalar(3))) as tf.Scalar, [v]);
  console.log(Object.values(grads)[0].dataSync(), tf.engine().registryFactory ? '' : '');
}
main();
