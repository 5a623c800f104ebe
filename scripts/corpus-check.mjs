// Lints the real published packs in ../shared/corpus and prints per-rule counts. Fails on any
// error finding, except those listed (with the reason the pack is truly broken) in
// corpus-known-broken.json — and fails if a listed one no longer occurs, so the list stays true.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(process.argv[2] ?? path.join(here, '..', '..', 'shared', 'corpus'));
if (!existsSync(corpus)) {
  console.error(`corpus not found at ${corpus}`);
  process.exit(process.env.CI ? 1 : 0);
}
const known = JSON.parse(readFileSync(path.join(here, 'corpus-known-broken.json'), 'utf8'));

let stdout;
try {
  stdout = execFileSync(
    process.execPath,
    [path.join(here, '..', 'bin', 'packyard.js'), 'lint', corpus, '--format', 'json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
} catch (err) {
  if (err.status !== 1 || !err.stdout) throw err;
  stdout = err.stdout; // exit 1 = error findings; judged below
}
const { findings, packs, summary } = JSON.parse(stdout);
const rel = (p) => path.relative(corpus, path.resolve(p)).split(path.sep).join('/');

const counts = new Map();
for (const f of findings) {
  const key = `${f.rule}\t${f.severity}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
console.log(`corpus: ${corpus}`);
console.log(`${packs.length} packs, ${summary.errors} errors, ${summary.warnings} warnings\n`);
console.log('rule                            severity  count');
for (const [key, n] of [...counts].sort()) {
  const [rule, sev] = key.split('\t');
  console.log(`${rule.padEnd(32)}${sev.padEnd(10)}${String(n).padStart(5)}`);
}

const unexpected = [];
const seenKnown = new Set();
for (const f of findings.filter((x) => x.severity === 'error')) {
  const pack = rel(f.pack);
  const k = known[pack];
  if (k && k.rule === f.rule && rel(f.file) === `${pack}/${k.file}`) seenKnown.add(pack);
  else unexpected.push(f);
}
const stale = Object.keys(known).filter((p) => !seenKnown.has(p));
if (seenKnown.size > 0) {
  console.log('\nknown broken packs (errors expected):');
  for (const p of seenKnown) console.log(`  ${p}: ${known[p].reason}`);
}
if (unexpected.length > 0) {
  console.error('\nunexpected errors:');
  for (const f of unexpected)
    console.error(`  ${f.file}${f.line ? `:${f.line}:${f.column}` : ''}  ${f.rule}  ${f.message}`);
}
if (stale.length > 0)
  console.error(`\nknown-broken entries that no longer fail (remove them): ${stale.join(', ')}`);
const ok = unexpected.length === 0 && stale.length === 0;
console.log(ok ? '\ncorpus check passed' : '\ncorpus check FAILED');
process.exit(ok ? 0 : 1);
