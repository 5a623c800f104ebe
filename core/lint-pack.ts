import { compareFindings, countBySeverity, type Finding } from './findings.ts';
import { lintLogo, lintReadme } from './lint/assets.ts';
import { lintCharts } from './lint/charts.ts';
import { isPlainObject, LintContext } from './lint/context.ts';
import { lintManifests } from './lint/manifests.ts';
import { lintPackJson, type PackJson } from './lint/pack-json.ts';
import { lintPresets } from './lint/presets.ts';
import { lintSchemaYaml } from './lint/schema-yaml.ts';
import { lintUnreferenced } from './lint/unreferenced.ts';
import { lintEnabledPresets, lintValues, readValues } from './lint/values.ts';
import { applyPolicy, type PackPolicy } from './lint-policy.ts';
import type { PackTree } from './pack-tree.ts';

export interface PackLint {
  name?: string;
  version?: string;
  layer?: string;
  packJson?: PackJson;
  findings: Finding[];
  errors: number;
  warnings: number;
}

/**
 * Runs every rule over one pack tree, then the policy (a `.packyard.yaml`'s severities and
 * ignores) and inline `# packyard-ignore` comments. File paths in findings are relative to the pack root.
 */
export function lintPack(tree: PackTree, policy?: PackPolicy): PackLint {
  const ctx = new LintContext(tree);
  for (const p of tree.problems) ctx.report(p.rule, p.path, p.message);
  const pack = lintPackJson(ctx);
  const manifests = pack ? lintManifests(ctx, pack) : { keys: new Set<string>(), images: [] };
  const values = readValues(ctx);
  const packCharts = isPlainObject(values.values?.charts) ? values.values.charts : undefined;
  const charts = pack
    ? lintCharts(ctx, pack, packCharts)
    : { names: new Set<string>(), charts: [], complete: false };
  if (pack) lintUnreferenced(ctx, pack, charts.names);
  lintValues(ctx, values, pack, manifests.keys, charts, manifests.images);
  const presets = lintPresets(ctx);
  lintEnabledPresets(ctx, values.enabledPresets, presets);
  lintSchemaYaml(ctx);
  lintLogo(ctx);
  lintReadme(ctx);
  const findings = applyPolicy(ctx.findings, policy, (f) => ctx.linesOf(f), { name: pack?.name }).sort(
    compareFindings,
  );
  return {
    name: pack?.name,
    version: pack?.version,
    layer: pack?.layer,
    packJson: pack,
    findings,
    ...countBySeverity(findings),
  };
}
