/**
 * `.packyard.yaml`: rule severities, per-pack overrides and per-file ignores, read the same way by
 * the CLI, the Action and the registry. Pure: parsing and matching only (see lint-config-file.ts
 * for finding the file).
 *
 *     rules:                        # every pack under this folder
 *       values/images: off
 *     overrides:                    # later entries win
 *       - packs: packs/legacy-*     # gitignore-style patterns, relative to this file's folder
 *         names: legacy-*           # and/or pack.json names (what the registry matches)
 *         rules: { manifest/k8s-object: warning }
 *     ignore:                       # files that cannot carry a # packyard-ignore comment (pack.json)
 *       - files: packs/app/pack.json
 *         rules: [pack-json/addon-type]
 */
import ignore from 'ignore';
import type { Position } from './findings.ts';
import { closestKey } from './lint/pack-json.ts';
import type { PackPolicy, RuleSetting } from './lint-policy.ts';
import { IMAGE_RULES } from './pack-images.ts';
import { parseYaml } from './parse-yaml.ts';
import { RULES } from './rules.ts';
// Precompiled (scripts/gen-validators.mjs): compiling the schema at start-up cost every lint run
// more than linting a small pack, config file or not.
import { validate } from './schemas/packyard-config-validate.generated.js';

export const CONFIG_FILE_NAMES = ['.packyard.yaml', '.packyard.yml'];

export interface LintConfig {
  rules: Record<string, RuleSetting>;
  overrides: { packs: string[]; names: string[]; rules: Record<string, RuleSetting> }[];
  ignore: { files: string[]; rules: string[] }[];
}

export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export class LintConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  }
}

/** Every rule a config may name: the static catalog and the image checks (`--check-images`). */
const KNOWN_RULES = [...RULES, ...IMAGE_RULES];
const RULE_IDS = KNOWN_RULES.map((r) => r.id);
const KNOWN_IDS = new Set<string>(RULE_IDS);
const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** Parses and validates a config file's text; throws LintConfigError naming file:line for each problem. */
export function parseLintConfig(text: string, file: string): LintConfig {
  const parsed = parseYaml(text);
  const problem = (message: string, pos: Position): ConfigProblem => ({ file, ...pos, message });
  if (!parsed.ok)
    throw new LintConfigError([problem(`invalid YAML: ${parsed.error.message}`, parsed.error.position)]);
  const doc = parsed.docs[0];
  const value = doc?.value ?? {};
  if (!doc) return { rules: {}, overrides: [], ignore: [] };
  if (!validate(value)) {
    const dotted = (p: string) =>
      p
        .split('/')
        .slice(1)
        .map((x) => x.replace(/~1/g, '/').replace(/~0/g, '~'))
        .join('.');
    throw new LintConfigError(
      (validate.errors ?? []).slice(0, 10).map((e) => {
        const path = e.instancePath
          .split('/')
          .slice(1)
          .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
        const extra = (e.params as { additionalProperty?: string }).additionalProperty;
        const what =
          e.keyword === 'additionalProperties' && extra
            ? `unknown key "${extra}"`
            : e.keyword === 'enum'
              ? 'must be error, warning or off'
              : (e.message ?? 'is invalid');
        return problem(
          `${dotted(e.instancePath) || 'the config'} ${what}`,
          extra ? doc.keyPositionOf([...path, extra]) : doc.positionOf(path),
        );
      }),
    );
  }
  const v = value as {
    rules?: Record<string, RuleSetting>;
    overrides?: { packs?: unknown; names?: unknown; rules: Record<string, RuleSetting> }[];
    ignore?: { files: unknown; rules: string[] }[];
  };
  const problems: ConfigProblem[] = [];
  const checkIds = (ids: string[], at: (id: string) => (string | number)[]) => {
    for (const id of ids) {
      if (KNOWN_IDS.has(id)) continue;
      const near = closestKey(id, RULE_IDS);
      problems.push(
        problem(
          `unknown rule "${id}"${near ? `; did you mean "${near}"?` : ' (see "packyard rules")'}`,
          doc.keyPositionOf(at(id)),
        ),
      );
    }
  };
  checkIds(Object.keys(v.rules ?? {}), (id) => ['rules', id]);
  for (const [i, o] of (v.overrides ?? []).entries())
    checkIds(Object.keys(o.rules), (id) => ['overrides', i, 'rules', id]);
  for (const [i, g] of (v.ignore ?? []).entries())
    checkIds(g.rules, (id) => ['ignore', i, 'rules', g.rules.indexOf(id)]);
  if (problems.length > 0) throw new LintConfigError(problems);
  return {
    rules: v.rules ?? {},
    overrides: (v.overrides ?? []).map((o) => ({
      packs: list(o.packs),
      names: list(o.names),
      rules: o.rules,
    })),
    ignore: (v.ignore ?? []).map((g) => ({ files: list(g.files), rules: g.rules })),
  };
}

/** gitignore-style matching of a path relative to the config's folder ("" and "../…" match nothing). */
function matches(patterns: readonly string[], rel: string | undefined): boolean {
  if (!rel || rel.startsWith('../') || rel === '..' || patterns.length === 0) return false;
  return ignore().add(patterns).ignores(rel);
}

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

/**
 * The policy for one pack: `packPath` is its folder relative to the config file's folder (POSIX;
 * the registry, which has no folders, passes the pack name), `name` its pack.json name.
 */
export function policyFor(config: LintConfig, packPath: string | undefined): PackPolicy {
  const inPack = packPath === '' || packPath === '.' ? '' : packPath;
  return {
    setting(rule, pack) {
      let s = config.rules[rule];
      for (const o of config.overrides) {
        const byPath = matches(o.packs, inPack);
        const byName =
          pack.name !== undefined && o.names.some((n) => globToRegExp(n).test(pack.name as string));
        if ((byPath || byName) && o.rules[rule] !== undefined) s = o.rules[rule];
      }
      return s;
    },
    ignores(rule, file) {
      const rel = inPack ? `${inPack}/${file}` : file;
      return config.ignore.some((g) => g.rules.includes(rule) && matches(g.files, rel));
    },
  };
}

/** Effective severity of every rule for one pack (what `packyard rules` shows). */
export function effectiveSettings(
  policy: PackPolicy | undefined,
  name?: string,
): { id: string; default: string; description: string; effective: RuleSetting }[] {
  return KNOWN_RULES.map((r) => ({
    id: r.id,
    default: r.severity,
    description: r.description,
    effective: policy?.setting(r.id, { name }) ?? r.severity,
  }));
}
