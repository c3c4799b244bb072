/**
 * The small CNNs (`small-cnn`, `tiny-cnn`) as a plain PyTorch module (`SmallCNN` in
 * python/gacd_models.py): conv1, conv2 (3x3, padding 1, with bias), fc1, fc2. The names are the
 * common ones; what differs is fc1, which reads the flattened second block: PyTorch flattens an
 * (N, C, H, W) map in (c, h, w) order and we flatten (N, H, W, C) in (h, w, c) order, so fc1's
 * weight columns are permuted both ways.
 */
import { commonLayout, torchNames } from './torchNames';

export const smallCnnTorch = torchNames({
  layoutOf: (param, model) => {
    if (param.name !== 'fc1.kernel') return commonLayout(param);
    const [h, w] = model.inputShape;
    // Two 2x2 max-pools (floor), and conv2's width is the layer's inputs over the pooled area.
    const height = Math.floor(h / 4);
    const width = Math.floor(w / 4);
    return { kind: 'dense-flattened', height, width, channels: param.shape[0] / (height * width) };
  },
});
