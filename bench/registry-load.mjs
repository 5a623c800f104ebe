// HTTP load generator for registry.bench.mjs. It runs as its own process, so the client's CPU is
// never spent in the server's event loop. Usage: node bench/registry-load.mjs '<json spec>'
//   spec: { url, headers?, concurrency, durationMs, maxRequests, warmupRequests?, warmupMs? }
// Keep-alive connections (one per worker); the warm-up (not recorded) stops at warmupRequests or
// warmupMs (default 1 s); a run stops at durationMs or maxRequests, whichever
// comes first. Prints one JSON line: requests, rps, latency percentiles (ms), status counts.
import http from 'node:http';

const spec = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(spec.url);
if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
  console.error(`registry-load: only http://127.0.0.1 targets (got ${url.origin})`);
  process.exit(2);
}
const concurrency = Math.max(1, Math.min(64, spec.concurrency ?? 1));
const durationMs = Math.min(spec.durationMs ?? 3000, 60_000);
const maxRequests = Math.min(spec.maxRequests ?? 1_000_000, 1_000_000);
const warmupRequests = Math.min(spec.warmupRequests ?? 0, 10_000);
const warmupMs = Math.min(spec.warmupMs ?? 1000, 5000);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const options = {
  agent,
  host: url.hostname,
  port: url.port,
  path: `${url.pathname}${url.search}`,
  method: 'GET',
  headers: spec.headers ?? {},
};

/** One request; resolves with its status, latency (ms) and body size. */
function once() {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request(options, (res) => {
      let bytes = 0;
      let sample = '';
      res.on('data', (chunk) => {
        bytes += chunk.length;
        if (res.statusCode !== 200 && sample.length < 300) sample += chunk.toString('utf8');
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - start) / 1e6,
          bytes,
          sample,
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out after 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** `count` requests (bounded by `until`) over `concurrency` workers; returns every result. */
async function phase(count, until) {
  const results = [];
  let issued = 0;
  const worker = async () => {
    while (issued < count && performance.now() < until) {
      issued++;
      results.push(await once());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const warmup = await phase(warmupRequests, performance.now() + Math.min(durationMs, warmupMs));
const started = performance.now();
const results = await phase(maxRequests, started + durationMs);
const seconds = (performance.now() - started) / 1000;
agent.destroy();

const ms = Float64Array.from(results, (r) => r.ms).sort();
const pct = (p) => (ms.length === 0 ? Number.NaN : ms[Math.max(0, Math.ceil((p / 100) * ms.length) - 1)]);
const statuses = {};
for (const r of [...warmup, ...results]) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
const failed = results.find((r) => r.status !== 200);
process.stdout.write(
  `${JSON.stringify({
    requests: results.length,
    seconds,
    rps: results.length / seconds,
    p50: pct(50),
    p90: pct(90),
    p99: pct(99),
    max: ms.at(-1) ?? Number.NaN,
    bytes: results[0]?.bytes ?? 0,
    statuses,
    errors: results.filter((r) => r.status !== 200).length,
    errorSample: failed ? `${failed.status} ${failed.sample}` : undefined,
  })}\n`,
);
