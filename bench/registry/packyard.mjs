// `packyard serve` for the benchmark: a bundle of lambdas/local, its own process, index seeding.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { here, PASSWORD, packName, packRepo, pool, root, SEED_BUDGET_MS, track, USER } from './common.mjs';

/** Bundles what the benchmark needs of lambdas/local (TypeScript) into one .mjs, like scripts/build.mjs. */
export async function bundleLocal(outfile) {
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  await build({
    stdin: {
      contents: [
        "export { startLocalRegistry } from './lambdas/local/serve.ts';",
        "export { ensureUser } from './lambdas/admin-index.ts';",
        "export { startEmbeddedStorage } from './lambdas/local/embedded-storage.ts';",
        "export { createDynamoIndex } from './lambdas/registry/adapters/dynamo-index.ts';",
        "export { createDynamoClient } from './lambdas/registry/adapters/clients.ts';",
        "export { versionSortKey } from './core/version.ts';",
      ].join('\n'),
      resolveDir: root,
      sourcefile: 'bench-registry-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    mainFields: ['module', 'main'],
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __pyCreateRequire } from 'node:module'; const require = __pyCreateRequire(import.meta.url);",
    },
    plugins: [
      {
        // Local storage servers stay in node_modules (they read files beside their sources),
        // addressed by absolute URL since the bundle lives in a temp folder.
        name: 'storage-servers-external',
        setup(b) {
          b.onResolve({ filter: /^(s3rver|dynalite)$/ }, (args) => ({
            path: pathToFileURL(requireFromRoot.resolve(args.path)).href,
            external: true,
          }));
        },
      },
    ],
  });
}

export async function startPackyard(bundle, dataDir) {
  const child = track(
    spawn(process.execPath, [path.join(here, 'registry-server.mjs'), bundle, dataDir], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, PACKYARD_USERNAME: USER, PACKYARD_PASSWORD: PASSWORD },
    }),
  );
  const info = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('packyard serve did not start in 60 s')), 60_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`packyard serve exited ${code} before listening`));
    });
  });
  return { child, ...info };
}

/** Index entries for packs [from, to): summary (with its search facets) and catalog entry. */
export async function seedPackyard(bundleMod, info, from, to) {
  const client = bundleMod.createDynamoClient({ endpoint: info.dynamodb });
  const index = bundleMod.createDynamoIndex(client, info.table);
  const layers = ['addon', 'os', 'k8s', 'cni', 'csi'];
  const started = Date.now();
  try {
    const done = await pool(to - from, 32, started + SEED_BUDGET_MS, async (k) => {
      const i = from + k;
      const layer = layers[i % layers.length];
      const repository = packRepo(i);
      await index.putPackSummary({
        repository,
        basePath: '',
        name: packName(i),
        latestVersion: '1.0.0',
        latestVersionKey: bundleMod.versionSortKey('1.0.0'),
        displayName: `Bench pack ${i}`,
        layer,
        ...(layer === 'addon' ? { addonType: ['monitoring', 'logging', 'security'][i % 3] } : {}),
        cloudTypes: i % 2 ? ['aws'] : ['all'],
        updatedAt: new Date().toISOString(),
      });
      await index.addRepository(repository);
    });
    return { count: from + done, ms: Date.now() - started };
  } finally {
    client.destroy();
  }
}
