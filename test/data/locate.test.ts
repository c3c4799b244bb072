import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPackageRoot, locateDataset } from '../../src/engine/data/locate.info';
import { DEBIAN_FASHION, cifarBytes, tempDir, writeIdxDataset } from './helpers';


/** A temp root with fake "debian" and "cache" folders and a $GACD_DATA folder, each with fashion-mnist. */
function places(root: string) {
  const env = join(root, 'env');
  const debian = join(root, 'debian');
  const cache = join(root, 'cache');
  const explicit = join(root, 'explicit');
  for (const d of [join(env, 'fashion-mnist'), debian, join(cache, 'fashion-mnist'), explicit]) {
    writeIdxDataset(d, { train: 10, test: 10, h: 2, w: 2, gzip: true });
  }
  return { env, debian, cache, explicit };
}

test('locate order: explicit path, then $GACD_DATA, then Debian, then the cache', () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = places(dir);
    const base = { env: { GACD_DATA: p.env }, debianDir: p.debian, cacheRoot: p.cache };
    const explicit = locateDataset('fashion-mnist', { ...base, path: p.explicit });
    assert.equal(explicit.via, 'path');
    assert.equal(explicit.dir, p.explicit);
    assert.equal(explicit.files.trainImages, join(p.explicit, 'train-images-idx3-ubyte.gz'));

    const env = locateDataset('fashion-mnist', base);
    assert.equal(env.via, 'env');
    assert.equal(env.dir, join(p.env, 'fashion-mnist'));
    assert.match(env.source, /\$GACD_DATA\/fashion-mnist/);

    const debian = locateDataset('fashion-mnist', { ...base, env: {} });
    assert.equal(debian.via, 'debian');
    assert.equal(debian.dir, p.debian);

    const cache = locateDataset('fashion-mnist', { ...base, env: {}, debianDir: join(dir, 'no-debian') });
    assert.equal(cache.via, 'cache');
    assert.equal(cache.dir, join(p.cache, 'fashion-mnist'));
  } finally {
    cleanup();
  }
});

test('locate finds the real Debian folder when nothing comes before it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const loc = locateDataset('fashion-mnist', { env: {}, cacheRoot: dir });
    assert.equal(loc.via, 'debian');
    assert.equal(loc.dir, DEBIAN_FASHION);
    assert.match(loc.source, /dataset-fashion-mnist/);
  } finally {
    cleanup();
  }
});

test('a missing dataset lists every place looked in and how to get it', () => {
  const { dir, cleanup } = tempDir();
  try {
    const partial = join(dir, 'env', 'fashion-mnist');
    mkdirSync(partial, { recursive: true });
    writeIdxDataset(partial, { train: 2, test: 2, h: 1, w: 1, gzip: true });
    // Leave out the test labels: the message should say what is missing there.
    rmSync(join(partial, 't10k-labels-idx1-ubyte.gz'));
    const opts = { env: { GACD_DATA: join(dir, 'env') }, debianDir: join(dir, 'nodebian'), cacheRoot: join(dir, 'cache') };
    assert.throws(
      () => locateDataset('fashion-mnist', opts),
      (err: Error) => {
        const m = err.message;
        assert.match(m, /Dataset "fashion-mnist" was not found/);
        assert.ok(m.includes(`${partial} ($GACD_DATA/fashion-mnist): missing t10k-labels-idx1-ubyte(.gz)`), m);
        assert.ok(m.includes(`${join(dir, 'nodebian')} (the Debian package dataset-fashion-mnist): no such folder`), m);
        assert.ok(m.includes(`${join(dir, 'cache', 'fashion-mnist')} (the cache folder): no such folder`), m);
        assert.match(m, /apt-get install -y dataset-fashion-mnist/);
        assert.match(m, /`path:`/);
        return true;
      },
    );
    assert.throws(
      () => locateDataset('cifar10', { env: {}, cacheRoot: join(dir, 'cache') }),
      (err: Error) => {
        assert.match(err.message, /\$GACD_DATA\/cifar10: \$GACD_DATA is not set/);
        assert.match(err.message, /cifar-10-binary\.tar\.gz/);
        assert.match(err.message, /data_batch_1\.bin/);
        return true;
      },
    );
    // An explicit path is the only place looked in, and the message says so.
    assert.throws(
      () => locateDataset('fashion-mnist', { ...opts, path: join(dir, 'wrong') }),
      (err: Error) => {
        assert.ok(err.message.includes(`${join(dir, 'wrong')} (\`path:\` in the experiment file): no such folder`));
        assert.match(err.message, /Looked in:\n  1\. /);
        assert.doesNotMatch(err.message, /\n  2\. /);
        return true;
      },
    );
    assert.throws(() => locateDataset('imagenet', {}), /Unknown dataset "imagenet"/);
  } finally {
    cleanup();
  }
});

test('an archive subfolder (cifar-10-batches-bin) is found inside a place', () => {
  const { dir, cleanup } = tempDir();
  try {
    const sub = join(dir, 'cifar10', 'cifar-10-batches-bin');
    mkdirSync(sub, { recursive: true });
    for (const f of ['data_batch_1', 'data_batch_2', 'data_batch_3', 'data_batch_4', 'data_batch_5', 'test_batch']) {
      writeFileSync(join(sub, `${f}.bin`), cifarBytes(1, 1, () => [0]));
    }
    const loc = locateDataset('cifar10', { env: { GACD_DATA: dir }, cacheRoot: join(dir, 'cache') });
    assert.equal(loc.dir, sub);
    assert.equal(loc.files.test_batch, join(sub, 'test_batch.bin'));
  } finally {
    cleanup();
  }
});

test('the package root and the bundled mini set are found from the source tree', () => {
  const root = findPackageRoot();
  assert.ok(root);
  assert.equal(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name, 'gacd-studio');
  const loc = locateDataset('fashion-mnist-mini', { env: { GACD_DATA: '/nonexistent' } });
  assert.equal(loc.via, 'bundled');
  assert.equal(loc.dir, join(root, 'data', 'fashion-mnist-mini'));
});
