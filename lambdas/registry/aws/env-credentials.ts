/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundle (an esbuild alias in
 * scripts/build-lambda.mjs). The Lambda runtime hands the function role's credentials over in
 * environment variables, so the SDK's default chain (shared ini files, SSO, process, IMDS, web
 * identity, and the STS/SSO clients they carry, about 90 KB minified) has nothing else to find
 * there. `packyard serve` and the CLI are bundled without the alias and keep the full chain.
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
