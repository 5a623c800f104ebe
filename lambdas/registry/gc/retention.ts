import type { MarkState, VersionFacts } from './mark.ts';

/**
 * Retention rules, per repository prefix (the longest matching prefix applies). A pack version is
 * kept when ANY of the rule's conditions holds: among the newest `keepLast` versions, pushed on
 * or after `keepNewerThan` (or within `keepNewerThanDays`), or pointed at by a protected tag.
 * A rule with no keep condition keeps everything (it only protects). Repositories no rule
 * matches are never touched. Settings: gc/retention-settings.ts.
 */
export interface RetentionRule {
  /** Repository prefix ('' = every repository), e.g. `team-a/` or `team-a/spectro-packs/archive/nginx`. */
  prefix: string;
  keepLast?: number;
  /** ISO date or time. */
  keepNewerThan?: string;
  keepNewerThanDays?: number;
  /** Tags whose versions are never removed (e.g. `latest`, `stable`). */
  protectTags?: string[];
}

export interface RetentionVerdict {
  repository: string;
  version: string;
  manifestDigest: string;
  pushedAt: string;
}

function ruleFor(rules: readonly RetentionRule[], repository: string): RetentionRule | undefined {
  let best: RetentionRule | undefined;
  for (const r of rules) {
    const p = r.prefix;
    const matches =
      p === '' || repository === p.replace(/\/$/, '') || repository.startsWith(p.endsWith('/') ? p : `${p}/`);
    if (matches && (!best || p.length > best.prefix.length)) best = r;
  }
  return best;
}

/** The pack versions the rules retire, from the mark (newest first per repository). Pure. */
export function evaluateRetention(
  mark: MarkState,
  rules: readonly RetentionRule[],
  now: Date,
): RetentionVerdict[] {
  const out: RetentionVerdict[] = [];
  for (const [repository, versions] of Object.entries(mark.versions)) {
    const rule = ruleFor(rules, repository);
    if (!rule) continue;
    const cutoffs = [
      rule.keepNewerThan,
      rule.keepNewerThanDays === undefined
        ? undefined
        : new Date(now.getTime() - rule.keepNewerThanDays * 86_400_000).toISOString(),
    ].filter((c): c is string => c !== undefined);
    if (rule.keepLast === undefined && cutoffs.length === 0) continue;
    const cutoff = cutoffs.sort().at(0);
    const tags = mark.tags[repository] ?? {};
    const protectedDigests = new Set((rule.protectTags ?? []).map((t) => tags[t]).filter(Boolean));
    const newestFirst = [...versions].sort((a, b) => (a.versionKey < b.versionKey ? 1 : -1));
    newestFirst.forEach((v: VersionFacts, i) => {
      const keep =
        (rule.keepLast !== undefined && i < rule.keepLast) ||
        (cutoff !== undefined && Date.parse(v.pushedAt) >= Date.parse(cutoff)) ||
        protectedDigests.has(v.manifestDigest) ||
        (rule.protectTags ?? []).includes(v.version);
      if (!keep)
        out.push({ repository, version: v.version, manifestDigest: v.manifestDigest, pushedAt: v.pushedAt });
    });
  }
  return out;
}
