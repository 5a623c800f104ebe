import semver from 'semver';
import type { Finding } from './findings.ts';
import { parseJson } from './parse-json.ts';
import { compareVersions } from './version.ts';

/**
 * What merging would do to one pack, decided against what the registry holds:
 * - new-pack: the registry has no version of this pack;
 * - new-version: this version is not published and is not lower than the newest;
 * - unchanged: this version is published with the same content;
 * - changed-without-bump: this version is published with other content (versions are
 *   immutable, so the publish after merge would fail);
 * - version-lower: this version is not published and is lower than the newest published;
 * - unknown: the registry could not say (the plan cannot tell; the publish decides).
 */
export type PlanKind =
  | 'new-pack'
  | 'new-version'
  | 'unchanged'
  | 'changed-without-bump'
  | 'version-lower'
  | 'unknown';

export const PLAN_ERRORS: ReadonlySet<PlanKind> = new Set(['changed-without-bump', 'version-lower']);

/** What the registry holds of one pack, as far as the plan needs it. */
export interface PublishedFacts {
  /** Every published version, any order; empty when the pack is not published. */
  versions: readonly string[];
  /**
   * This version's content as published, when it is: `same` when the content (or manifest)
   * digest matches this pack's, `different` when it does not, `unknown` when the registry
   * recorded nothing to compare with.
   */
  thisVersion?: 'same' | 'different' | 'unknown';
}

export interface PlanVerdict {
  kind: PlanKind;
  /** The newest published version (semver order), when there is one. */
  newest?: string;
  /** The version to bump to when the verdict is an error: the patch after the newest. */
  suggestedVersion?: string;
  /** One readable sentence: what merging does, or what is wrong and how to fix it. */
  reason: string;
}

/** The plan verdict for `version` of a pack, given what the registry holds. */
export function classifyPack(version: string, facts: PublishedFacts): PlanVerdict {
  const newest = [...facts.versions].sort(compareVersions).at(-1);
  if (!newest) return { kind: 'new-pack', reason: 'new pack: no version is published yet' };
  const published = facts.versions.includes(version);
  if (published) {
    if (facts.thisVersion === 'same')
      return { kind: 'unchanged', newest, reason: `unchanged: ${version} is published with this content` };
    if (facts.thisVersion === 'unknown' || facts.thisVersion === undefined)
      return {
        kind: 'unknown',
        newest,
        reason: `${version} is published, but the registry records no content digest to compare; the publish decides by manifest digest`,
      };
    const next = nextPatch(newest);
    return {
      kind: 'changed-without-bump',
      newest,
      suggestedVersion: next,
      reason: `content changed without a version bump: ${version} is already published with other content, and versions are immutable; bump "version" in pack.json${next ? ` to ${next}` : ''}`,
    };
  }
  if (compareVersions(version, newest) < 0) {
    const next = nextPatch(newest);
    return {
      kind: 'version-lower',
      newest,
      suggestedVersion: next,
      reason: `version ${version} is lower than the newest published ${newest}; bump "version" in pack.json${next ? ` to ${next}` : ''}`,
    };
  }
  return { kind: 'new-version', newest, reason: `new version: ${newest} → ${version}` };
}

/** The patch release after `version` (1.2.3 → 1.2.4; 1.2.3-rc.1 → 1.2.3), or undefined when it is not semver. */
export function nextPatch(version: string): string | undefined {
  const v = semver.parse(version.replace(/^v/, ''), { loose: true }) ?? semver.coerce(version);
  return v ? (semver.inc(v.version, 'patch') ?? undefined) : undefined;
}

/** Rule ids of the plan's findings (annotated like lint findings). */
export const PLAN_RULES = {
  'changed-without-bump': 'plan/version-not-bumped',
  'version-lower': 'plan/version-lower',
} as const;

/**
 * The finding for an error verdict, on the `"version"` value of pack.json (line and column
 * from its text; the file's first line when the text does not parse), or undefined otherwise.
 */
export function planFinding(verdict: PlanVerdict, packJsonText: string | undefined): Finding | undefined {
  if (verdict.kind !== 'changed-without-bump' && verdict.kind !== 'version-lower') return undefined;
  const parsed = packJsonText === undefined ? undefined : parseJson(packJsonText);
  const pos = parsed?.ok ? parsed.doc.positionOf(['version']) : { line: 1, column: 1 };
  return {
    rule: PLAN_RULES[verdict.kind],
    severity: 'error',
    file: 'pack.json',
    line: pos.line,
    column: pos.column,
    message: verdict.reason,
  };
}
