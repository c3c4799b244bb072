/** The data layer: catalog, readers, locating, loading, subsets, augmentation and batching. */
export * from './catalog';
export * from './types';
export * from './idx';
export * from './cifar';
export * from './stl10';
export * from './locate.info';
export * from './load';
export * from './subset';
export * from './augment';
export * from './batches';
