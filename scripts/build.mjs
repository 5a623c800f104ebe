// Bundles the CLI (build/) with esbuild. The gzip worker is a separate entry beside it.
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  mainFields: ['module', 'main'],
  logLevel: 'warning',
  // CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __pyCreateRequire } from 'node:module'; const require = __pyCreateRequire(import.meta.url);",
  },
};

await build({
  ...common,
  entryPoints: { cli: 'cli/index.ts', 'gzip-worker': 'core/gzip-worker.js' },
  outdir: 'build',
  outExtension: { '.js': '.js' },
});
