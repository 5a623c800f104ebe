import { parseYamlAsGo } from '../parse-yaml.ts';
import { isPlainObject, type LintContext, reportGoOnly } from './context.ts';

const FILE = 'schema.yaml';
export const FORMAT_TYPES = ['string', 'number', 'boolean', 'password', 'list', 'ipv4', 'version', 'input'];
const FUNCTIONS = new Set(['required', 'readonly', 'format', 'hints', 'hidden', 'immutable']);
const PIPELINE = /^\{\{-?([\s\S]*?)-?\}\}$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** Lints schema.yaml: values path → {schema: '{{ required | format "${TYPE}" | hints "…" }}'}. */
export function lintSchemaYaml(ctx: LintContext): void {
  if (!ctx.entry(FILE)) return;
  const text = ctx.text(FILE);
  if (text === undefined) return;
  const parsed = parseYamlAsGo(text);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e) ctx.report('schema/yaml-syntax', FILE, `invalid YAML: ${e.message}`, e.position);
    return;
  }
  if (parsed.goOnly) reportGoOnly(ctx, FILE, parsed.goOnly.lines);
  const doc = parsed.docs[0];
  const root = doc?.value;
  if (!doc || root === null || root === undefined) return;
  if (!isPlainObject(root)) {
    ctx.report(
      'schema/shape',
      FILE,
      'must be a mapping of values paths to {schema: "{{ … }}"}',
      doc.positionOf([]),
    );
    return;
  }
  for (const [key, entry] of Object.entries(root)) {
    const schema = isPlainObject(entry) ? entry.schema : undefined;
    if (typeof schema !== 'string') {
      ctx.report(
        'schema/shape',
        FILE,
        `"${key}" must be a mapping with a "schema" string such as '{{ required | format "\${string}" }}'`,
        doc.keyPositionOf([key]),
      );
      continue;
    }
    const at = doc.positionOf([key, 'schema']);
    const m = PIPELINE.exec(schema.trim());
    if (!m) {
      ctx.report('schema/shape', FILE, `"${key}".schema must be a "{{ … }}" pipeline`, at);
      continue;
    }
    for (const stage of splitPipeline(m[1] ?? '')) {
      const fn = stage.split(/\s+/)[0] ?? '';
      if (fn === '') continue;
      if (!FUNCTIONS.has(fn)) {
        ctx.report(
          'schema/shape',
          FILE,
          `"${key}".schema uses unknown function "${fn}" (known: ${[...FUNCTIONS].join(', ')})`,
          at,
        );
        continue;
      }
      if (fn !== 'format') continue;
      const arg = /^format\s+"([^"]*)"\s*$/.exec(stage);
      if (!arg) {
        ctx.report(
          'schema/shape',
          FILE,
          `"${key}".schema: format takes one quoted argument, e.g. format "\${string}"`,
          at,
        );
        continue;
      }
      const types = [...(arg[1] ?? '').matchAll(PLACEHOLDER)].map((t) => t[1] ?? '');
      if (types.length === 0)
        ctx.report(
          'schema/format-type',
          FILE,
          `"${key}".schema: format "${arg[1]}" has no \${TYPE} placeholder`,
          at,
        );
      for (const t of types) {
        const base = t.split(':')[0]?.trim() ?? '';
        if (!FORMAT_TYPES.includes(base)) {
          ctx.report(
            'schema/format-type',
            FILE,
            `"${key}".schema: unknown format type "\${${t}}"; use one of ${FORMAT_TYPES.map((x) => `\${${x}}`).join(', ')}`,
            at,
          );
        }
      }
    }
  }
}

/** Splits on "|" outside double quotes (hints text may contain "|"). */
function splitPipeline(body: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && quoted) {
      cur += c + (body[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (c === '|' && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur.trim());
  return out;
}
