import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import semver from 'semver';
import { readChartArchive } from '../chart-archive.ts';
import { parseJson } from '../parse-json.ts';
import { parseYaml } from '../parse-yaml.ts';
import { isPlainObject, LIMITS, type LintContext, unsafePathReason } from './context.ts';
import type { PackJson } from './pack-json.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ChartsResult {
  /** Chart names (from Chart.yaml) values.yaml may configure under charts.<name>. */
  names: Set<string>;
  /** False when a chart could not be read, so its name is unknown. */
  complete: boolean;
}

export function lintCharts(ctx: LintContext, pack: PackJson): ChartsResult {
  const names = new Set<string>();
  let complete = true;
  for (const [i, p] of pack.charts.entries()) {
    const at = pack.at(['charts', i]);
    const unsafe = unsafePathReason(p);
    if (unsafe) {
      ctx.report('chart/path', 'pack.json', `charts entry "${p}" ${unsafe}; name a .tgz inside the pack`, at);
      complete = false;
      continue;
    }
    if (!ctx.isFile(p)) {
      const what =
        ctx.entry(p)?.type === 'directory'
          ? 'is a folder; package it with "helm package"'
          : 'is not in the pack';
      ctx.report('chart/missing', 'pack.json', `charts entry "${p}" ${what}`, at);
      complete = false;
      continue;
    }
    const name = lintChartArchive(ctx, p);
    if (name) names.add(name);
    else complete = false;
  }
  return { names, complete };
}

function lintChartArchive(ctx: LintContext, file: string): string | undefined {
  const bytes = ctx.bytes(file, LIMITS.chartArchive);
  if (!bytes) return undefined;
  const res = readChartArchive(bytes, LIMITS.chartInflated);
  if (!res.ok) {
    ctx.report('chart/archive', file, `${res.reason}`);
    return undefined;
  }
  const { chart } = res;
  if (chart.chartYaml === undefined) {
    ctx.report('chart/chart-yaml', file, `has no ${chart.dir}/Chart.yaml; a Helm chart needs one`);
    return undefined;
  }
  const parsed = parseYaml(chart.chartYaml);
  const doc = parsed.ok ? parsed.docs[0]?.value : undefined;
  if (!parsed.ok || !isPlainObject(doc)) {
    const why = parsed.ok
      ? 'is not a mapping'
      : `is not valid YAML (line ${parsed.error.position.line}: ${parsed.error.message})`;
    ctx.report('chart/chart-yaml', file, `${chart.dir}/Chart.yaml ${why}`);
    return undefined;
  }
  const problems: string[] = [];
  if (typeof doc.name !== 'string' || doc.name === '') problems.push('has no name');
  const version = typeof doc.version === 'number' ? String(doc.version) : doc.version;
  if (typeof version !== 'string' || !semver.valid(version, { loose: true })) {
    problems.push(`version ${JSON.stringify(doc.version ?? null)} is not semver`);
  }
  if (doc.apiVersion !== 'v1' && doc.apiVersion !== 'v2') {
    problems.push(`apiVersion ${JSON.stringify(doc.apiVersion ?? null)} is not "v1" or "v2"`);
  }
  if (problems.length > 0)
    ctx.report('chart/chart-yaml', file, `${chart.dir}/Chart.yaml ${problems.join(', ')}`);
  if (chart.valuesSchemaJson !== undefined)
    lintChartValues(ctx, file, chart.dir, chart.valuesYaml, chart.valuesSchemaJson);
  return typeof doc.name === 'string' && doc.name !== '' ? doc.name : undefined;
}

function lintChartValues(
  ctx: LintContext,
  file: string,
  dir: string,
  valuesYaml: string | undefined,
  schemaText: string,
): void {
  // parseJson bounds the nesting depth: ajv compiles schemas recursively.
  const parsedSchema = parseJson(schemaText);
  if (!parsedSchema.ok) {
    const e = parsedSchema.error;
    ctx.report(
      'chart/values-schema',
      file,
      `${dir}/values.schema.json is not valid JSON (line ${e.position.line}: ${e.message})`,
    );
    return;
  }
  const schema = parsedSchema.doc.value;
  const parsed = parseYaml(valuesYaml ?? '');
  if (!parsed.ok) {
    ctx.report('chart/values-schema', file, `${dir}/values.yaml is not valid YAML: ${parsed.error.message}`);
    return;
  }
  const values = parsed.docs[0]?.value ?? {};
  let errors: ErrorObject[] | null | undefined;
  try {
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(schema as object);
    errors = validate(values) ? [] : validate.errors;
  } catch (err) {
    ctx.report(
      'chart/values-schema',
      file,
      `${dir}/values.schema.json cannot be compiled: ${(err as Error).message}`,
      undefined,
      'warning',
    );
    return;
  }
  for (const e of (errors ?? []).slice(0, 10)) {
    ctx.report(
      'chart/values-schema',
      file,
      `${dir}/values.yaml${e.instancePath ? ` at ${e.instancePath}` : ''} ${e.message ?? 'is invalid'} (per ${dir}/values.schema.json)`,
    );
  }
}
