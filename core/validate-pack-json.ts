import type { ErrorObject } from 'ajv';
import { validate } from './schemas/pack-validate.generated.js';

export type { ErrorObject };

/** Validates a parsed pack.json against schemas/pack.schema.json (precompiled by ajv standalone). */
export function validatePackJson(value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** Turns an ajv error into a path into the document and a message a pack author can act on. */
export function describeSchemaError(
  e: ErrorObject,
  root?: unknown,
): { path: (string | number)[]; message: string } {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const where = e.instancePath ? `"${e.instancePath.slice(1).replace(/\//g, '.')}"` : 'pack.json';
  const got = root === undefined ? '' : gotValue(root, path);
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { path, message: `${where} is missing the required property "${missing}"; add it` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues ?? [];
      return {
        path,
        message: `${where}${got} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`,
      };
    }
    case 'type':
      return { path, message: `${where}${got} must be of type ${(e.params as { type: string }).type}` };
    default:
      return { path, message: `${where} ${e.message ?? 'is invalid'}` };
  }
}

/** ` (is "addons")`: the offending value, shortened, for messages about one value. */
function gotValue(root: unknown, path: (string | number)[]): string {
  let v: unknown = root;
  for (const k of path)
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  if (v === undefined) return '';
  const text = JSON.stringify(v);
  return ` (is ${text.length > 40 ? `${text.slice(0, 37)}...` : text})`;
}
