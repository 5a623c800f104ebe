// Runs every benchmark in bench/ and rewrites bench/RESULTS.md with their results.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.resolve(process.env.PACKYARD_CORPUS ?? path.join(here, '..', '..', 'shared', 'corpus'));
if (!existsSync(corpus)) {
  console.error(`benchmarks need the corpus at ${corpus} (set PACKYARD_CORPUS)`);
  process.exit(1);
}
const only = process.argv.slice(2);
const benches = ['lint-build', 'registry', 'publish'].filter((b) => only.length === 0 || only.includes(b));

const m = machine();
const sections = [];
for (const name of benches) {
  console.error(`running ${name}…`);
  const mod = await import(`./${name}.bench.mjs`);
  const result = await mod.run({ corpus });
  console.error(result.md);
  sections.push(
    `## ${result.title}\n\n_Run with \`npm run bench\` (\`bench/${name}.bench.mjs\`)._\n\n${result.md}\n`,
  );
}
const header = [
  '# Benchmark results',
  '',
  `Machine: ${m.cpu}, ${m.memory}, ${m.os}, Node ${m.node}. Date: ${m.date}.`,
  'Each figure is the median of several runs after one warm-up run; baselines run in the same process, same data.',
  '',
].join('\n');
writeFileSync(path.join(here, 'RESULTS.md'), `${header}\n${sections.join('\n')}`);
console.error(`wrote ${path.join(here, 'RESULTS.md')}`);
