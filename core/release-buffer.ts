import { MessageChannel } from 'node:worker_threads';

/**
 * Frees a large buffer's memory now instead of at V8's next full collection, which an idle
 * process may not run for a long time (the registry kept the RSS of a 200 MiB inflated pack after
 * the push). Transferring the ArrayBuffer into a message nobody reads detaches it, and the
 * message's copy of the backing store is freed when its ports close. Every view on the buffer is
 * empty afterwards: call it only once nothing reads the buffer any more. Small buffers (and
 * Node's shared pool) are left to the collector.
 */
export function releaseBuffer(buf: Uint8Array): void {
  if (buf.buffer.byteLength < 1024 * 1024) return;
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(null, [buf.buffer as ArrayBuffer]);
  } catch {
    // Not transferable (a shared or already detached buffer): the collector frees it.
  } finally {
    port1.close();
    port2.close();
  }
}
