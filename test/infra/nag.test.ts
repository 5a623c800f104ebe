import { type App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { registryStack } from './helpers.ts';

// cdk-nag 3 is a CDK validation plugin: infra/bin/app.ts registers AwsSolutionsChecks, and any
// finding that is neither fixed nor acknowledged fails `cdk synth`. These tests hold the same line
// for several configurations, and keep the acknowledgements honest: each carries a reason and
// silences a finding that really occurs (none is left over from code that changed).

const CONFIGS = {
  default: () => registryStack(),
  'custom domain, alarm topic, OIDC, no server access logs, DESTROY': () =>
    registryStack(
      {
        domain: {
          name: 'packs.example.com',
          certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
          hostedZone: { id: 'Z123', name: 'example.com' },
        },
        trustedPublishing: { audience: 'packyard' },
        serverAccessLogs: false,
        removalPolicy: RemovalPolicy.DESTROY,
      },
      { alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:ops' },
    ),
};

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

function findings(app: App, raw: boolean): Finding[] {
  const pack = new AwsSolutionsChecks(app);
  // Raw findings: what the rules report before acknowledgements are applied.
  if (raw) (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack.validateScope(app).violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      severity: v.severity ?? 'error',
      path: r.constructPath ?? '',
    })),
  );
}

function acknowledgements(app: App): { path: string; rule: string; reason: string }[] {
  return app.node.findAll().flatMap((c: IConstruct) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({
          path: c.node.path,
          rule: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each(Object.entries(CONFIGS))('cdk-nag AwsSolutions: %s', (_name, build) => {
  it('reports no finding that is not fixed or acknowledged (errors and warnings)', () => {
    const { app } = build();
    expect(findings(app, false)).toEqual([]);
  });

  it('acknowledges each remaining finding with a written reason, and nothing else', () => {
    const { app } = build();
    const raw = findings(app, true);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length, `${ack.rule} at ${ack.path} needs a reason`).toBeGreaterThan(40);
      const silenced = raw.filter((f) => f.rule === ack.rule && `${f.path}/`.startsWith(`${ack.path}/`));
      expect(silenced, `${ack.rule} at ${ack.path} acknowledges nothing`).not.toEqual([]);
    }
    // Every raw finding is covered by an acknowledgement on it or an ancestor.
    for (const f of raw) {
      expect(
        acks.some((a) => a.rule === f.rule && `${f.path}/`.startsWith(`${a.path}/`)),
        `${f.rule} at ${f.path}`,
      ).toBe(true);
    }
  });

  it('synthesizes with the plugin registered, as the app does', () => {
    const { app } = build();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});

describe('cdk-nag catches a regression', () => {
  it('fails the synth when a finding is added without a reason', async () => {
    const { app, stack } = registryStack();
    const { Bucket } = await import('aws-cdk-lib/aws-s3');
    new Bucket(stack, 'Careless');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
