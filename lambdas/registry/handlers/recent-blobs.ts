/**
 * The last blobs uploaded to this process, by digest, within a byte budget. A pack's manifest
 * usually arrives right after its layer: re-linting then reads the layer from here instead of
 * fetching it back from the blob store. Content-addressed and digest-verified on upload, so a
 * hit is always the right bytes; a miss (another Lambda container, evicted) just reads storage.
 */
export class RecentBlobs {
  private readonly blobs = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(
    private readonly budget: number,
    private readonly maxBlob: number,
  ) {}

  remember(digest: string, body: Uint8Array): void {
    if (body.length > this.maxBlob || body.length > this.budget || this.blobs.has(digest)) return;
    this.blobs.set(digest, body);
    this.bytes += body.length;
    // Maps iterate in insertion order: the oldest go first.
    for (const [d, b] of this.blobs) {
      if (this.bytes <= this.budget) break;
      this.blobs.delete(d);
      this.bytes -= b.length;
    }
  }

  /** The blob, removed from the cache (a layer is re-linted once, right after its upload). */
  take(digest: string): Uint8Array | undefined {
    const body = this.blobs.get(digest);
    if (body) {
      this.blobs.delete(digest);
      this.bytes -= body.length;
    }
    return body;
  }
}
