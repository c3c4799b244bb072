/**
 * ARCHITECTURE.md's folder table is the law: every relative import (type imports included) from a
 * file of a listed folder must go to the same folder or to one its row lists; "(descriptions only)"
 * allows only a folder's tfjs-free files (`catalog.ts`, `*.info.ts`); every folder of src/ and
 * webview/ holding code must have a row; and no two folders may import each other, directly or
 * through others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

interface Rule {
  folder: string;
  allowed: Map<string, 'all' | 'descriptions'>;
}

/** The table's rows: folder, then the allowed folders of its last column. */
export function readTable(markdown: string): Rule[] {
  const section = markdown.split('## Folders and who may import whom')[1]?.split('\n## ')[0];
  if (!section) throw new Error('ARCHITECTURE.md has no "Folders and who may import whom" section');
  const rules: Rule[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[1].startsWith('`')) continue;
    const folder = cells[1].replace(/`/g, '');
    const allowed = new Map<string, 'all' | 'descriptions'>();
    for (const m of cells[3].matchAll(/`([^`]+)`( \(descriptions only\))?/g)) allowed.set(m[1], m[2] ? 'descriptions' : 'all');
    rules.push({ folder, allowed });
  }
  return rules;
}

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative import specifiers of a file: import/export ... from, import('...'), import '...'. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.[^'"]+)['"]/g)) out.push(m[1]);
  for (const m of text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g)) out.push(m[1]);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"](\.[^'"]+)['"]/g)) out.push(m[1]);
  return out;
}

/** The module file an import names (`./a` is `./a.ts` or `./a/index.ts`). */
function resolveModule(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return base;
}

const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/');

test("every import between folders follows ARCHITECTURE.md's table, and no folder cycle exists", () => {
  const rules = readTable(fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8'));
  assert.ok(rules.length >= 10, `only ${rules.length} rows read from the table`);
  const folders = rules.map((r) => r.folder).sort((a, b) => b.length - a.length);
  // The deepest listed folder holding a file is its folder.
  const folderOf = (file: string) => folders.find((f) => rel(file) === f || rel(file).startsWith(`${f}/`));
  const byFolder = new Map(rules.map((r) => [r.folder, r]));

  const violations: string[] = [];
  const edges = new Map<string, Set<string>>();
  const files = [...sources(path.join(ROOT, 'src')), ...sources(path.join(ROOT, 'webview'))];
  for (const file of files) {
    const from = folderOf(file);
    if (!from) {
      violations.push(`${rel(file)}: its folder has no row in ARCHITECTURE.md's table`);
      continue;
    }
    for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
      const target = resolveModule(file, spec);
      const to = folderOf(target);
      if (!to) {
        violations.push(`${rel(file)} imports ${spec}, outside every folder of the table`);
        continue;
      }
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      const allowed = byFolder.get(from)!.allowed.get(to);
      const base = path.basename(target);
      if (!allowed) violations.push(`${rel(file)} imports ${rel(target)}: ${from} may not import ${to}`);
      else if (allowed === 'descriptions' && base !== 'catalog.ts' && !base.endsWith('.info.ts')) {
        violations.push(`${rel(file)} imports ${rel(target)}: ${from} may import only the descriptions of ${to} (catalog.ts, *.info.ts)`);
      }
    }
  }
  assert.deepEqual(violations, []);

  // No cycle between folders: a depth-first search that finds no back edge.
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, trail: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...trail.slice(trail.indexOf(f)), f].join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const t of edges.get(f) ?? []) visit(t, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of edges.keys()) visit(f, []);
  assert.deepEqual(cycles, []);
});

test('the table reader reads the rules as written and the scanner finds every form of import', () => {
  // The parsing half on a made-up table: the rules read are the ones written.
  const rules = readTable(
    '## Folders and who may import whom\n| folder | what | may import |\n| --- | --- | --- |\n' +
      '| `a` | x | `b`, `c` (descriptions only) |\n| `b` | y | — |\n\n## Next\n',
  );
  assert.deepEqual(rules.map((r) => [r.folder, [...r.allowed]]), [['a', [['b', 'all'], ['c', 'descriptions']]], ['b', []]]);
  assert.deepEqual(importsOf("import type { X } from '../a/b';\nexport { y } from './c';\nconst m = await import('../d');\nimport './e';"), ['../a/b', './c', '../d', './e']);
});
