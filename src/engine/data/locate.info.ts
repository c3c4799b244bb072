/**
 * Where a dataset is found. In order: the explicit `path:` from the experiment file (only that,
 * when given), `$GACD_DATA/<name>`, the Debian package's folder (fashion-mnist:
 * /usr/share/datasets/fashion-mnist from `dataset-fashion-mnist`), then the cache folder
 * `~/.cache/gacd/<name>` (`$XDG_CACHE_HOME/gacd/<name>` when that is set). The bundled
 * `fashion-mnist-mini` lives in the repository's `data/` folder. Each place may hold the files
 * directly or in the folder its archive extracts to (e.g. `cifar-10-batches-bin/`).
 *
 * TensorFlow.js-free and reader-free (file names and folders only), so that the experiment checks
 * and the language server can say, before a run, that a dataset is not on this machine.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

export const CIFAR10_TRAIN_FILES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
export const CIFAR10_TEST_FILE = 'test_batch.bin';
export const CIFAR100_TRAIN_FILE = 'train.bin';
export const CIFAR100_TEST_FILE = 'test.bin';
/** The folders the archives extract to; the locator also looks inside these. */
export const CIFAR10_SUBFOLDER = 'cifar-10-batches-bin';
export const CIFAR100_SUBFOLDER = 'cifar-100-binary';

/** STL-10's binary files. */
export const STL10_FILES = {
  trainImages: 'train_X.bin',
  trainLabels: 'train_y.bin',
  testImages: 'test_X.bin',
  testLabels: 'test_y.bin',
} as const;
/** The folder the archive extracts to; the locator also looks inside it. */
export const STL10_SUBFOLDER = 'stl10_binary';


export type Layout = 'idx' | 'cifar10' | 'cifar100' | 'stl10';
export type Via = 'path' | 'env' | 'debian' | 'cache' | 'bundled';

/** How a dataset is stored on disk and how to get it. */
export interface DatasetSource {
  layout: Layout;
  /** Folders inside a place that may hold the files (archive or torchvision layouts). */
  subfolders: string[];
  /** The Debian package's folder, where there is one. */
  debian?: { dir: string; pkg: string };
  /** One or two lines on how to get the files. */
  howTo: string;
}

export const sources: Record<string, DatasetSource> = {
  'fashion-mnist-mini': {
    layout: 'idx',
    subfolders: [],
    howTo:
      'It is bundled in the repository (data/fashion-mnist-mini); regenerate it with ' +
      '`node --import tsx scripts/make-fashion-mini.ts` after `apt-get install -y dataset-fashion-mnist`.',
  },
  'fashion-mnist': {
    layout: 'idx',
    subfolders: ['FashionMNIST/raw', 'fashion'],
    debian: { dir: '/usr/share/datasets/fashion-mnist', pkg: 'dataset-fashion-mnist' },
    howTo:
      'On Debian or Ubuntu: `sudo apt-get install -y dataset-fashion-mnist`. Elsewhere: download the four ' +
      '.gz files from https://github.com/zalandoresearch/fashion-mnist (data/fashion) into $GACD_DATA/fashion-mnist.',
  },
  mnist: {
    layout: 'idx',
    subfolders: ['MNIST/raw'],
    howTo:
      'Download the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, ' +
      't10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) into $GACD_DATA/mnist.',
  },
  cifar10: {
    layout: 'cifar10',
    subfolders: [CIFAR10_SUBFOLDER],
    howTo:
      'Download https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz and extract it into ' +
      '$GACD_DATA/cifar10 (`tar xzf cifar-10-binary.tar.gz -C $GACD_DATA/cifar10`).',
  },
  cifar100: {
    layout: 'cifar100',
    subfolders: [CIFAR100_SUBFOLDER],
    howTo:
      'Download https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz and extract it into ' +
      '$GACD_DATA/cifar100 (`tar xzf cifar-100-binary.tar.gz -C $GACD_DATA/cifar100`).',
  },
  stl10: {
    layout: 'stl10',
    subfolders: [STL10_SUBFOLDER],
    howTo:
      'Download http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz and extract it into ' +
      '$GACD_DATA/stl10 (`tar xzf stl10_binary.tar.gz -C $GACD_DATA/stl10`).',
  },
};

/** The files each layout needs: a logical name and the file names it may have, best first. */
export const layoutFiles: Record<Layout, Record<string, string[]>> = {
  idx: {
    trainImages: idxNames('train-images', 3),
    trainLabels: idxNames('train-labels', 1),
    testImages: idxNames('t10k-images', 3),
    testLabels: idxNames('t10k-labels', 1),
  },
  cifar10: Object.fromEntries(
    [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE].map((f) => [f.replace('.bin', ''), [f]]),
  ),
  cifar100: { train: [CIFAR100_TRAIN_FILE], test: [CIFAR100_TEST_FILE] },
  stl10: {
    trainImages: [STL10_FILES.trainImages],
    trainLabels: [STL10_FILES.trainLabels],
    testImages: [STL10_FILES.testImages],
    testLabels: [STL10_FILES.testLabels],
  },
};

function idxNames(stem: string, d: number): string[] {
  return [`${stem}-idx${d}-ubyte.gz`, `${stem}-idx${d}-ubyte`, `${stem}.idx${d}-ubyte.gz`, `${stem}.idx${d}-ubyte`];
}

export interface LocateOptions {
  /** The experiment file's `path:`, already resolved against the experiment's folder if relative. */
  path?: string;
  /** Environment to read GACD_DATA, XDG_CACHE_HOME and HOME from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Replaces the Debian folder (tests). */
  debianDir?: string;
  /** Replaces the cache root `~/.cache/gacd` (tests). */
  cacheRoot?: string;
  /** Replaces the repository root that holds `data/` (tests). */
  packageRoot?: string;
}

export interface Place {
  dir: string;
  via: Via;
  /** How the place is described in messages, e.g. "$GACD_DATA/cifar10". */
  label: string;
}

export interface Located {
  name: string;
  /** The folder that holds the files. */
  dir: string;
  via: Via;
  /** Logical file name → full path, per `layoutFiles`. */
  files: Record<string, string>;
  /** In words, for the run-start event and the UI. */
  source: string;
}

/** The places looked in for `name`, in order; `notes` collects why some were skipped. */
export function searchPlaces(name: string, opts: LocateOptions = {}, notes: string[] = []): Place[] {
  const env = opts.env ?? process.env;
  const src = sourceOf(name);
  if (opts.path !== undefined && opts.path !== '') {
    return [{ dir: resolve(expandHome(opts.path, env)), via: 'path', label: '`path:` in the experiment file' }];
  }
  if (name === 'fashion-mnist-mini') {
    const root = opts.packageRoot ?? findPackageRoot();
    if (root === undefined) {
      notes.push('the bundled data folder: the gacd-studio package folder was not found above ' + startDirs().join(', '));
      return [];
    }
    return [{ dir: join(root, 'data', name), via: 'bundled', label: 'the bundled data folder' }];
  }
  const places: Place[] = [];
  const gacdData = env.GACD_DATA;
  if (gacdData) {
    for (const root of gacdData.split(delimiter).filter((s) => s !== '')) {
      places.push({ dir: join(resolve(expandHome(root, env)), name), via: 'env', label: `$GACD_DATA/${name}` });
    }
  } else {
    notes.push(`$GACD_DATA/${name}: $GACD_DATA is not set`);
  }
  if (src.debian) {
    places.push({
      dir: opts.debianDir ?? src.debian.dir,
      via: 'debian',
      label: `the Debian package ${src.debian.pkg}`,
    });
  }
  places.push({ dir: join(opts.cacheRoot ?? cacheRoot(env), name), via: 'cache', label: 'the cache folder' });
  return places;
}

/** Why a dataset was not found: every place looked in, what it needs and how to get it. */
export interface NotFound {
  name: string;
  /** One line per place, in the order looked in, with what was wrong there. */
  looked: string[];
  /** The files it needs, e.g. "data_batch_1.bin, ..., test_batch.bin". */
  needs: string;
  howTo: string;
  /** Whether only the experiment's `path:` was looked in. */
  explicit: boolean;
}

/** The folder holding `name`'s files, or every place looked in and why each did not do. */
export function searchDataset(name: string, opts: LocateOptions = {}): { found: Located } | { missing: NotFound } {
  const src = sourceOf(name);
  const wanted = layoutFiles[src.layout];
  const notes: string[] = [];
  const places = searchPlaces(name, opts, notes);
  const looked: string[] = [...notes];
  for (const place of places) {
    const candidates = [place.dir, ...src.subfolders.map((s) => join(place.dir, s))];
    if (!isDir(place.dir)) {
      looked.push(`${place.dir} (${place.label}): no such folder`);
      continue;
    }
    let best: { dir: string; found: string[]; missing: string[] } | undefined;
    for (const dir of candidates) {
      if (!isDir(dir)) continue;
      const files: Record<string, string> = {};
      const missing: string[] = [];
      for (const [key, names] of Object.entries(wanted)) {
        const hit = names.find((n) => isFile(join(dir, n)));
        if (hit) files[key] = join(dir, hit);
        else missing.push(names[0].replace(/\.gz$/, '') + (names[0].endsWith('.gz') ? '(.gz)' : ''));
      }
      if (missing.length === 0) {
        return { found: { name, dir, via: place.via, files, source: `${dir} (${place.label})` } };
      }
      const found = Object.keys(files);
      if (!best || found.length > best.found.length) best = { dir, found, missing };
    }
    if (best && best.found.length > 0) looked.push(`${best.dir} (${place.label}): missing ${best.missing.join(', ')}`);
    else looked.push(`${place.dir} (${place.label}): none of the dataset's files`);
  }
  const needs = Object.values(wanted)
    .map((names) => names[0].replace(/\.gz$/, '') + (names[0].endsWith('.gz') ? '(.gz)' : ''))
    .join(', ');
  const explicit = places.length === 1 && places[0].via === 'path';
  return { missing: { name, looked, needs, howTo: src.howTo, explicit } };
}

/**
 * Finds the folder holding `name`'s files, or throws an Error that lists every place looked in
 * and how to get the dataset.
 */
export function locateDataset(name: string, opts: LocateOptions = {}): Located {
  const r = searchDataset(name, opts);
  if ('found' in r) return r.found;
  const { looked, needs, howTo, explicit } = r.missing;
  throw new Error(
    `Dataset "${name}" was not found. Looked in${explicit ? '' : ', in order'}:\n` +
      looked.map((l, i) => `  ${i + 1}. ${l}`).join('\n') +
      `\nIt needs: ${needs}.\n` +
      `To get it: ${howTo}\n` +
      (explicit
        ? 'Or fix `path:` under `dataset:` in the experiment file so that it names the folder holding these files.'
        : 'Or set `path:` under `dataset:` in the experiment file to the folder that holds these files, ' +
          'or set $GACD_DATA to a folder holding a `' + name + '` folder.'),
  );
}

function sourceOf(name: string): DatasetSource {
  const src = sources[name];
  if (!src) throw new Error(`Unknown dataset "${name}"; known: ${Object.keys(sources).join(', ')}.`);
  return src;
}

/** `~/.cache/gacd`, or `$XDG_CACHE_HOME/gacd`. */
export function cacheRoot(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return xdg ? join(xdg, 'gacd') : join(env.HOME || homedir(), '.cache', 'gacd');
}

function expandHome(p: string, env: Record<string, string | undefined>): string {
  if (p === '~') return env.HOME || homedir();
  if (p.startsWith('~/')) return join(env.HOME || homedir(), p.slice(2));
  return p;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

const PACKAGE_NAME = 'gacd-studio';
let packageRootCache: string | null | undefined;

function startDirs(): string[] {
  const dirs: string[] = [];
  // Defined both under tsx (the package is CommonJS) and in the esbuild bundle (dist/cli.js, cjs).
  if (typeof __dirname === 'string') dirs.push(__dirname);
  if (process.argv[1]) dirs.push(dirname(resolve(process.argv[1])));
  dirs.push(process.cwd());
  return dirs;
}

/**
 * The repository (or installed extension) folder: the first folder above this file, the running
 * script or the working directory whose package.json is named "gacd-studio".
 */
export function findPackageRoot(): string | undefined {
  if (packageRootCache !== undefined) return packageRootCache ?? undefined;
  for (const start of startDirs()) {
    let dir = resolve(start);
    for (;;) {
      const pkg = join(dir, 'package.json');
      if (existsSync(pkg)) {
        try {
          if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
            packageRootCache = dir;
            return dir;
          }
        } catch {
          // An unreadable package.json is not ours; keep walking up.
        }
      }
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  packageRootCache = null;
  return undefined;
}
