import semver from 'semver';

/** OCI tag grammar: pack versions become tags, so anything else cannot be pushed. */
export const OCI_TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** OCI repository path component grammar: pack names become one. */
export const OCI_NAME_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;

// What Palette tolerates beyond strict semver: a leading "v", leading zeros, 1–4 numeric parts.
const LENIENT = /^v?\d+(\.\d+){0,3}(-[0-9A-Za-z.-]+)?$/;

export type VersionVerdict = { ok: true } | { ok: false; severity: 'error' | 'warning'; message: string };

export function checkPackVersion(version: string): VersionVerdict {
  // semver.valid() drops "+build" metadata and tolerates a leading "v": compare the exact text.
  const parsed = semver.parse(version);
  const strict =
    parsed !== null &&
    `${parsed.version}${parsed.build.length ? `+${parsed.build.join('.')}` : ''}` === version;
  if (strict) {
    return OCI_TAG.test(version)
      ? { ok: true }
      : {
          ok: false,
          severity: 'error',
          message: `version "${version}" has "+" build metadata, which OCI tags cannot hold; use "-" instead`,
        };
  }
  if (!LENIENT.test(version)) {
    return {
      ok: false,
      severity: 'error',
      message: `version "${version}" is not a semantic version (e.g. 1.2.3 or 1.2.3-rc.1)`,
    };
  }
  const bare = version.replace(/^v/, '');
  const suggestion = version.startsWith('v') && semver.valid(bare) ? ` (use "${bare}")` : '';
  const reasons: string[] = [];
  if (version.startsWith('v')) reasons.push('starts with "v"');
  if (/(^|\.)0\d/.test(bare.split('-')[0] ?? '')) reasons.push('has leading zeros');
  if ((bare.split('-')[0] ?? '').split('.').length !== 3) reasons.push('does not have exactly three parts');
  return {
    ok: false,
    severity: 'warning',
    message: `version "${version}" ${reasons.join(' and ')}; Palette accepts it but it is not strict semver, so tools may sort it wrongly${suggestion}`,
  };
}

/** Sort key order for versions: semver where it parses (1.10.0 after 1.9.0), else lexical last. */
export function compareVersions(a: string, b: string): number {
  const pa =
    semver.parse(a.replace(/^v/, ''), { loose: true }) ?? semver.coerce(a, { includePrerelease: true });
  const pb =
    semver.parse(b.replace(/^v/, ''), { loose: true }) ?? semver.coerce(b, { includePrerelease: true });
  if (pa && pb) return semver.compare(pa, pb) || (a < b ? -1 : a > b ? 1 : 0);
  if (pa) return 1;
  if (pb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A string whose byte order is the versions' semver order, for sorted index keys: numeric parts
 * zero-padded, a release after its prereleases. Versions that do not parse sort first, lexically.
 */
export function versionSortKey(version: string): string {
  const v =
    semver.parse(version.replace(/^v/, ''), { loose: true }) ??
    semver.coerce(version, { includePrerelease: true });
  if (!v) return `0!${version}`;
  const pad = (n: number) => String(n).padStart(12, '0');
  const pre = v.prerelease.length
    ? `-${v.prerelease.map((p) => (typeof p === 'number' ? `0${pad(p)}` : `1${p}`)).join('.')}`
    : '~';
  return `1!${pad(v.major)}.${pad(v.minor)}.${pad(v.patch)}${pre}!${version}`;
}

// Masterminds/semver v3 NewVersion, which Helm's Metadata.Validate uses for a chart's version:
// a leading "v", one to three numeric parts, an optional prerelease and build metadata.
const HELM_SEMVER =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** Whether Helm accepts a chart version (numeric prerelease parts may not have leading zeros). */
export function isHelmChartVersion(v: string): boolean {
  const m = HELM_SEMVER.exec(v);
  if (!m) return false;
  const nums = [m[1], m[2]?.slice(1), m[3]?.slice(1)].filter((x): x is string => x !== undefined);
  if (nums.some((n) => BigInt(n) > 18446744073709551615n)) return false; // ParseUint(…, 64)
  return (m[5] ?? '').split('.').every((p) => !/^0[0-9]+$/.test(p));
}
