import { promises as fs } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import ignore from 'ignore';
import { parse } from 'yaml';
import { gzipDeterministic } from '../core/gzip.ts';
import { compareBytes } from '../core/pack-tree.ts';
import { readTar, type TarEntryInput, writeTar } from '../core/tar.ts';
import { UsageError } from './io.ts';

/** A Helm chart read for `packyard init --chart`: identity, values, templates, and its .tgz. */
export interface ChartSource {
  name: string;
  version: string;
  appVersion?: string;
  valuesText?: string;
  /** Texts of the chart's templates (and its subcharts'), for literal image references. */
  templates: string[];
  /** Values of bundled subcharts (with their appVersion, the default image tag), for their images. */
  subchartValues: { valuesText: string; appVersion?: string }[];
  /** The chart as `helm package` would archive it: `<name>/…` inside a gzip tar. */
  tgz: Uint8Array;
}

const MAX_CHART_BYTES = 64 * 1024 * 1024;

/** A chart folder (packaged here, honouring .helmignore) or a chart .tgz (copied as it is). */
export async function readChartSource(input: string): Promise<ChartSource> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(input);
  } catch {
    throw new UsageError(`--chart ${input}: no such file or folder`);
  }
  if (stat.isDirectory()) return chartFromFolder(input);
  const bytes = await fs.readFile(input);
  return chartFromTgz(bytes, input);
}

function chartYaml(text: string | undefined, where: string) {
  if (text === undefined) throw new UsageError(`${where} has no Chart.yaml: is it a Helm chart?`);
  let doc: { name?: unknown; version?: unknown; appVersion?: unknown; apiVersion?: unknown };
  try {
    doc = (parse(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new UsageError(`${where}/Chart.yaml is not valid YAML: ${(err as Error).message}`);
  }
  if (typeof doc.name !== 'string' || !doc.name) throw new UsageError(`${where}/Chart.yaml has no name`);
  if (doc.version === undefined || doc.version === null || String(doc.version) === '')
    throw new UsageError(`${where}/Chart.yaml has no version`);
  const appVersion =
    doc.appVersion === undefined || doc.appVersion === null ? undefined : String(doc.appVersion);
  return { name: doc.name, version: String(doc.version), appVersion };
}

/** Files of a chart folder, relative, sorted, minus what .helmignore (and Helm itself) leaves out. */
async function chartFiles(dir: string): Promise<string[]> {
  const ig = ignore();
  try {
    ig.add(await fs.readFile(path.join(dir, '.helmignore'), 'utf8'));
  } catch {
    // no .helmignore
  }
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const d of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${d.name}` : d.name;
      if (d.isDirectory()) {
        if (!ig.ignores(`${p}/`)) await walk(p);
      } else if (d.isFile() && !ig.ignores(p)) out.push(p);
    }
  };
  await walk('');
  return out.sort(compareBytes);
}

async function chartFromFolder(dir: string): Promise<ChartSource> {
  const files = await chartFiles(dir);
  const read = (f: string) => fs.readFile(path.join(dir, f));
  const meta = chartYaml(
    files.includes('Chart.yaml') ? (await read('Chart.yaml')).toString('utf8') : undefined,
    dir,
  );
  const entries: TarEntryInput[] = [];
  const texts = new Map<string, string>();
  let total = 0;
  for (const f of files) {
    const data = await read(f);
    total += data.length;
    if (total > MAX_CHART_BYTES) throw new UsageError(`the chart ${dir} is larger than 64 MiB`);
    entries.push({ path: `${meta.name}/${f}`, type: 'file', mode: 0o644, data });
    if (/\.(ya?ml|tpl)$/i.test(f)) texts.set(f, data.toString('utf8'));
  }
  const tgz = await gzipDeterministic(writeTar(entries));
  return { ...meta, ...parts(texts), tgz };
}

function chartFromTgz(bytes: Buffer, where: string): ChartSource {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(bytes, { maxOutputLength: 4 * MAX_CHART_BYTES });
  } catch (err) {
    throw new UsageError(`--chart ${where} is not a gzip-compressed chart (.tgz): ${(err as Error).message}`);
  }
  const texts = new Map<string, string>();
  const tops = new Set<string>();
  try {
    readTar(tar, (e) => {
      const segs = e.path.replace(/^\.\//, '').split('/');
      if (segs[0]) tops.add(segs[0]);
      const rel = segs.slice(1).join('/');
      if (e.type === 'File' && /\.(ya?ml|tpl)$/i.test(rel)) texts.set(rel, e.data.toString('utf8'));
    });
  } catch (err) {
    throw new UsageError(`--chart ${where} is not a readable tar archive: ${(err as Error).message}`);
  }
  if (tops.size !== 1)
    throw new UsageError(`--chart ${where} has ${tops.size} top-level folders; a chart archive has one`);
  const meta = chartYaml(texts.get('Chart.yaml'), where);
  return { ...meta, ...parts(texts), tgz: bytes };
}

/** Splits a chart's YAML texts: its values, its templates, its subcharts' values and templates. */
function parts(texts: Map<string, string>) {
  const templates: string[] = [];
  const subchartValues: ChartSource['subchartValues'] = [];
  for (const [f, text] of texts) {
    if (/^(charts\/[^/]+\/)*templates\//.test(f)) templates.push(text);
    const sub = /^((?:charts\/[^/]+\/)+)values\.ya?ml$/.exec(f);
    if (sub) {
      let appVersion: string | undefined;
      try {
        const doc = parse(texts.get(`${sub[1]}Chart.yaml`) ?? '') as { appVersion?: unknown } | null;
        appVersion = doc?.appVersion == null ? undefined : String(doc.appVersion);
      } catch {
        // no usable Chart.yaml: tagless images of this subchart are left out
      }
      subchartValues.push({ valuesText: text, appVersion });
    }
  }
  return { valuesText: texts.get('values.yaml'), templates, subchartValues };
}
