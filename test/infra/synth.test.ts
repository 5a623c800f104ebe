import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { LAMBDA_BUILD_OPTIONS } from '../../scripts/build-lambda.mjs';
import { ROOT, tempDir } from '../helpers/packs.ts';
import type { Json } from './helpers.ts';

// `npm run synth` end to end: the CDK CLI runs infra/bin/app.ts on this Node (through the esbuild
// load hook), cdk-nag checks the app, and NodejsFunction bundles the handler with the local esbuild
// (no Docker, no network). The bundle must be byte for byte the one scripts/build-lambda.mjs makes,
// the one the benchmarks measure.

describe('npm run synth', () => {
  it('synthesizes the stack offline, with the Lambda bundled exactly like build-lambda', async () => {
    const out = tempDir('cdk-out-');
    const run = spawnSync('npm', ['run', '--silent', 'synth', '--', '--output', out], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 150_000,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const template = JSON.parse(readFileSync(path.join(out, 'Packyard.template.json'), 'utf8'));
    const functions = Object.values(template.Resources as Record<string, { Type: string; Properties: Json }>)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((r) => r.Properties)
      .filter((p) => String(p.Description).includes('OCI pack registry (API Gateway'));
    expect(functions).toHaveLength(1);
    const hash = String(functions[0].Code.S3Key).replace(/\.zip$/, '');
    const asset = path.join(out, `asset.${hash}`);
    const bundled = readFileSync(path.join(asset, 'index.mjs'));
    // External source map: written beside the bundle, not referenced from it.
    expect(existsSync(path.join(asset, 'index.mjs.map'))).toBe(true);
    expect(bundled.toString('utf8')).not.toContain('sourceMappingURL');

    const reference = path.join(tempDir('lambda-'), 'registry.mjs');
    await build({ ...(LAMBDA_BUILD_OPTIONS as object), absWorkingDir: ROOT, outfile: reference });
    expect(bundled.equals(readFileSync(reference)), 'the CDK bundle differs from build-lambda.mjs').toBe(
      true,
    );
    // The size budget of the bundle (bench/RESULTS.md): under 1 MB.
    expect(bundled.length).toBeLessThan(1_000_000);
  }, 180_000);
});
