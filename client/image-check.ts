import { compareFindings, countBySeverity, type Finding, finding } from '../core/findings.ts';
import { displayPath, type LintRun, type PackReport, recountRun } from '../core/lint-packs.ts';
import { applyPolicy, type PackPolicy } from '../core/lint-policy.ts';
import {
  type ImageCheck,
  ImageReferenceError,
  packImages,
  packImagesFileLines,
  parseImageReference,
  registryHost,
} from '../core/pack-images.ts';
import { AuthError, type BasicCredentials } from './auth.ts';
import { type Fetch, NetworkError, type RetryOptions } from './http.ts';
import { createLimit } from './publish.ts';
import { parseRegistryRef } from './reference.ts';
import { RegistryClient, RegistryError } from './registry-client.ts';

export interface ImageCheckerOptions {
  /** Manifest look-ups in flight at once, across all registries. */
  concurrency?: number;
  fetch?: Fetch;
  /** Credentials for a registry host (as `host[:port]`), e.g. from `packyard login`. */
  credentialsFor?: (host: string) => BasicCredentials | undefined;
  retry?: RetryOptions;
  userAgent?: string;
}

/** A check is a lint step, not a publish: fail fast rather than retry for a minute. */
const CHECK_RETRY: RetryOptions = { retries: 1, baseDelayMs: 200, maxDelayMs: 1000, timeoutMs: 15_000 };

/**
 * Resolves image references against their registries with bounded concurrency. Each distinct
 * reference is looked up once per checker (one run), and one client (one token cache) serves
 * every image of a registry host.
 */
export class ImageChecker {
  private readonly results = new Map<string, Promise<ImageCheck>>();
  private readonly clients = new Map<string, RegistryClient>();
  private readonly limited: <R>(task: () => Promise<R>) => Promise<R>;

  constructor(private readonly opts: ImageCheckerOptions = {}) {
    this.limited = createLimit(Math.max(1, opts.concurrency ?? 8));
  }

  check(image: string): Promise<ImageCheck> {
    let ref: ReturnType<typeof parseImageReference>;
    try {
      ref = parseImageReference(image);
    } catch (err) {
      if (!(err instanceof ImageReferenceError)) throw err;
      return Promise.resolve({ image, status: 'unchecked', detail: err.message });
    }
    let pending = this.results.get(ref.canonical);
    if (!pending) {
      pending = this.limited(() => this.resolve(ref));
      this.results.set(ref.canonical, pending);
    }
    return pending.then((r) => ({ ...r, image }));
  }

  /** Every image, in the order given. */
  checkAll(images: readonly string[]): Promise<ImageCheck[]> {
    return Promise.all(images.map((i) => this.check(i)));
  }

  private async resolve(ref: ReturnType<typeof parseImageReference>): Promise<ImageCheck> {
    const base = { image: ref.canonical, canonical: ref.canonical };
    const host = registryHost(ref.domain);
    let client: RegistryClient;
    try {
      client = this.client(host);
    } catch (err) {
      return { ...base, status: 'unchecked', detail: (err as Error).message };
    }
    try {
      const info = await client.headManifest(ref.repository, ref.reference);
      if (info) return { ...base, status: 'found', digest: info.digest };
      return {
        ...base,
        status: 'not-found',
        detail: `${host} has no manifest ${ref.repository}:${ref.reference}`,
      };
    } catch (err) {
      if (err instanceof AuthError) return { ...base, status: 'gated', detail: `${host}: ${err.message}` };
      if (err instanceof RegistryError) {
        if (err.status === 401 || err.status === 403)
          return { ...base, status: 'gated', detail: `${host} answered ${err.status}: credentials needed` };
        return { ...base, status: 'unchecked', detail: err.message };
      }
      if (err instanceof NetworkError) return { ...base, status: 'unchecked', detail: err.message };
      return { ...base, status: 'unchecked', detail: `${host}: ${(err as Error).message}` };
    }
  }

  private client(host: string): RegistryClient {
    let c = this.clients.get(host);
    if (!c) {
      c = new RegistryClient({
        registry: parseRegistryRef(host),
        credentials: this.opts.credentialsFor?.(host),
        fetch: this.opts.fetch,
        retry: this.opts.retry ?? CHECK_RETRY,
        userAgent: this.opts.userAgent,
      });
      this.clients.set(host, c);
    }
    return c;
  }
}

/** An image of one pack, checked. */
export interface PackImageCheck extends ImageCheck {
  pack: string;
  file: string;
  line: number;
}

/**
 * Checks a linted pack's `pack.content.images` entries and adds the verdicts to its findings: a
 * missing manifest is an error (the cluster cannot pull it), an image we could not judge is a
 * warning; gated images (credentials needed) are listed but never fail the run.
 */
export async function checkPackImages(
  report: PackReport,
  checker: ImageChecker,
  policy?: PackPolicy,
): Promise<PackImageCheck[]> {
  const images = packImages(report.tree);
  const checks = await checker.checkAll(images.map((i) => i.image));
  const out: PackImageCheck[] = [];
  const found: Finding[] = [];
  for (const [i, check] of checks.entries()) {
    const image = images[i] as (typeof images)[number];
    if (check.status === 'not-found') {
      found.push(
        finding(
          'images/not-found',
          'error',
          image.file,
          `image "${check.image}" does not resolve: ${check.detail}; clusters cannot pull it (check the repository and tag)`,
          image.position,
        ),
      );
    } else if (check.status === 'unchecked') {
      found.push(
        finding(
          'images/unchecked',
          'warning',
          image.file,
          `image "${check.image}" could not be checked: ${check.detail}`,
          image.position,
        ),
      );
    }
    out.push({
      ...check,
      pack: report.pack,
      file: displayPath(report, image.file),
      line: image.position.line,
    });
  }
  // The same severities, per-pack overrides and inline ignores as every other rule.
  const lines = (file: string) => packImagesFileLines(report.tree, file);
  report.findings.push(...applyPolicy(found, policy, lines, { name: report.name }));
  Object.assign(report, countBySeverity(report.findings.sort(compareFindings)));
  return out;
}

/** Every pack of a lint run checked (`packyard lint --check-images`); the run's findings are recounted. */
export async function checkRunImages(
  run: LintRun,
  checker: ImageChecker,
  policyFor?: (dir: string) => PackPolicy | undefined,
): Promise<PackImageCheck[]> {
  const perPack = await Promise.all(run.packs.map((p) => checkPackImages(p, checker, policyFor?.(p.dir))));
  recountRun(run);
  return perPack.flat();
}

/** The run's image verdicts in words: counts per status, then each gated image (nothing else reports those). */
export function describeImageChecks(images: readonly PackImageCheck[]): string[] {
  const count = (s: PackImageCheck['status']) => images.filter((i) => i.status === s).length;
  const gated = images.filter((i) => i.status === 'gated');
  const distinct = new Set(images.map((i) => i.canonical ?? i.image)).size;
  return [
    `images: ${images.length} listed (${distinct} distinct): ${count('found')} found, ${count('not-found')} not found, ${gated.length} gated (credentials needed, not checked), ${count('unchecked')} could not be checked`,
    ...gated.map((g) => `  gated  ${g.file}:${g.line}  ${g.image}`),
  ];
}
