import { test } from 'node:test';
import assert from 'node:assert/strict';
import { datasetNames, datasets, findDataset } from '../../src/engine/data/catalog';
import { sources } from '../../src/engine/data/locate.info';

test('catalog lists the six datasets with consistent class names', () => {
  assert.deepEqual(datasetNames, ['fashion-mnist-mini', 'fashion-mnist', 'mnist', 'cifar10', 'cifar100', 'stl10']);
  for (const d of datasets) {
    assert.equal(d.classNames.length, d.numClasses, d.name);
    assert.equal(new Set(d.classNames).size, d.numClasses, `${d.name} class names are unique`);
    assert.ok(sources[d.name], `${d.name} has a source`);
  }
  assert.equal(findDataset('cifar100')?.numClasses, 100);
  assert.equal(findDataset('cifar10')?.defaultEpsilon, 8 / 255);
  assert.equal(findDataset('stl10')?.defaultAugment, 'crop-flip');
  assert.deepEqual(findDataset('stl10')?.shape, [96, 96, 3]);
  assert.equal(findDataset('mnist')?.defaultEpsilon, 0.3);
  const mini = findDataset('fashion-mnist-mini');
  assert.equal(mini?.bundled, true);
  assert.equal(mini?.classNames[9], 'Ankle boot');
  assert.equal(datasets.filter((d) => d.bundled).length, 1);
});
