import { parse } from 'yaml';

/** A preset as presets.yaml declares it; Palette shows them grouped by `group`. */
export interface Preset {
  name: string;
  displayName: string;
  group: string;
  remove: string[];
  add: string;
}

export function presetGroups(source: string | undefined): Map<string, Preset[]> {
  const groups = new Map<string, Preset[]>();
  if (!source) return groups;
  let doc: unknown;
  try {
    doc = parse(source);
  } catch {
    return groups;
  }
  const list = (doc as { presets?: unknown })?.presets;
  if (!Array.isArray(list)) return groups;
  for (const p of list) {
    if (!p || typeof p !== 'object') continue;
    const x = p as Record<string, unknown>;
    const preset: Preset = {
      name: String(x.name ?? ''),
      displayName: String(x.displayName ?? x.name ?? ''),
      group: String(x.group ?? 'Other'),
      remove: Array.isArray(x.remove) ? x.remove.map(String) : [],
      add: typeof x.add === 'string' ? x.add : '',
    };
    const g = groups.get(preset.group) ?? [];
    g.push(preset);
    groups.set(preset.group, g);
  }
  return groups;
}

/** `# spectrocloud.com/enabled-presets: Group:preset, …` on values.yaml's first line. */
export function enabledPresets(values: string | undefined): string[] {
  const first = values?.split('\n', 1)[0] ?? '';
  const m = /^#\s*spectrocloud\.com\/enabled-presets:\s*(.*)$/.exec(first);
  return m
    ? (m[1] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

/** One schema.yaml entry: `path: {schema: '{{ required | readonly | format "${TYPE}" | hints "…" }}'}`. */
export interface Constraint {
  path: string;
  required: boolean;
  readonly: boolean;
  format?: string;
  hints?: string;
  raw: string;
}

export function schemaConstraints(source: string | undefined): Constraint[] {
  if (!source) return [];
  let doc: unknown;
  try {
    doc = parse(source);
  } catch {
    return [];
  }
  if (!doc || typeof doc !== 'object') return [];
  const out: Constraint[] = [];
  for (const [path, v] of Object.entries(doc as Record<string, unknown>)) {
    const raw = String((v as { schema?: unknown })?.schema ?? v ?? '');
    const inner = /\{\{(.*)\}\}/s.exec(raw)?.[1] ?? raw;
    const parts = inner.split('|').map((s) => s.trim());
    const quoted = (word: string) => {
      const part = parts.find((p) => p.startsWith(`${word} `));
      return part ? /"((?:[^"\\]|\\.)*)"/.exec(part)?.[1] : undefined;
    };
    out.push({
      path,
      required: parts.includes('required'),
      readonly: parts.includes('readonly'),
      format: quoted('format'),
      hints: quoted('hints'),
      raw,
    });
  }
  return out;
}
