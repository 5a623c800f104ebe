/**
 * The catalog UI's static files (built from web/ by scripts/build-web.mjs). The registry serves
 * them from a folder: build/catalog/web for `packyard serve`, a Lambda layer for the deployed function
 * (infra/lib/pack-registry.ts), so they never weigh on the function bundle.
 */
export interface WebAsset {
  bytes: Uint8Array;
  contentType: string;
  /** Strong validator: the content's sha256. */
  etag: string;
  /** The bytes gzipped (text types only): API Gateway HTTP APIs do not compress responses. */
  gzip?: Uint8Array;
}

export interface WebAssets {
  /** The page shell (index.html); undefined when the UI is not built. */
  index(): Promise<WebAsset | undefined>;
  /** A hashed asset under assets/ by file name; undefined when there is none. */
  asset(name: string): Promise<WebAsset | undefined>;
}
