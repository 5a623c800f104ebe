import { type BundlingOptions, LogLevel, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAMBDA_BUILD_OPTIONS } from '../../scripts/build-lambda.mjs';

const SOURCE_MAP_MODES: Record<string, SourceMapMode> = {
  external: SourceMapMode.EXTERNAL,
  linked: SourceMapMode.DEFAULT,
  inline: SourceMapMode.INLINE,
  both: SourceMapMode.BOTH,
};

/**
 * NodejsFunction bundling derived from `LAMBDA_BUILD_OPTIONS` (scripts/build-lambda.mjs), so the
 * deployed bundle is the one the benchmarks measure: one minified ESM file, every dependency
 * inside (the AWS SDK too, pinned by the lockfile rather than whatever the runtime ships),
 * external source maps (kept beside the bundle for reading stack traces, with no cold-start cost).
 * esbuild runs locally from node_modules: never Docker, so `cdk synth` works offline.
 */
export function registryBundling(): BundlingOptions {
  const o = LAMBDA_BUILD_OPTIONS;
  const sourceMapMode = typeof o.sourcemap === 'string' ? SOURCE_MAP_MODES[o.sourcemap] : undefined;
  return {
    format: o.format === 'esm' ? OutputFormat.ESM : OutputFormat.CJS,
    target: o.target,
    minify: o.minify,
    sourceMap: o.sourcemap !== false,
    ...(sourceMapMode && { sourceMapMode }),
    mainFields: o.mainFields,
    banner: o.banner.js,
    externalModules: [],
    esbuildArgs: {
      '--legal-comments': o.legalComments,
      ...Object.fromEntries(Object.entries(o.alias).map(([from, to]) => [`--alias:${from}`, to])),
    },
    logLevel: LogLevel.WARNING,
    forceDockerBundling: false,
  };
}
