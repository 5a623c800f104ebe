import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './packs.ts';

/** Checks a response body against a schema of docs/openapi.yaml (the documented contract). */
const openapi = parse(readFileSync(path.join(ROOT, 'docs', 'openapi.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
const ajv = new Ajv2020({ strict: false });
// ajv-formats is CommonJS: typed as a namespace, called as a function.
(addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020)(ajv);
ajv.addSchema({ ...openapi, $id: 'openapi' });

export function expectDocumented(ref: string, body: unknown): void {
  const validate = ajv.getSchema(`openapi${ref}`);
  if (!validate) throw new Error(`no schema ${ref}`);
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}
