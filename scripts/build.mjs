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

// Code splitting: commands that need the AWS SDK (serve, user) load it on demand, so lint and
// build start fast. The banner goes into every chunk, so each has its own require().
await build({
  ...common,
  // core/gzip.ts finds its worker beside itself (new URL('./gzip-worker.js', import.meta.url)):
  // in cli.js, or in a shared chunk when a lazily loaded command (push) shares it with build.
  entryPoints: {
    cli: 'cli/index.ts',
    'gzip-worker': 'core/gzip-worker.js',
    'chunks/gzip-worker': 'core/gzip-worker.js',
  },
  outdir: 'build',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Local-only storage servers: loaded from node_modules (they read files beside their sources).
  external: ['s3rver', 'dynalite'],
});

// The catalog UI that `packyard serve` serves (bin/packyard.js points PACKYARD_WEB_DIR here).
const { buildWeb } = await import('./build-web.mjs');
await buildWeb('build/catalog/web');
