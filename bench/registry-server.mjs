// `packyard serve` in its own process, for registry.bench.mjs: startLocalRegistry (the Lambda
// handler behind the API Gateway v2 adapter, s3rver + dynalite in-process), from a bundle of
// lambdas/local/serve.ts the benchmark builds. Logs like `packyard serve`: errors only.
// Usage, with an IPC channel: node bench/registry-server.mjs <bundle.mjs> <dataDir>
// Credentials: PACKYARD_USERNAME / PACKYARD_PASSWORD (an admin). Sends { url, dynamodb, table }
// once listening; stops on the message 'stop' or when the parent goes away.
import { pathToFileURL } from 'node:url';

const [bundle, dataDir] = process.argv.slice(2);
const { startLocalRegistry } = await import(pathToFileURL(bundle).href);
const registry = await startLocalRegistry({
  dataDir,
  port: 0,
  host: '127.0.0.1',
  users: [
    { username: process.env.PACKYARD_USERNAME, password: process.env.PACKYARD_PASSWORD, scope: 'admin' },
  ],
  log: (e) => {
    if (e.level === 'error') process.stderr.write(`${JSON.stringify(e)}\n`);
  },
  accessLog: (e) => {
    if (e.level !== 'info') process.stderr.write(`${e.message}\n`);
  },
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await registry.close();
  process.exit(0);
};
process.on('message', (m) => m === 'stop' && stop());
process.on('disconnect', stop);
process.send({
  url: registry.url,
  dynamodb: registry.storage.dynamodb.endpoint,
  table: registry.storage.dynamodb.table,
});
