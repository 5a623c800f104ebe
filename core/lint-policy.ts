import type { Finding, Severity } from './findings.ts';

/** What a configuration may set a rule to. */
export type RuleSetting = Severity | 'off';

/**
 * The effective rule settings for one pack (built from a `.packyard.yaml`, see lint-config.ts).
 * Pure data for core: the CLI, the Action and the registry each load the same file format.
 */
export interface PackPolicy {
  /** The configured setting of a rule for a pack, or undefined to keep each finding's own severity. */
  setting(rule: string, pack: { name?: string }): RuleSetting | undefined;
  /** Whether the configuration ignores a rule in one pack-relative file. */
  ignores(rule: string, file: string): boolean;
}

const INLINE = /#\s*packyard-ignore\b[:\s]*([^#\n]*)/;

/** The rule ids a `# packyard-ignore id[, id…] [-- reason]` comment names on a line. */
function inlineIgnores(line: string | undefined): string[] {
  const m = line === undefined ? null : INLINE.exec(line);
  if (!m) return [];
  const ids = (m[1] ?? '').split('--')[0] ?? '';
  return ids.split(/[\s,]+/).filter((s) => s !== '');
}

/**
 * Applies inline ignores (in YAML files: `# packyard-ignore rule-id` on the finding's line or the
 * line before), the policy's per-file ignores and its severities. `lines` returns a YAML file's
 * lines, or undefined for other files.
 */
export function applyPolicy(
  findings: readonly Finding[],
  policy: PackPolicy | undefined,
  lines: (file: string) => readonly string[] | undefined,
  pack: { name?: string } = {},
): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.line !== undefined && /\.ya?ml$/i.test(f.file)) {
      const text = lines(f.file);
      if (text) {
        const named = [...inlineIgnores(text[f.line - 1]), ...inlineIgnores(text[f.line - 2])];
        if (named.includes(f.rule)) continue;
      }
    }
    if (!policy) {
      out.push(f);
      continue;
    }
    if (policy.ignores(f.rule, f.file)) continue;
    const s = policy.setting(f.rule, pack);
    if (s === 'off') continue;
    out.push(s && s !== f.severity ? { ...f, severity: s } : f);
  }
  return out;
}
