#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../build/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    'packyard: build/cli.js is missing; run "npm install" (or "npm run build") in the Packyard folder\n',
  );
  process.exit(1);
}
// `packyard serve` serves the catalog UI built beside the CLI (scripts/build-web.mjs).
process.env.PACKYARD_WEB_DIR ??= fileURLToPath(new URL('../build/catalog/web', import.meta.url));
await import(bundle.href);
