import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readChartArchive } from '../chart-archive.ts';
import { parseJson } from '../parse-json.ts';
import { parseYamlAsGo } from '../parse-yaml.ts';
import { isHelmChartVersion } from '../version.ts';
import { type ChartValuesScan, scanChartValues } from './chart-values-scan.ts';
import { isPlainObject, LIMITS, type LintContext, unsafePathReason } from './context.ts';
import type { PackJson } from './pack-json.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ChartInfo {
  name: string;
  file: string;
  /** Top-level keys and image settings of the chart's own values.yaml (its defaults). */
  scan: ChartValuesScan;
}

export interface ChartsResult {
  /** Chart names (from Chart.yaml) values.yaml may configure under charts.<name>. */
  names: Set<string>;
  charts: ChartInfo[];
  /** False when a chart could not be read, so its name is unknown. */
  complete: boolean;
}

/**
 * Checks every charts entry as Helm loads it. `packCharts` is values.yaml's charts: section: Palette
 * passes charts.<name> to Helm over the chart's defaults, so that is what the schema must accept.
 */
export function lintCharts(
  ctx: LintContext,
  pack: PackJson,
  packCharts: Record<string, unknown> | undefined,
): ChartsResult {
  const result: ChartsResult = { names: new Set(), charts: [], complete: true };
  for (const [i, p] of pack.charts.entries()) {
    const at = pack.at(['charts', i]);
    const unsafe = unsafePathReason(p);
    if (unsafe) {
      ctx.report('chart/path', 'pack.json', `charts entry "${p}" ${unsafe}; name a .tgz inside the pack`, at);
      result.complete = false;
      continue;
    }
    if (!ctx.isFile(p)) {
      const what =
        ctx.entry(p)?.type === 'directory'
          ? 'is a folder; package it with "helm package"'
          : 'is not in the pack';
      ctx.report('chart/missing', 'pack.json', `charts entry "${p}" ${what}`, at);
      result.complete = false;
      continue;
    }
    const chart = lintChartArchive(ctx, p, packCharts);
    if (chart) {
      result.names.add(chart.name);
      result.charts.push(chart);
    } else result.complete = false;
  }
  return result;
}

function lintChartArchive(
  ctx: LintContext,
  file: string,
  packCharts: Record<string, unknown> | undefined,
): ChartInfo | undefined {
  const bytes = ctx.bytes(file, LIMITS.chartArchive);
  if (!bytes) return undefined;
  const res = readChartArchive(bytes, LIMITS.chartInflated);
  if (!res.ok) {
    ctx.report('chart/archive', file, `${res.reason}`);
    return undefined;
  }
  const { chart } = res;
  if (chart.tops.length > 1) {
    ctx.report(
      'chart/archive-layout',
      file,
      `has ${chart.tops.length} top-level entries (${chart.tops.slice(0, 3).join(', ')}); Helm merges them into one chart — repackage it with "helm package"`,
    );
  }
  if (chart.chartYaml === undefined) {
    ctx.report(
      'chart/chart-yaml',
      file,
      `has no ${chart.dir}/Chart.yaml; Helm's loader refuses a chart without one ("Chart.yaml file is missing")`,
    );
    return undefined;
  }
  const parsed = parseYamlAsGo(chart.chartYaml);
  const doc = parsed.ok ? parsed.docs[0]?.value : undefined;
  if (!parsed.ok || !isPlainObject(doc)) {
    const why = parsed.ok
      ? 'is not a mapping'
      : `is not valid YAML (line ${parsed.error.position.line}: ${parsed.error.message})`;
    ctx.report('chart/chart-yaml', file, `${chart.dir}/Chart.yaml ${why}`);
    return undefined;
  }
  if (parsed.goOnly) reportGoOnly(ctx, file, `${chart.dir}/Chart.yaml`, parsed.goOnly.lines);
  const problems: string[] = [];
  const name = typeof doc.name === 'string' ? doc.name : undefined;
  if (!name) problems.push('has no name');
  else if (name === '.' || name === '..' || name.includes('/') || name.includes('\\'))
    problems.push(`name "${name}" is not a plain name`);
  // sigs.k8s.io/yaml turns a number into the string field Version (1.0 becomes "1").
  const version = typeof doc.version === 'number' ? String(doc.version) : doc.version;
  if (typeof version !== 'string' || version === '') problems.push('has no version');
  else if (!isHelmChartVersion(version))
    problems.push(
      `version ${JSON.stringify(version)} is not a version Helm parses (e.g. 1.2.3, 1.2, v1.2.3-rc.1)`,
    );
  if (
    doc.type !== undefined &&
    doc.type !== null &&
    doc.type !== '' &&
    doc.type !== 'application' &&
    doc.type !== 'library'
  )
    problems.push(`type ${JSON.stringify(doc.type)} is not "application" or "library"`);
  if (problems.length > 0) {
    ctx.report(
      'chart/chart-yaml',
      file,
      `${chart.dir}/Chart.yaml ${problems.join(', ')}; Helm refuses to load the chart`,
    );
  }
  if (doc.apiVersion === undefined || doc.apiVersion === null || doc.apiVersion === '') {
    ctx.report(
      'chart/api-version',
      file,
      `${chart.dir}/Chart.yaml has no apiVersion; Helm loads it as a v1 chart, but add "apiVersion: v2" (Helm 3)`,
    );
  } else if (doc.apiVersion !== 'v1' && doc.apiVersion !== 'v2') {
    ctx.report(
      'chart/api-version',
      file,
      `${chart.dir}/Chart.yaml apiVersion ${JSON.stringify(doc.apiVersion)} is not "v1" or "v2"; Helm's loader accepts it but helm lint refuses it`,
    );
  }
  // Parsed in full only to validate against a schema; the other checks read a line scan.
  if (chart.valuesSchemaJson !== undefined) {
    const defaults = chartDefaults(chart.valuesYaml);
    if (defaults.ok) {
      const own = name && packCharts ? packCharts[name] : undefined;
      const values = isPlainObject(own) ? coalesce(defaults.values, own) : defaults.values;
      lintChartValues(ctx, file, chart.dir, values, chart.valuesSchemaJson, isPlainObject(own));
    } else {
      ctx.report(
        'chart/values-schema',
        file,
        `${chart.dir}/values.yaml is not valid YAML: ${defaults.message}`,
      );
    }
  }
  return name ? { name, file, scan: scanChartValues(chart.valuesYaml ?? '') } : undefined;
}

function chartDefaults(
  text: string | undefined,
): { ok: true; values: Record<string, unknown> } | { ok: false; message: string } {
  if (text === undefined) return { ok: true, values: {} };
  const parsed = parseYamlAsGo(text, { uniqueKeys: false });
  if (!parsed.ok) return { ok: false, message: parsed.error.message };
  const v = parsed.docs[0]?.value;
  return { ok: true, values: isPlainObject(v) ? v : {} };
}

/** Helm's coalescing of user values over chart defaults: maps merge, null deletes, the rest replaces. */
export function coalesce(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else if (isPlainObject(v) && isPlainObject(out[k]))
      out[k] = coalesce(out[k] as Record<string, unknown>, v);
    else out[k] = v;
  }
  return out;
}

function reportGoOnly(ctx: LintContext, file: string, inner: string, lines: number[]): void {
  ctx.report(
    'yaml/go-only',
    file,
    `${inner} line ${lines.join(', ')}: a quoted string continues on a line indented less than its key; Go's YAML parser (Helm) accepts it, strict YAML 1.2 parsers do not — indent the continuation`,
  );
}

function lintChartValues(
  ctx: LintContext,
  file: string,
  dir: string,
  values: Record<string, unknown>,
  schemaText: string,
  withPackValues: boolean,
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
  let errors: ErrorObject[] | null | undefined;
  try {
    const validate = compileValuesSchema(schemaText, schema as object);
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
  const source = withPackValues ? `${dir}/values.yaml with the pack's values` : `${dir}/values.yaml`;
  const awaiting: string[] = [];
  const failing: ErrorObject[] = [];
  for (const e of errors ?? []) {
    if (awaitsInput(values, e)) awaiting.push(e.instancePath || '/');
    else failing.push(e);
  }
  for (const e of failing.slice(0, 10)) {
    ctx.report(
      'chart/values-schema',
      file,
      `${source}${e.instancePath ? ` at ${e.instancePath}` : ''} ${e.message ?? 'is invalid'} (per ${dir}/values.schema.json); Helm refuses to install with these values`,
    );
  }
  if (awaiting.length > 0) {
    const paths = [...new Set(awaiting)];
    ctx.report(
      'chart/values-awaiting-input',
      file,
      `${source} leave${paths.length === 1 ? 's' : ''} ${paths.join(', ')} empty where ${dir}/values.schema.json wants a value; Helm installs once the user fills ${paths.length === 1 ? 'it' : 'them'} in`,
    );
  }
}

// Compiled validators by schema text: the versions of one chart (and packs sharing a chart) usually
// carry the same values.schema.json, and compiling is most of the schema check's cost.
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 64;

function compileValuesSchema(text: string, schema: object): ValidateFunction {
  let v = compiled.get(text);
  if (!v) {
    // One Ajv per schema: schemas of different charts may reuse the same $id.
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    addFormats(ajv);
    v = ajv.compile(schema);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(text, v);
  }
  return v;
}

/** An error on an empty string or null: a value the chart leaves for the user to provide. */
function awaitsInput(values: unknown, e: ErrorObject): boolean {
  let v: unknown = values;
  for (const seg of e.instancePath.split('/').slice(1)) {
    const key = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    v = isPlainObject(v) ? v[key] : Array.isArray(v) ? v[Number(key)] : undefined;
  }
  if (v === '') return ['minLength', 'pattern', 'format', 'enum', 'const', 'type'].includes(e.keyword);
  return v === null && e.keyword === 'type';
}
