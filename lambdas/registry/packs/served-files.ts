/**
 * The pack files the registry keeps beside a version and the JSON API serves
 * (`GET /api/v1/packs/<name>/versions/<v>/<file>`): the route's name, the file in the pack, and
 * its content type (stored with the object too, so a presigned redirect serves the same type).
 */
export const SERVED_FILES = {
  values: { path: 'values.yaml', type: 'application/yaml' },
  readme: { path: 'README.md', type: 'text/markdown; charset=utf-8' },
  presets: { path: 'presets.yaml', type: 'application/yaml' },
  schema: { path: 'schema.yaml', type: 'application/yaml' },
  logo: { path: 'logo.png', type: 'image/png' },
  pack: { path: 'pack.json', type: 'application/json' },
} as const;

export type ServedFile = keyof typeof SERVED_FILES;

export function isServedFile(s: string): s is ServedFile {
  return Object.hasOwn(SERVED_FILES, s); // never `in`: "constructor" is in every object
}
