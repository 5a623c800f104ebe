// Bundles the GitHub Action (action.yml runs dist/index.js on node24) with esbuild. dist/ is
// checked in, so the output must be reproducible: no timestamps, no source maps, stable order.
// test/unit/check-dist.test.ts rebuilds into a temp folder and compares.
//
//   node scripts/build-action.mjs [OUTDIR]   (default: dist)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.resolve(root, process.argv[2] ?? 'dist');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await build({
  absWorkingDir: root,
  // One file for the Action, and the gzip worker beside it: core/gzip.ts starts it with
  // new Worker(new URL('./gzip-worker.js', import.meta.url)), i.e. dist/gzip-worker.js.
  entryPoints: { index: 'action/index.ts', 'gzip-worker': 'core/gzip-worker.js' },
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none', // dist/licenses.txt carries the bundled packages' licences instead
  mainFields: ['module', 'main'],
  define: { __PACKYARD_VERSION__: JSON.stringify(pkg.version) },
  metafile: true,
  logLevel: 'warning',
  // CommonJS dependencies (@actions/http-client, undici, tunnel) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __pyCreateRequire } from 'node:module'; const require = __pyCreateRequire(import.meta.url);",
  },
});

// node24 must load dist/index.js as ESM even where the repository's package.json is not beside it.
await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
await writeFile(path.join(outdir, 'licenses.txt'), licenses(Object.keys(result.metafile.inputs)));

/** The licence of every npm package bundled into dist/, sorted by name. */
function licenses(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const parts = input.split('/');
    const i = parts.lastIndexOf('node_modules');
    if (i < 0) continue;
    const depth = parts[i + 1]?.startsWith('@') ? 2 : 1;
    dirs.add(parts.slice(0, i + 1 + depth).join('/'));
  }
  const entries = [...dirs].map((dir) => {
    const meta = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    const file = readdirSync(path.join(root, dir))
      .filter((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f))
      .sort()[0];
    const text = file
      ? readFileSync(path.join(root, dir, file), 'utf8').trim()
      : `License: ${meta.license ?? 'unknown'}`;
    return { id: `${meta.name}@${meta.version}`, license: meta.license ?? 'unknown', text };
  });
  entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const head = `Third-party packages bundled into this folder by scripts/build-action.mjs (${pkg.name} ${pkg.version}).\n`;
  return `${head}${entries.map((e) => `\n${'='.repeat(78)}\n${e.id} (${e.license})\n${'='.repeat(78)}\n\n${e.text}\n`).join('')}`;
}

if (!existsSync(path.join(outdir, 'gzip-worker.js'))) throw new Error('gzip-worker.js was not built');
