import path from 'node:path';
import { compareFindings, countBySeverity, type Finding, finding } from './findings.ts';
import { lintPack, type PackLint } from './lint-pack.ts';
import { applyPolicy, type PackPolicy } from './lint-policy.ts';
import { type PackTree, readPackTree } from './pack-tree.ts';

/** A finding as reported to users: paths relative to where the linter was pointed. */
export interface ReportedFinding extends Finding {
  pack: string;
}

export interface PackReport extends PackLint {
  /** The pack folder, as a display path. */
  pack: string;
  dir: string;
  tree: PackTree;
}

export interface LintRun {
  packs: PackReport[];
  findings: ReportedFinding[];
  errors: number;
  warnings: number;
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export interface LintPacksOptions {
  /** Called as each pack finishes, before duplicates across packs are known (lets build start early). */
  onPack?: (report: PackReport) => void;
  /** The trees of `dirs`, when the caller has read them already. */
  trees?: readonly PackTree[];
  /** The lint policy (from `.packyard.yaml`) of each pack folder; see lint-config-file.ts. */
  policyFor?: (dir: string) => PackPolicy | undefined;
}

export async function lintPackDirs(dirs: readonly string[], opts: LintPacksOptions = {}): Promise<LintRun> {
  const trees = opts.trees ?? dirs.map((dir) => readPackTree(dir));
  // Largest packs first: whoever consumes onPack (packaging) then gets the long jobs early.
  const order = trees
    .map((_, i) => i)
    .sort((a, b) => treeBytes(trees[b] as PackTree) - treeBytes(trees[a] as PackTree));
  const packs = new Array<PackReport>(dirs.length);
  const policies = dirs.map((d) => opts.policyFor?.(d));
  for (const i of order) {
    const dir = dirs[i] as string;
    const tree = trees[i] as PackTree;
    const report: PackReport = { ...lintPack(tree, policies[i]), pack: toPosix(dir), dir, tree };
    opts.onPack?.(report);
    packs[i] = report;
    // Linting is synchronous; yield between packs so work started by onPack (compression on
    // worker threads) reports back and the next job can start.
    await new Promise((resolve) => setImmediate(resolve));
  }
  flagDuplicates(packs, policies);
  const findings = packs.flatMap((p) => p.findings.map((f) => reportedFinding(p, f)));
  return { packs, findings, ...countBySeverity(findings) };
}

/** Rebuilds a run's findings and counts from its packs' (after a later check added findings to them). */
export function recountRun(run: LintRun): void {
  run.findings = run.packs.flatMap((p) => p.findings.map((f) => reportedFinding(p, f)));
  Object.assign(run, countBySeverity(run.findings));
}

/** A pack-relative finding with its pack and a display-relative path. */
export function reportedFinding(p: PackReport, f: Finding): ReportedFinding {
  return { pack: p.pack, ...f, file: displayPath(p, f.file) };
}

/** A pack-relative path as shown to users (relative to where the linter was pointed). */
export function displayPath(p: { pack: string }, file: string): string {
  return p.pack === '.' ? file : `${p.pack}/${file}`;
}

function treeBytes(tree: PackTree): number {
  let n = 0;
  for (const e of tree.entries) n += e.size;
  return n;
}

function flagDuplicates(packs: PackReport[], policies: readonly (PackPolicy | undefined)[]): void {
  const byKey = new Map<string, PackReport[]>();
  for (const p of packs) {
    if (!p.name || !p.version) continue;
    const key = `${p.name}@${p.version}`;
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  for (const [key, group] of byKey) {
    if (group.length < 2) continue;
    for (const p of group) {
      const others = group.filter((o) => o !== p).map((o) => o.pack);
      const found = [
        finding(
          'pack-json/duplicate',
          'error',
          'pack.json',
          `${key} is also defined by ${others.join(', ')}; a registry holds one pack per name and version`,
          p.packJson?.at(['version']),
        ),
      ];
      p.findings.push(...applyPolicy(found, policies[packs.indexOf(p)], () => undefined, { name: p.name }));
      p.findings.sort(compareFindings);
      Object.assign(p, countBySeverity(p.findings));
    }
  }
}
