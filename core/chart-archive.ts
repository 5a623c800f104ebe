import zlib from 'node:zlib';
import { ArchiveLayout, normaliseEntryPath } from './archive-paths.ts';
import { MAX_TREE_ENTRIES } from './pack-tree.ts';
import { readTar, TarFormatError } from './tar.ts';

/** The parts of a Helm chart archive the linter reads. */
export interface ChartArchive {
  /** The archive's single top-level folder (Helm names it after the chart). */
  dir: string;
  chartYaml?: string;
  valuesYaml?: string;
  valuesSchemaJson?: string;
}

export type ChartArchiveResult = { ok: true; chart: ChartArchive } | { ok: false; reason: string };

const WANTED = new Set(['Chart.yaml', 'values.yaml', 'values.schema.json']);
const MAX_WANTED_FILE = 8 * 1024 * 1024;

/** Reads a chart .tgz in memory with a bound on the inflated size (gzip bombs stop there). */
export function readChartArchive(bytes: Uint8Array, maxInflated: number): ChartArchiveResult {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    return { ok: false, reason: 'is not gzip-compressed (a chart must be a .tgz made by "helm package")' };
  }
  let tarBytes: Buffer;
  try {
    // Synchronous on purpose: inflating is fast, and the thread pool may be busy compressing archives.
    tarBytes = zlib.gunzipSync(bytes, { maxOutputLength: maxInflated });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (
      e.code === 'ERR_BUFFER_TOO_LARGE' ||
      /Cannot create a Buffer larger|maxOutputLength/i.test(e.message)
    ) {
      return {
        ok: false,
        reason: `inflates to more than ${maxInflated / 1024 / 1024} MiB; it looks like a gzip bomb`,
      };
    }
    return { ok: false, reason: `is a corrupt gzip stream (${e.message})` };
  }
  const tops = new Set<string>();
  const files = new Map<string, string>();
  const layout = new ArchiveLayout();
  try {
    readTar(
      tarBytes,
      (entry) => {
        // The same path rules as pack archives: one entry per path, so what is linted is what Helm loads.
        const norm = normaliseEntryPath(entry.path);
        if (!norm.ok) throw new TarFormatError(norm.reason);
        if (norm.path === '') return;
        const dir = entry.typeflag === '5';
        const why = layout.add(norm.path, dir ? 'directory' : 'file', entry.path);
        if (why) throw new TarFormatError(why);
        const segs = norm.path.split('/');
        if (segs[0]) tops.add(segs[0]);
        const rel = segs.slice(1).join('/');
        if (segs.length === 2 && WANTED.has(rel) && entry.type === 'File' && entry.size <= MAX_WANTED_FILE) {
          files.set(`${segs[0]}/${rel}`, entry.data.toString('utf8'));
        }
      },
      { maxEntries: MAX_TREE_ENTRIES },
    );
  } catch (err) {
    if (!(err instanceof TarFormatError)) throw err;
    return { ok: false, reason: `is not a readable tar archive (${err.message})` };
  }
  if (tops.size === 0) return { ok: false, reason: 'is an empty archive' };
  if (tops.size > 1) {
    return {
      ok: false,
      reason: `has ${tops.size} top-level folders (${[...tops].slice(0, 3).join(', ')}…); a chart archive has exactly one`,
    };
  }
  const dir = [...tops][0] as string;
  return {
    ok: true,
    chart: {
      dir,
      chartYaml: files.get(`${dir}/Chart.yaml`),
      valuesYaml: files.get(`${dir}/values.yaml`),
      valuesSchemaJson: files.get(`${dir}/values.schema.json`),
    },
  };
}
