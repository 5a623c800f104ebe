import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { appConfig, SETTINGS } from '../../infra/lib/app-config.ts';
import { SETTINGS as REGISTRY_SETTINGS } from '../../lambdas/registry/settings.ts';
import { ROOT } from '../helpers/packs.ts';

const fromContext = (ctx: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  appConfig((key) => ctx[key], env);

describe('app configuration (context or environment)', () => {
  it('defaults to a stack named Packyard that retains its data', () => {
    const c = fromContext({});
    expect(c.stackName).toBe('Packyard');
    expect(c.registry.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(c.registry.domain).toBeUndefined();
    expect(c.registry.throttling).toBeUndefined();
    expect(c.alarmTopicArn).toBeUndefined();
  });

  it('reads context first, then PACKYARD_DEPLOY_* variables', () => {
    const c = fromContext(
      {
        'packyard:domainName': 'packs.example.com',
        'packyard:throttleRate': 20,
        'packyard:anonymousPull': true,
      },
      {
        PACKYARD_DEPLOY_CERTIFICATE_ARN: 'arn:aws:acm:eu-west-1:1:certificate/x',
        PACKYARD_DEPLOY_THROTTLE_RATE: '999',
        PACKYARD_DEPLOY_REMOVAL_POLICY: 'destroy',
        PACKYARD_DEPLOY_OIDC_AUDIENCE: 'packyard',
        PACKYARD_DEPLOY_LOG_RETENTION_DAYS: '30',
        PACKYARD_DEPLOY_ALLOW_OVERWRITE: 'true',
      },
    );
    expect(c.registry.domain).toEqual({
      name: 'packs.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x',
    });
    expect(c.registry.throttling).toEqual({ rateLimit: 20 });
    expect(c.registry.anonymousPull).toBe(true);
    expect(c.registry.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(c.registry.trustedPublishing).toEqual({ issuer: undefined, audience: 'packyard' });
    expect(c.registry.logRetention).toBe(30);
    expect(c.registry.allowOverwrite).toBe(true);
  });

  it("ignores the Lambda's own variable names, so a `packyard serve` shell cannot change a deployment", () => {
    const c = fromContext({}, { PACKYARD_ANONYMOUS_PULL: 'true', PACKYARD_LINT_POLICY: 'warn' });
    expect(c.registry.anonymousPull).toBeUndefined();
    expect(c.registry.lintPolicy).toBeUndefined();
  });

  it('refuses values it cannot use, naming the setting', () => {
    expect(() => fromContext({ 'packyard:lintPolicy': 'strict' })).toThrow(/packyard:lintPolicy/);
    expect(() => fromContext({ 'packyard:removalPolicy': 'snapshot' })).toThrow(/retain or destroy/);
    expect(() => fromContext({ 'packyard:anonymousPull': 'maybe' })).toThrow(/true or false/);
    expect(() => fromContext({ 'packyard:throttleRate': '-1' })).toThrow(/whole number/);
    expect(() => fromContext({ 'packyard:logRetentionDays': '45' })).toThrow(/must be one of/);
    expect(() => fromContext({ 'packyard:domainName': 'packs.example.com' })).toThrow(/go together/);
    expect(() =>
      fromContext({ 'packyard:hostedZoneId': 'Z1', 'packyard:hostedZoneName': 'example.com' }),
    ).toThrow(/needs packyard:domainName/);
  });
});

describe('docs/deploy.md', () => {
  it('lists exactly the settings the app reads, with their variables', () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- settings:start -->'), doc.indexOf('<!-- settings:end -->'));
    const rows = [...table.matchAll(/^\| `packyard:(\w+)` \| `(\w+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(SETTINGS));
  });

  it("gives the registry settings' defaults from lambdas/registry/settings.ts", () => {
    const doc = readFileSync(path.join(ROOT, 'docs', 'deploy.md'), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- settings:start -->'), doc.indexOf('<!-- settings:end -->'));
    const defaults = new Map(
      [...table.matchAll(/^\| `packyard:(\w+)` \| `\w+` \| ([^|]*) \|/gm)].map((m) => [m[1], m[2]?.trim()]),
    );
    const shared = Object.values(REGISTRY_SETTINGS).filter((s) => 'deploy' in s && s.deploy);
    expect(shared.length).toBe(10);
    for (const s of shared) {
      const deploy = (s as { deploy: string }).deploy;
      expect(Object.keys(SETTINGS)).toContain(deploy);
      if (s.default !== undefined)
        expect(defaults.get(deploy)).toMatch(new RegExp(`^\`${String(s.default)}\``));
    }
  });

  it('checks registry settings with their own rules, naming the key', () => {
    expect(() => fromContext({ 'packyard:tokenTtlSeconds': '3600' })).toThrow(
      /packyard:tokenTtlSeconds.*30–900/,
    );
    expect(() => fromContext({ 'packyard:oidcIssuer': 'http://issuer.example.com' })).toThrow(
      /packyard:oidcIssuer.*https/,
    );
  });
});

describe('app config: lint configuration and login throttle', () => {
  it('passes the login-throttle limits and the lint YAML, read from a file when given a path', () => {
    const yaml = 'rules:\n  manifest/missing: warning\n';
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'app-config-')), 'policy.yaml');
    writeFileSync(file, yaml);
    const c = fromContext(
      { 'packyard:lintConfig': file, 'packyard:loginFailuresPerUser': 5 },
      {
        PACKYARD_DEPLOY_LOGIN_FAILURES_PER_SOURCE: '50',
        PACKYARD_DEPLOY_LOGIN_FAILURE_WINDOW_SECONDS: '600',
      },
    );
    expect(c.registry).toMatchObject({
      lintConfig: yaml,
      loginFailuresPerUser: 5,
      loginFailuresPerSource: 50,
      loginFailureWindowSeconds: 600,
    });
    expect(fromContext({ 'packyard:lintConfig': yaml }).registry.lintConfig).toBe(yaml.trim());
  });

  it('refuses limits out of range and a lint configuration file it cannot read, naming the key', () => {
    expect(() => fromContext({ 'packyard:loginFailuresPerUser': '0' })).toThrow(
      /packyard:loginFailuresPerUser \(or PACKYARD_DEPLOY_LOGIN_FAILURES_PER_USER\) must be 1–1000000/,
    );
    expect(() => fromContext({ 'packyard:loginFailureWindowSeconds': 'soon' })).toThrow(/whole number/);
    expect(() => fromContext({ 'packyard:lintConfig': '/nonexistent/policy.yaml' })).toThrow(
      /packyard:lintConfig.*cannot read \/nonexistent\/policy.yaml \(ENOENT\)/,
    );
  });
});

describe('app config: garbage collection settings', () => {
  it('passes retention rules to the GC job, can turn it off, and refuses bad rules', () => {
    const rules = '[{"prefix":"team-a/","keepLast":3}]';
    expect(appConfig(() => undefined, { PACKYARD_DEPLOY_RETENTION: rules }).registry.gc).toEqual({
      retention: [{ prefix: 'team-a/', keepLast: 3 }],
    });
    expect(appConfig(() => undefined, { PACKYARD_DEPLOY_GC: 'false' }).registry.gc).toBe(false);
    expect(appConfig(() => undefined, {}).registry.gc).toBeUndefined();
    expect(() => appConfig(() => undefined, { PACKYARD_DEPLOY_RETENTION: '[{"keepLast":3}]' })).toThrow(
      /packyard:retention.*prefix/,
    );
    expect(() =>
      appConfig(() => undefined, { PACKYARD_DEPLOY_GC: 'false', PACKYARD_DEPLOY_RETENTION: rules }),
    ).toThrow(/needs the GC job/);
  });
});
