// Worker thread: deterministic gzip (fflate, mtime 0). Plain JS so it runs from source and bundles.
import { parentPort } from 'node:worker_threads';
import { gzipSync } from 'fflate';

parentPort?.on('message', ({ id, data, level }) => {
  try {
    const out = gzipSync(data, { level, mtime: 0 });
    parentPort?.postMessage({ id, out }, [out.buffer]);
  } catch (err) {
    parentPort?.postMessage({ id, error: String(err?.message ?? err) });
  }
});
