#!/usr/bin/env node
import { existsSync } from 'node:fs';

const bundle = new URL('../build/cli.js', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write(
    'packyard: build/cli.js is missing; run "npm install" (or "npm run build") in the Packyard folder\n',
  );
  process.exit(1);
}
await import(bundle.href);
