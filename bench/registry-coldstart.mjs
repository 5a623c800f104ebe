// One Lambda cold start, for registry.bench.mjs, in a fresh process: import the production bundle
// (its module init builds the S3 and DynamoDB clients), then GET /health and GET /v2/ with Basic
// auth through `handler(event)`, as API Gateway HTTP API v2 would call it.
// Usage: node bench/registry-coldstart.mjs <registry.mjs>, with the PACKYARD_* storage env set and
// BENCH_USERNAME / BENCH_PASSWORD. Prints one JSON line of timings (ms).
import { pathToFileURL } from 'node:url';

const bootMs = performance.now(); // node's own start-up, before this module runs
const [bundle] = process.argv.slice(2);

function event(path, headers = {}) {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'registry.example.com', 'user-agent': 'bench', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'registry.example.com',
      domainPrefix: 'registry',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: `bench-${now.getTime()}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

const basic = Buffer.from(`${process.env.BENCH_USERNAME}:${process.env.BENCH_PASSWORD}`).toString('base64');
const t0 = performance.now();
const { handler } = await import(pathToFileURL(bundle).href);
const t1 = performance.now();
const health = await handler(event('/health'));
const t2 = performance.now();
const base = await handler(event('/v2/', { authorization: `Basic ${basic}` }));
const t3 = performance.now();
// Same request again: a warm container with the verified credential cached.
const again = await handler(event('/v2/', { authorization: `Basic ${basic}` }));
const t4 = performance.now();

process.stdout.write(
  `${JSON.stringify({
    bootMs,
    importMs: t1 - t0,
    healthMs: t2 - t1,
    authMs: t3 - t2,
    warmMs: t4 - t3,
    statuses: [health.statusCode, base.statusCode, again.statusCode],
  })}\n`,
);
// The SDK clients keep sockets open; a Lambda container would be frozen here.
process.exit(0);
