import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cropFlip, augmenterFor } from '../../src/engine/data/augment';
import { Rng } from '../../src/engine/util/rng';

function randomBatch(n: number, h: number, w: number, c: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * h * w * c }, () => rng.next());
}

for (const padding of ['zero', 'reflect'] as const) {
  test(`crop-flip (${padding} padding) keeps shape and value range, and is seeded`, () => {
    const shape: [number, number, number] = [32, 32, 3];
    const original = randomBatch(16, ...shape, 1);
    const a = original.slice();
    cropFlip({ padding })(a, 16, shape, new Rng(7));
    assert.equal(a.length, original.length);
    assert.ok(a.every((v) => v >= 0 && v <= 1 && Number.isFinite(v)));
    assert.notDeepEqual(a, original);
    const b = original.slice();
    cropFlip({ padding })(b, 16, shape, new Rng(7));
    assert.deepEqual(b, a);
    const c = original.slice();
    cropFlip({ padding })(c, 16, shape, new Rng(8));
    assert.notDeepEqual(c, a);
  });
}

test('crop-flip: flip only mirrors each row; zero padding brings zeros in; reflect does not', () => {
  const shape: [number, number, number] = [4, 5, 2];
  const img = Float32Array.from({ length: 40 }, (_, i) => (i + 1) / 40);
  // Flip only: every image is either unchanged or mirrored.
  const flipped = new Float32Array(40 * 8);
  for (let n = 0; n < 8; n++) flipped.set(img, n * 40);
  cropFlip({ pad: 0 })(flipped, 8, shape, new Rng(3));
  let mirrored = 0;
  for (let n = 0; n < 8; n++) {
    const out = flipped.subarray(n * 40, (n + 1) * 40);
    if (out.every((v, i) => v === img[i])) continue;
    mirrored++;
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 5; x++)
        for (let k = 0; k < 2; k++) assert.equal(out[(y * 5 + x) * 2 + k], img[(y * 5 + (4 - x)) * 2 + k]);
  }
  assert.ok(mirrored > 0 && mirrored < 8);
  // Padding 2 with no flip: zero padding shows zeros in some images, reflect never does
  // (all input values are > 0), and every output value comes from the input.
  const many = 32;
  const z = new Float32Array(40 * many);
  for (let n = 0; n < many; n++) z.set(img, n * 40);
  const r = z.slice();
  cropFlip({ pad: 2, flip: false })(z, many, shape, new Rng(9));
  cropFlip({ pad: 2, flip: false, padding: 'reflect' })(r, many, shape, new Rng(9));
  assert.ok(z.some((v) => v === 0));
  assert.ok(r.every((v) => v > 0 && img.includes(v)));
  assert.equal(augmenterFor('none'), undefined);
  assert.equal(typeof augmenterFor('crop-flip'), 'function');
});
