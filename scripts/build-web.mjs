// Builds the catalog UI (web/) into build/catalog/web: hashed, minified assets under assets/ and an
// index.html naming them. The registry serves the folder (lambdas/registry/web-assets); the
// deployed function gets it as a Lambda layer, so it never weighs on the function bundle.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export async function buildWeb(outDir = 'build/catalog/web') {
  rmSync(outDir, { recursive: true, force: true });
  const assets = path.join(outDir, 'assets');
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: 'web/src/main.ts', style: 'web/src/style.css', icon: 'web/src/icon.svg' },
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    legalComments: 'none',
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    loader: { '.svg': 'file' },
    metafile: true,
    logLevel: 'warning',
  });
  const names = {};
  for (const [file, out] of Object.entries(result.metafile.outputs)) {
    const base = path.basename(file);
    if (out.entryPoint === 'web/src/main.ts') names.__JS__ = base;
    else if (base.startsWith('style-') && base.endsWith('.css')) names.__CSS__ = base;
    else if (base.startsWith('icon-') && base.endsWith('.svg')) names.__ICON__ = base;
  }
  // The svg entry also emits a tiny JS stub exporting its URL: not needed.
  for (const [file, out] of Object.entries(result.metafile.outputs))
    if (out.entryPoint === 'web/src/icon.svg' && file.endsWith('.js')) rmSync(file);
  for (const k of ['__JS__', '__CSS__', '__ICON__'])
    if (!names[k]) throw new Error(`build-web: no output for ${k}`);
  let html = readFileSync('web/index.html', 'utf8');
  for (const [k, v] of Object.entries(names)) html = html.replaceAll(k, v);
  writeFileSync(path.join(outDir, 'index.html'), html);
  return names;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = await buildWeb(process.argv[2]);
  console.log(`wrote build/catalog/web: ${Object.values(names).join(', ')}`);
}
