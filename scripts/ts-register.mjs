// Lets Node 20 run the CDK app's TypeScript (`node --import ./scripts/ts-register.mjs infra/bin/app.ts`)
// with the esbuild the project already pins: a module load hook strips the types of each .ts file.
// Imports keep their explicit .ts extensions, so Node's own resolver needs no help, and
// import.meta.url stays the real file's URL (the CDK construct finds the Lambda entry from it).
// Node 22.6+ could use --experimental-strip-types instead; tsx would be a new dependency.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
