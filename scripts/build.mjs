// Bundles the engine's command-line program with esbuild. TensorFlow.js stays external: its
// backends load .wasm files and native bindings from their own package folders at run time.
import { build } from 'esbuild';

await build({
  entryPoints: { cli: 'src/engine/cli.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['@tensorflow/*'],
  logLevel: 'warning',
});
