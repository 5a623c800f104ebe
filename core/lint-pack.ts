import { compareFindings, countBySeverity, type Finding } from './findings.ts';
import { lintLogo, lintReadme } from './lint/assets.ts';
import { lintCharts } from './lint/charts.ts';
import { LintContext } from './lint/context.ts';
import { lintManifests } from './lint/manifests.ts';
import { lintPackJson, type PackJson } from './lint/pack-json.ts';
import { lintPresets } from './lint/presets.ts';
import { lintSchemaYaml } from './lint/schema-yaml.ts';
import { lintEnabledPresets, lintValues } from './lint/values.ts';
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

/** Runs every rule over one pack tree. File paths in findings are relative to the pack root. */
export function lintPack(tree: PackTree): PackLint {
  const ctx = new LintContext(tree);
  for (const p of tree.problems) ctx.report(p.rule, p.path, p.message);
  const pack = lintPackJson(ctx);
  const manifestKeys = pack ? lintManifests(ctx, pack) : new Set<string>();
  const charts = pack ? lintCharts(ctx, pack) : { names: new Set<string>(), complete: false };
  const values = lintValues(ctx, pack, manifestKeys, {
    names: charts.names,
    complete: charts.complete && !!pack,
  });
  const presets = lintPresets(ctx);
  lintEnabledPresets(ctx, values.enabledPresets, presets);
  lintSchemaYaml(ctx);
  lintLogo(ctx);
  lintReadme(ctx);
  const findings = ctx.findings.sort(compareFindings);
  return {
    name: pack?.name,
    version: pack?.version,
    layer: pack?.layer,
    packJson: pack,
    findings,
    ...countBySeverity(findings),
  };
}
