import type { TokenSigner } from '../auth/tokens.ts';
import type { RegistryConfig } from '../config.ts';
import type { BlobStore, RegistryIndex } from '../ports.ts';

/** What every use-case gets: ports, settings and a clock. */
export interface RegistryContext {
  blobs: BlobStore;
  index: RegistryIndex;
  config: RegistryConfig;
  tokens: TokenSigner;
  now: () => Date;
}
