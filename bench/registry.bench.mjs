// The registry, through `packyard serve`, against Debian's `docker-registry` (the reference
// distribution registry, filesystem storage) in the same run:
//  1. manifest GET and tags/list under load (fixed concurrency, fixed time): rps, p50, p99;
//  2. `_catalog` and pack search latency with 100 vs 10,000 packs indexed;
//  3. the Lambda bundle (scripts/build-lambda.mjs): size, and cold start (import + first requests).
// Servers and the load generator each run in their own process; everything listens on 127.0.0.1.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifact, pushArtifact } from './registry/artifact.mjs';
import {
  APP,
  BASIC,
  BCRYPT_COST,
  DISTRIBUTION,
  killAll,
  LARGE,
  load,
  medians,
  RUNS,
  SEQUENTIAL,
  SEQUENTIAL_MS,
  SMALL,
  settle,
  stopChild,
  TAGS,
} from './registry/common.mjs';
import {
  ensureDistribution,
  htpasswdLine,
  seedDistribution,
  startDistribution,
} from './registry/distribution.mjs';
import { lambdaBundle } from './registry/lambda.mjs';
import { bundleLocal, seedPackyard, startPackyard } from './registry/packyard.mjs';
import { registryReport } from './registry/report.mjs';

export async function run() {
  const dir = mkdtempSync(path.join(tmpdir(), 'packyard-bench-registry-'));
  process.once('exit', killAll);
  const packyards = [];
  const distributions = [];
  try {
    const notes = [];
    const bundlePath = path.join(dir, 'registry-local.mjs');
    await bundleLocal(bundlePath);
    const bundleMod = await import(pathToFileURL(bundlePath).href);
    const art = artifact();

    // -- servers --
    const packyard = await startPackyard(bundlePath, path.join(dir, 'packyard-data'));
    packyards.push(packyard);
    await pushArtifact(packyard.url, art, BASIC);

    const targets = [{ name: '`packyard serve` (Basic auth)', url: packyard.url, headers: BASIC }];
    let plain; // the baseline without auth: seeding and listings
    const missing = ensureDistribution();
    let distVersion = '';
    if (missing) {
      notes.push(`**No baseline:** ${missing}.`);
    } else {
      distVersion = spawnSync(DISTRIBUTION, ['--version'], { encoding: 'utf8' })
        .stdout.trim()
        .split(' ')
        .at(-1);
      const storage = path.join(dir, 'distribution');
      mkdirSync(storage);
      const line = htpasswdLine();
      if (line) {
        const htpasswd = path.join(dir, 'htpasswd');
        writeFileSync(htpasswd, line);
        const authed = await startDistribution(dir, storage, htpasswd);
        distributions.push(authed);
        await pushArtifact(authed.url, art, BASIC);
        targets.push({
          name: `\`docker-registry\` ${distVersion} (htpasswd Basic auth, bcrypt cost ${BCRYPT_COST})`,
          url: authed.url,
          headers: BASIC,
          baseline: true,
        });
      } else {
        notes.push('No bcrypt hash could be made (perl crypt): the baseline runs without auth only.');
      }
      plain = await startDistribution(dir, storage);
      distributions.push(plain);
      if (!line) await pushArtifact(plain.url, art, {});
      targets.push({
        name: `\`docker-registry\` ${distVersion} (no auth)`,
        url: plain.url,
        headers: {},
        baseline: true,
      });
    }

    // -- 1. pull path under load; targets interleaved run by run --
    const endpoints = [
      { key: 'manifest', path: `/v2/${APP}/manifests/${TAGS[0]}` },
      { key: 'tags', path: `/v2/${APP}/tags/list` },
    ];
    const raw = targets.map(() => ({ manifest: [], tags: [] }));
    for (let r = 0; r < RUNS; r++) {
      for (const [t, target] of targets.entries()) {
        for (const e of endpoints) {
          console.error(`  load ${r + 1}/${RUNS}: ${target.url}${e.path}`);
          raw[t][e.key].push(await load(`${target.url}${e.path}`, { headers: target.headers }));
        }
      }
    }
    const pull = targets.map((t, i) => ({
      ...t,
      manifest: medians(raw[i].manifest),
      tags: medians(raw[i].tags),
    }));

    // -- 2. listings at 100 and 10,000 packs --
    const listings = [
      { name: '`GET /v2/_catalog?n=100`', path: '/v2/_catalog?n=100' },
      { name: '`GET /api/v1/packs?limit=50`', path: '/api/v1/packs?limit=50' },
      {
        name: '`GET /api/v1/packs?prefix=pack-0000&limit=50`',
        path: '/api/v1/packs?prefix=pack-0000&limit=50',
      },
      // Two facets: one picks the gsi1 partition, the other is a FilterExpression. 10 hits either way.
      {
        name: '`GET /api/v1/packs?cloudType=aws&layer=addon&limit=10` (filtered)',
        path: '/api/v1/packs?cloudType=aws&layer=addon&limit=10',
      },
      // No pack matches: the query reads the partition until its call budget runs out.
      {
        name: '`GET /api/v1/packs?cloudType=aws&layer=servicemesh&limit=10` (filter matching nothing)',
        path: '/api/v1/packs?cloudType=aws&layer=servicemesh&limit=10',
        sparse: true,
      },
    ];
    /** One latency measurement: SEQUENTIAL requests one after the other. */
    const sequential = (url, headers) =>
      load(url, { headers, concurrency: 1, max: SEQUENTIAL, warmup: 50, durationMs: SEQUENTIAL_MS });
    /** How many results one page holds, and whether it says more follow (Link header or cursor). */
    const hits = async (url, headers) => {
      const res = await fetch(url, { headers });
      const body = await res.json();
      const n = (body.repositories ?? body.packs ?? []).length;
      return `${n}${res.headers.get('link') || body.next ? '+' : ''}`;
    };
    // One registry per scale (the 100-pack one is the server measured above), measured
    // alternately run by run, so that drift on a shared machine falls on both scales alike.
    console.error('  seeding…');
    const largeServer = await startPackyard(bundlePath, path.join(dir, 'packyard-data-large'));
    packyards.push(largeServer);
    await pushArtifact(largeServer.url, art, BASIC);
    const scales = [];
    for (const [server, count] of [
      [packyard, SMALL],
      [largeServer, LARGE],
    ]) {
      const seed = await seedPackyard(bundleMod, server, 0, count);
      if (seed.count < count) notes.push(`Packyard seeding stopped at ${seed.count} packs (time budget).`);
      scales.push({ server, packs: seed.count, seedMs: seed.ms, rows: listings.map(() => []) });
    }
    if (plain) {
      const largeStorage = path.join(dir, 'distribution-large');
      mkdirSync(largeStorage);
      const largeDist = await startDistribution(dir, largeStorage);
      distributions.push(largeDist);
      await pushArtifact(largeDist.url, art, {});
      for (const [scale, server, count] of [
        [scales[0], plain, SMALL],
        [scales[1], largeDist, LARGE],
      ]) {
        const d = await seedDistribution(server.url, server.storage, art, count);
        if (d.count < count)
          notes.push(`docker-registry seeding stopped at ${d.count} repositories (time budget).`);
        Object.assign(scale, { distServer: server, distRepos: d.count + 1, distSeedMs: d.ms, dist: [] });
      }
    }
    for (const scale of scales) await settle(scale.server.child.pid); // LevelDB compactions
    // One warm-up pass, not recorded (like measure() in lib.mjs): both servers JIT-warm alike.
    for (const l of listings)
      for (const scale of scales) await sequential(`${scale.server.url}${l.path}`, BASIC);
    for (let r = 0; r < RUNS; r++) {
      console.error(`  listings ${r + 1}/${RUNS}`);
      for (const [i, l] of listings.entries())
        for (const scale of scales)
          scale.rows[i].push(await sequential(`${scale.server.url}${l.path}`, BASIC));
      if (plain)
        for (const scale of scales)
          scale.dist.push(await sequential(`${scale.distServer.url}/v2/_catalog?n=100`, {}));
    }
    for (const scale of scales) {
      scale.hits = [];
      for (const l of listings) scale.hits.push(await hits(`${scale.server.url}${l.path}`, BASIC));
      scale.rows = scale.rows.map(medians);
      if (plain) {
        scale.distHits = await hits(`${scale.distServer.url}/v2/_catalog?n=100`, {});
        scale.dist = medians(scale.dist);
      }
    }

    // -- 3. Lambda bundle (the servers stopped first: nothing else running) --
    for (const p of packyards) await stopChild(p.child);
    for (const d of distributions) await stopChild(d.child);
    console.error('  lambda bundle and cold starts…');
    const lambda = await lambdaBundle(bundleMod, dir);

    const { md, figures } = registryReport({ pull, scales, listings, lambda, plain, notes });
    return { title: 'Registry: `packyard serve` vs `docker-registry`, and the Lambda bundle', md, figures };
  } finally {
    for (const p of packyards) await stopChild(p.child).catch(() => {});
    for (const d of distributions) await stopChild(d.child).catch(() => {});
    killAll();
    process.off('exit', killAll);
    rmSync(dir, { recursive: true, force: true });
  }
}
