// Module load hook for scripts/ts-register.mjs: .ts files are transformed by esbuild (types
// stripped, ESM kept, inline source maps so stack traces point at the TypeScript lines).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const { code } = await transform(await readFile(file, 'utf8'), {
    loader: 'ts',
    format: 'esm',
    // package.json's engines: at node20 alone esbuild drops import attributes (`with { type: 'json' }`).
    target: 'node20.12',
    sourcemap: 'inline',
    sourcefile: file,
  });
  return { format: 'module', source: code, shortCircuit: true };
}
