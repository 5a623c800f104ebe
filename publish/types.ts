import type { PublishProgress, PublishResult, PublishStatus } from '../client/publish.ts';
import type { PublishedVersion } from '../client/unchanged.ts';
import type { BuiltPack } from '../core/build-pack.ts';
import type { LintRun, PackReport } from '../core/lint-packs.ts';
import type { ReadPack } from '../core/pack-identity.ts';

/** The lowest lint severity that refuses a pack (and that a registry's recorded lint must have passed). */
export type FailOn = 'error' | 'warning';

/** What the engine needs of a registry; `registryPort` adapts a `RegistryClient`, tests pass fakes. */
export interface RegistryPort {
  /** The registry's base path (`<base>/spectro-packs/archive/<name>`). */
  basePath: string;
  /**
   * What the registry recorded for each `name@version` it holds, keyed by `name@version`;
   * undefined when it cannot say (a registry without Packyard's JSON API).
   */
  lookup(
    ids: readonly { name: string; version: string }[],
  ): Promise<Map<string, PublishedVersion> | undefined>;
  /** Publishes one built pack; never throws (a failure is a result). */
  publish(
    pack: BuiltPack,
    opts: { force: boolean; onProgress: (p: PublishProgress) => void },
  ): Promise<PublishResult>;
}

export interface EngineOptions {
  /** Folders to search for packs (recursively)... */
  roots?: readonly string[];
  /** ...or the pack folders, when the caller found them already (the Action, to fail before signing in). */
  dirs?: readonly string[];
  /** Where to publish. Without one the engine packages only (`packyard build`, the Action's dry run). */
  registry?: RegistryPort;
  /**
   * Settles once the registry answered and accepted the credentials (started by the caller, so it
   * overlaps with reading the packs); a rejection ends the run with that error.
   */
  ready?: Promise<void>;
  /** `warning`: packs with lint warnings are refused, and recorded lint must have none to stand in. */
  failOn: FailOn;
  /** Package packs with lint errors too (`build --force`); never packs without a name or version. */
  packageInvalid?: boolean;
  /** Overwrite a version the registry holds with other content (where the registry allows it). */
  force?: boolean;
  /** Registry requests (lookups, publishes) at once. */
  concurrency: number;
  /** org.opencontainers.image.created for every manifest (already validated). */
  created?: string;
  onEvent?: (event: EngineEvent) => void;
}

/**
 * Why a pack ended as it did. unchanged: the registry holds this content (not linted or
 * packaged again); present: the registry holds this manifest digest; packaged: built, not
 * pushed (no registry); refused: lint (or no name/version); packaging: the build failed;
 * registry: the push failed or the registry rejected the pack.
 */
export type OutcomeReason =
  | 'published'
  | 'unchanged'
  | 'present'
  | 'packaged'
  | 'refused'
  | 'packaging'
  | 'registry';

/** One pack's end, in discovery order. */
export interface PackOutcome {
  /** The pack folder as found, and as a display path (POSIX separators). */
  dir: string;
  path: string;
  name?: string;
  version?: string;
  status: PublishStatus;
  reason: OutcomeReason;
  /** `<base>/spectro-packs/archive/<name>` where it went (or would have). */
  repository?: string;
  /** The manifest digest: of this build, or as the registry recorded it for an unchanged pack. */
  digest?: string;
  /** Bytes uploaded. */
  uploaded: number;
  /** Why, for anything but a plain publish: the refusal, the packaging error, the registry's answer. */
  message?: string;
  /** This run's lint report (absent for unchanged packs: see `recorded`). */
  report?: PackReport;
  /** What the registry recorded on push, for an unchanged pack. */
  recorded?: PublishedVersion;
  /** The package, when one was built. */
  built?: BuiltPack;
}

export interface EngineResult {
  /** Every pack found, in discovery order (empty: none found). */
  packs: ReadPack[];
  /** The lint run over the packs that were linted (unchanged ones are not). */
  lint: LintRun;
  outcomes: PackOutcome[];
}

/** A pack being published: enough to name it before its build is done. */
export interface PackRef {
  path: string;
  name: string;
  version: string;
  repository: string;
}

/**
 * What the engine reports as it goes. Every pack found ends with exactly one of skipped,
 * published, invalid or failed (carrying its outcome); publishing and progress come before
 * that for packs sent to a registry.
 */
export type EngineEvent =
  | { type: 'found'; packs: readonly ReadPack[] }
  | { type: 'looked-up'; total: number; unchanged: ReadonlyMap<string, PublishedVersion> }
  | { type: 'linted'; run: LintRun; refused: readonly PackReport[] }
  | { type: 'built'; path: string; built: BuiltPack }
  | { type: 'publishing'; pack: PackRef }
  | { type: 'progress'; pack: PackRef; progress: PublishProgress }
  | { type: PublishStatus; outcome: PackOutcome };
