import type { ErrorObject } from 'ajv';
import { validate } from './schemas/pack-validate.generated.js';

export type { ErrorObject };

/** Validates a parsed pack.json against schemas/pack.schema.json (precompiled by ajv standalone). */
export function validatePackJson(value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** Turns an ajv error into a path into the document and a message a pack author can act on. */
export function describeSchemaError(e: ErrorObject): { path: (string | number)[]; message: string } {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const where = e.instancePath ? `"${e.instancePath.slice(1).replace(/\//g, '.')}"` : 'pack.json';
  switch (e.keyword) {
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return { path, message: `${where} is missing the required property "${missing}"; add it` };
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues ?? [];
      return { path, message: `${where} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}` };
    }
    case 'type':
      return { path, message: `${where} must be of type ${(e.params as { type: string }).type}` };
    default:
      return { path, message: `${where} ${e.message ?? 'is invalid'}` };
  }
}
