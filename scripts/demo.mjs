// The main job, end to end on this machine: lint the example packs, package them reproducibly
// into an OCI layout, and show that a rebuild gives the same digests.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'packyard.js');
const packs = path.join('examples', 'packs');
const out = path.join('.packyard', 'demo');

function step(title, args, { allowFail = false } = {}) {
  console.log(`\n$ packyard ${args.join(' ')}    # ${title}`);
  const res = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  process.stdout.write(res.stdout);
  process.stderr.write(res.stderr);
  if (res.status !== 0 && !allowFail) {
    console.error(`demo failed: packyard ${args[0]} exited ${res.status}`);
    process.exit(1);
  }
  return res.stdout;
}

rmSync(path.join(root, out), { recursive: true, force: true });
step('lint every pack under examples/packs', ['lint', packs]);
const first = JSON.parse(
  step('package them: tar.gz + OCI layout', ['build', packs, '--out', out, '--format', 'json']),
);
const second = JSON.parse(
  step('package again: same bytes, same digests', ['build', packs, '--out', out, '--format', 'json']),
);
const same = first.every(
  (p, i) => p.manifestDigest === second[i]?.manifestDigest && p.layerDigest === second[i]?.layerDigest,
);
console.log(
  same ? '\nreproducible: both builds gave identical digests' : '\nNOT reproducible: digests differ',
);
if (!same) process.exit(1);

if (spawnSync('skopeo', ['--version']).status === 0) {
  const ref = `oci:${out}:${first[0].name}:${first[0].version}`;
  console.log(`\n$ skopeo inspect --raw ${ref}    # standard OCI tools read the layout`);
  console.log(execFileSync('skopeo', ['inspect', '--raw', ref], { cwd: root, encoding: 'utf8' }));
}
console.log(
  `\nPush with any OCI client, e.g.\n  skopeo copy oci:${out}:<name>:<version> docker://HOST/spectro-packs/archive/<name>:<version>`,
);
