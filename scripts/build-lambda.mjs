// Bundles the registry Lambda (lambdas/registry/handler.ts) the way the CDK stack deploys it:
// one minified ESM file for nodejs22.x, AWS SDK included (pinned by the lockfile).
import { build } from 'esbuild';

export const LAMBDA_BUILD_OPTIONS = {
  entryPoints: ['lambdas/registry/handler.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: 'external',
  legalComments: 'none',
  mainFields: ['module', 'main'],
  // The Lambda runtime gives the role's credentials in environment variables: the SDK's default
  // chain (and the STS/SSO clients it bundles, ~100 KB) is replaced by the environment provider.
  alias: { '@aws-sdk/credential-provider-node': './lambdas/registry/aws/env-credentials.ts' },
  logLevel: 'warning',
  banner: {
    js: "import { createRequire as __pyCreateRequire } from 'node:module'; const require = __pyCreateRequire(import.meta.url);",
  },
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'build/lambda/registry.mjs';
  await build({ ...LAMBDA_BUILD_OPTIONS, outfile: out });
  console.log(`wrote ${out}`);
}
