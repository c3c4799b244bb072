// Bundles the engine's command-line program and the language server (`gacd-ls`, which never
// loads TensorFlow.js) with esbuild. TensorFlow.js stays external: its backends load .wasm files
// and native bindings from their own package folders at run time.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/engine/cli/main.ts', worker: 'src/engine/parallel/worker.ts', server: 'src/server/server.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['@tensorflow/*'],
  logLevel: 'warning',
});

// The VS Code extension (src/extension): `vscode` is provided by the editor. It must never load
// TensorFlow.js, so @tensorflow/* is external here too, and the metafile lets a test check that no
// module of it was reached (test/extension/bundle.test.ts).
import { writeFileSync } from 'node:fs';
const extension = await build({
  entryPoints: { extension: 'src/extension/extension.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode', '@tensorflow/*'],
  minify: true,
  metafile: true,
  logLevel: 'warning',
});
writeFileSync('dist/extension.meta.json', JSON.stringify(extension.metafile));

// The panels' pages (webview/): browser bundles with their CSS, loaded under a strict CSP.
await build({
  entryPoints: { dashboard: 'webview/dashboard/main.ts', comparison: 'webview/comparison/main.ts', style: 'webview/style.css' },
  outdir: 'dist/webview',
  bundle: true,
  platform: 'browser',
  target: 'chrome120',
  format: 'iife',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
