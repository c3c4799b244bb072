/**
 * Augmentation for CIFAR-like data on plain Float32Array batches (NHWC), seeded through Rng:
 * random crop after padding by 4 pixels, and horizontal flip with probability 1/2. Padding is
 * zero by default, as in the usual recipe `RandomCrop(32, padding=4)` of the adversarial training
 * and distillation papers; `padding: 'reflect'` mirrors the border instead. For each image the RNG
 * draws, in order: the vertical offset, the horizontal offset, then the flip.
 */
import type { Rng } from '../util/rng';

/** Changes `size` images of `images` (NHWC, `shape` = [h, w, c]) in place. */
export type Augmenter = (images: Float32Array, size: number, shape: [number, number, number], rng: Rng) => void;

export interface CropFlipOptions {
  /** Pixels of padding on each side before the crop (default 4; 0 turns cropping off). */
  pad?: number;
  /** What the padding holds: 'zero' (default) or 'reflect' (mirror without repeating the edge). */
  padding?: 'zero' | 'reflect';
  /** Horizontal flip with probability 1/2 (default true). */
  flip?: boolean;
}

/** The augmenter for random crop and flip. */
export function cropFlip(opts: CropFlipOptions = {}): Augmenter {
  const pad = opts.pad ?? 4;
  const reflect = (opts.padding ?? 'zero') === 'reflect';
  const flip = opts.flip ?? true;
  let scratch = new Float32Array(0);
  return (images, size, shape, rng) => {
    const [h, w, c] = shape;
    if (reflect && (pad >= h || pad >= w)) throw new RangeError(`reflect padding ${pad} needs images larger than ${pad}`);
    const per = h * w * c;
    if (images.length < size * per) throw new RangeError(`augment: ${images.length} values for ${size} images of ${shape.join('x')}`);
    if (scratch.length < per) scratch = new Float32Array(per);
    for (let n = 0; n < size; n++) {
      const oy = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
      const ox = pad > 0 ? rng.int(2 * pad + 1) - pad : 0;
      const f = flip && rng.next() < 0.5;
      if (oy === 0 && ox === 0 && !f) continue;
      const img = images.subarray(n * per, (n + 1) * per);
      scratch.set(img);
      for (let y = 0; y < h; y++) {
        let sy = y + oy;
        if (sy < 0 || sy >= h) {
          if (!reflect) {
            img.fill(0, y * w * c, (y + 1) * w * c);
            continue;
          }
          sy = sy < 0 ? -sy : 2 * h - 2 - sy;
        }
        for (let x = 0; x < w; x++) {
          let sx = (f ? w - 1 - x : x) + ox;
          const o = (y * w + x) * c;
          if (sx < 0 || sx >= w) {
            if (!reflect) {
              for (let k = 0; k < c; k++) img[o + k] = 0;
              continue;
            }
            sx = sx < 0 ? -sx : 2 * w - 2 - sx;
          }
          const s = (sy * w + sx) * c;
          for (let k = 0; k < c; k++) img[o + k] = scratch[s + k];
        }
      }
    }
  };
}

/** The augmenter an experiment's `augment:` names, or undefined for none. */
export function augmenterFor(kind: 'none' | 'crop-flip', opts?: CropFlipOptions): Augmenter | undefined {
  return kind === 'crop-flip' ? cropFlip(opts) : undefined;
}
