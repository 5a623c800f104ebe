/** The esbuild options of the Lambda bundle (scripts/build-lambda.mjs); the CDK construct reuses them. */
export declare const LAMBDA_BUILD_OPTIONS: {
  entryPoints: string[];
  bundle: boolean;
  platform: 'node';
  format: 'esm';
  target: string;
  minify: boolean;
  sourcemap: 'external' | 'linked' | 'inline' | 'both' | boolean;
  legalComments: 'none' | 'inline' | 'eof' | 'linked' | 'external';
  mainFields: string[];
  /** Module substitutions (esbuild alias): package name → file, relative to the project root. */
  alias: Record<string, string>;
  logLevel: string;
  banner: { js: string };
};
