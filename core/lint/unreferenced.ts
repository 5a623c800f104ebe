import type { LintContext } from './context.ts';
import type { PackJson } from './pack-json.ts';

const MAX_REPORTED = 10;

/**
 * Files under manifests/ or charts/ that no kubeManifests or charts entry names: Palette never
 * deploys them. A chart's source folder next to its archive (charts/<chart>/ beside
 * charts/<chart>-1.0.0.tgz, as pack-central keeps them) is not a stray file.
 */
export function lintUnreferenced(ctx: LintContext, pack: PackJson, chartNames: ReadonlySet<string>): void {
  const named = new Set([...pack.kubeManifests, ...pack.charts]);
  const archives = pack.charts.map((c) => c.slice(c.lastIndexOf('/') + 1));
  const stray: string[] = [];
  const seenFolders = new Set<string>();
  for (const e of ctx.tree.entries) {
    if (e.type !== 'file' || named.has(e.path) || /(^|\/)(\.[^/]*|README(\.md)?)$/i.test(e.path)) continue;
    if (e.path.startsWith('manifests/')) stray.push(e.path);
    else if (e.path.startsWith('charts/')) {
      const seg = e.path.split('/')[1] as string;
      if (e.path === `charts/${seg}`) {
        stray.push(e.path);
        continue;
      }
      const folder = `charts/${seg}/`;
      if (seenFolders.has(folder)) continue;
      seenFolders.add(folder);
      const isSource =
        chartNames.has(seg) || archives.some((a) => a.startsWith(`${seg}-`) || a === `${seg}.tgz`);
      if (!isSource && ![...named].some((n) => n.startsWith(folder))) stray.push(folder);
    }
  }
  for (const [i, p] of stray.entries()) {
    if (i === MAX_REPORTED) {
      ctx.report(
        'file/unreferenced',
        p,
        `and ${stray.length - MAX_REPORTED} more files are referenced by nothing`,
      );
      return;
    }
    const list = p.startsWith('manifests/') ? 'kubeManifests' : 'charts';
    const what = p.endsWith('/') ? 'this folder' : 'this file';
    ctx.report(
      'file/unreferenced',
      p,
      `no ${list} entry in pack.json names ${what}, so Palette never deploys it; add it to "${list}"${p.endsWith('/') ? ' (as a .tgz made by "helm package")' : ''} or remove it`,
    );
  }
}
