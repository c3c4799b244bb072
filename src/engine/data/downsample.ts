/**
 * Images shrunk by an integer factor, each output pixel the mean of its factor x factor block
 * (area averaging, what PIL's and torchvision's `Resize` with antialiasing approach for integer
 * factors). It lets a model of one input size see another dataset: STL-10's 96x96 images at
 * 32x32 for a CIFAR teacher, the cross-task setting of GACD's third claim.
 */
import type { DatasetInfo } from '../catalog/types';
import type { Split } from './types';

/** The factor that takes `from` to `size`, or an error saying which sizes work. */
export function downsampleFactor(from: readonly [number, number, number], size: number, dataset: string): number {
  const [h, w] = from;
  if (size > h || h % size !== 0 || w % size !== 0 || h / size !== w / size) {
    const sizes = [...Array(h).keys()].map((k) => k + 1).filter((s) => h % s === 0 && w % s === 0 && h / s === w / s);
    throw new Error(`${dataset} images are ${h}x${w}: data.resize must divide them by a whole factor (one of ${sizes.join(', ')})`);
  }
  return h / size;
}

export function downsample(split: Split, size: number, dataset: string): Split {
  const [h, w, c] = split.shape;
  const f = downsampleFactor(split.shape, size, dataset);
  if (f === 1) return split;
  const oh = h / f;
  const ow = w / f;
  const images = new Float32Array(split.count * oh * ow * c);
  const inv = 1 / (f * f);
  for (let n = 0; n < split.count; n++) {
    const src = n * h * w * c;
    const dst = n * oh * ow * c;
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let dy = 0; dy < f; dy++) {
            for (let dx = 0; dx < f; dx++) sum += split.images[src + ((y * f + dy) * w + (x * f + dx)) * c + ch];
          }
          images[dst + (y * ow + x) * c + ch] = sum * inv;
        }
      }
    }
  }
  return { ...split, images, shape: [oh, ow, c] };
}

export function infoWithSize(info: DatasetInfo, size: number): DatasetInfo {
  return { ...info, shape: [size, size, info.shape[2]] };
}
