import type { TokenSigner } from '../auth/tokens.ts';
import type { RegistryConfig } from '../config.ts';
import type { BlobStore, RegistryIndex } from '../ports.ts';
import type { RecentBlobs } from './recent-blobs.ts';

/**
 * What every handler gets: ports, settings and a clock. `I` names the index families a handler
 * touches (ports.ts), so its signature says what storage it reads and writes.
 */
export interface RegistryContext<I = RegistryIndex> {
  blobs: BlobStore;
  index: I;
  config: RegistryConfig;
  tokens: TokenSigner;
  now: () => Date;
  /** Blobs just uploaded, so a pack push re-lints its layer without reading it back. */
  recent?: RecentBlobs;
}
