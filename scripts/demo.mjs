// The main job, end to end on this machine: lint the example packs, package them reproducibly
// into an OCI layout (a rebuild gives the same digests), then publish them to `packyard serve`
// with `packyard push` (twice: the second uploads nothing), list them, and pull one back.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'packyard.js');
const packs = path.join('examples', 'packs');
const out = path.join('.packyard', 'demo');

function step(title, args, { allowFail = false, env = {} } = {}) {
  console.log(`\n$ packyard ${args.join(' ')}    # ${title}`);
  const res = spawnSync(process.execPath, [cli, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
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

// The registry: `packyard serve` (the Lambda handler with embedded S3 and DynamoDB).
const creds = { username: 'demo', password: 'demo-password-123' };
const registryData = path.join(root, '.packyard', 'demo-registry');
rmSync(registryData, { recursive: true, force: true });
console.log('\n$ packyard serve --port 0 --data .packyard/demo-registry    # the registry, on this machine');
const server = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data', registryData], {
  cwd: root,
  env: { ...process.env, PACKYARD_USERNAME: creds.username, PACKYARD_PASSWORD: creds.password },
  stdio: ['ignore', 'pipe', 'inherit'],
});
try {
  const url = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        process.stdout.write(out);
        resolve(m[1]);
      }
    });
    server.once('exit', (code) => reject(new Error(`packyard serve exited ${code}`)));
  });
  const host = new URL(url).host;
  const env = { PACKYARD_USERNAME: creds.username, PACKYARD_PASSWORD: creds.password };
  step(
    'publish: lint, package, push (the registry re-lints each pack)',
    ['push', packs, '--registry', host],
    { env },
  );
  step(
    'publish again: the registry holds this content already, nothing is linted, packaged or uploaded',
    ['push', packs, '--registry', host],
    { env },
  );
  step('list what the registry holds', ['ls', '--registry', host], { env });
  const pulled = path.join('.packyard', 'demo-pulled');
  rmSync(path.join(root, pulled), { recursive: true, force: true });
  step(
    'pull a pack back and extract it safely',
    ['pull', `${first[0].name}:${first[0].version}`, pulled, '--registry', host],
    { env },
  );
  // Last: the web catalog of what was just published. In a terminal the registry keeps serving
  // it until Ctrl-C; elsewhere (CI, a pipe) the demo ends here.
  const keep = process.stdout.isTTY && process.stdin.isTTY && !process.env.CI;
  console.log(
    `\nThe catalog: ${url}/  (sign in as ${creds.username} / ${creds.password})${keep ? ', Ctrl-C to stop' : ''}`,
  );
  if (keep) await new Promise((resolve) => process.once('SIGINT', resolve));
} finally {
  server.kill('SIGTERM');
}
