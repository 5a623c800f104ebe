import path from 'node:path';
import zlib from 'node:zlib';
import { readTar, TarFormatError } from './tar.ts';

/** The parts of a Helm chart archive the linter reads. */
export interface ChartArchive {
  /** The archive's top-level folder (helm package names it after the chart), for messages. */
  dir: string;
  /** Every distinct first path component: Helm strips it from each entry and merges the rest. */
  tops: string[];
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
  // As Helm's loader (pkg/chart/loader/archive.go LoadArchiveFiles) reads it: directories and
  // pax headers skipped, the first path component of every entry stripped whatever it is ("./",
  // "mychart/"), then absolute paths, ".." and files outside any folder refused.
  const tops = new Set<string>();
  const files = new Map<string, string>();
  let count = 0;
  try {
    readTar(tarBytes, (entry) => {
      if (entry.type === 'Directory') return;
      const delimiter = entry.path.includes('\\') ? '\\' : '/';
      const parts = entry.path.split(delimiter);
      const rest = parts.slice(1).join('/');
      if (rest.startsWith('/')) throw new TarFormatError(`entry "${entry.path}" is an absolute path`);
      const n = path.posix.normalize(rest).replace(/\/$/, '');
      if (n === '.' || n === '')
        throw new TarFormatError(`entry "${entry.path}" is outside the chart folder (Helm refuses it)`);
      if (n.startsWith('..')) throw new TarFormatError(`entry "${entry.path}" climbs out with ".."`);
      if (parts[0] === 'Chart.yaml')
        throw new TarFormatError(
          'Chart.yaml is not inside a folder (Helm: "chart yaml not in base directory")',
        );
      tops.add(parts[0] ?? '');
      count++;
      // A later entry of the same name replaces an earlier one, as in Helm's LoadFiles.
      if (WANTED.has(n) && entry.type === 'File' && entry.size <= MAX_WANTED_FILE) {
        files.set(n, stripBom(entry.data.toString('utf8')));
      }
    });
  } catch (err) {
    return { ok: false, reason: `is not a chart archive Helm can load (${(err as Error).message})` };
  }
  if (count === 0) return { ok: false, reason: 'has no files (Helm: "no files in chart archive")' };
  const named = [...tops].filter((t) => t !== '.' && t !== '');
  return {
    ok: true,
    chart: {
      dir: named[0] ?? '.',
      tops: [...tops],
      chartYaml: files.get('Chart.yaml'),
      valuesYaml: files.get('values.yaml'),
      valuesSchemaJson: files.get('values.schema.json'),
    },
  };
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
