import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLE_ACTIONS } from '../../infra/lib/permissions.ts';
import { BUCKET_PREFIXES } from '../../infra/lib/storage.ts';
import { TTL_ATTRIBUTE, tableDefinition } from '../../lambdas/registry/adapters/dynamo/table.ts';
import { type Json, only, registryFunction, registryRole, registryStack } from './helpers.ts';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

const { template, stack } = registryStack();
const resolve = (v: unknown) => JSON.stringify(stack.resolve(v));

/** The blob bucket: the one the function is told about. */
function blobBucket() {
  const fn = registryFunction(template).resource;
  const ref = fn.Properties.Environment.Variables.PACKYARD_BUCKET.Ref as string;
  const buckets = template.findResources('AWS::S3::Bucket');
  return { logicalId: ref, resource: buckets[ref] as Json };
}

function functionStatements(): Statement[] {
  const role = registryRole(template).logicalId;
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify((p as Json).Properties.Roles).includes(role),
  );
  expect(policies).toHaveLength(1);
  return (policies[0] as Json).Properties.PolicyDocument.Statement as Statement[];
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('PackRegistry: S3', () => {
  it('blocks public access, encrypts, enforces bucket ownership, and is kept on destroy', () => {
    const { resource } = blobBucket();
    expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(resource.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    expect(resource.Properties.CorsConfiguration).toBeUndefined();
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  it('denies every request without TLS (and below TLS 1.2) in the bucket policy', () => {
    const { logicalId } = blobBucket();
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
  });

  it('aborts incomplete multipart uploads after 1 day and expires uploads/ after 2 days (docs/storage.md)', () => {
    const rules = blobBucket().resource.Properties.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        Status: 'Enabled',
      }),
    );
    const expiring = rules.filter((r) => r.ExpirationInDays !== undefined);
    // Only upload chunks expire: blobs/ and packs/ are kept.
    expect(expiring).toEqual([expect.objectContaining({ Prefix: 'uploads/', ExpirationInDays: 2 })]);
  });

  it('logs server access to a private, encrypted bucket that expires the logs', () => {
    const { resource } = blobBucket();
    const target = resource.Properties.LoggingConfiguration.DestinationBucketName.Ref as string;
    const logs = template.findResources('AWS::S3::Bucket')[target] as Json;
    expect(logs.Properties.PublicAccessBlockConfiguration.RestrictPublicBuckets).toBe(true);
    expect(logs.Properties.BucketEncryption).toBeDefined();
    expect(logs.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 90 }),
    );
    const without = registryStack({ serverAccessLogs: false }).template;
    expect(Object.keys(without.findResources('AWS::S3::Bucket'))).toHaveLength(1);
  });
});

describe('PackRegistry: DynamoDB', () => {
  it('is the table tableDefinition() describes: keys, attributes, the GSI', () => {
    const def = tableDefinition('x');
    const { resource } = only(template, 'AWS::DynamoDB::Table');
    expect(resource.Properties.KeySchema).toEqual(def.KeySchema);
    expect(resource.Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(def.AttributeDefinitions ?? []),
    );
    expect(resource.Properties.AttributeDefinitions).toHaveLength(def.AttributeDefinitions?.length ?? 0);
    expect(resource.Properties.GlobalSecondaryIndexes).toEqual(def.GlobalSecondaryIndexes);
  });

  it('is on-demand, with point-in-time recovery, TTL on the attribute the code writes, kept on destroy', () => {
    const { resource } = only(template, 'AWS::DynamoDB::Table');
    expect(resource.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(resource.Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: true,
    });
    expect(resource.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TTL_ATTRIBUTE,
      Enabled: true,
    });
    expect(resource.Properties.DeletionProtectionEnabled).toBe(true);
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('with removalPolicy DESTROY, deletes bucket, table and logs, and drops deletion protection', () => {
    const t = registryStack({ removalPolicy: RemovalPolicy.DESTROY }).template;
    for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table', 'AWS::Logs::LogGroup']) {
      for (const r of Object.values(t.findResources(type))) expect(r.DeletionPolicy).toBe('Delete');
    }
    expect(only(t, 'AWS::DynamoDB::Table').resource.Properties.DeletionProtectionEnabled).toBe(false);
  });
});

describe('PackRegistry: Lambda', () => {
  const fn = () => registryFunction(template).resource;

  it('runs the bundled handler on ARM64, Node 22 or 24, within the HTTP API time limit', () => {
    const p = fn().Properties;
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.Runtime).toMatch(/^nodejs2[24]\.x$/);
    expect(p.Handler).toBe('index.handler');
    expect(p.Timeout).toBeLessThanOrEqual(29);
    expect(p.MemorySize).toBeGreaterThanOrEqual(1024);
    expect(p.LoggingConfig.LogGroup.Ref).toBeDefined();
  });

  it('gets the token secret by ARN, never its value, and the settings as configured', () => {
    const vars = fn().Properties.Environment.Variables as Record<string, unknown>;
    expect(vars.PACKYARD_TOKEN_SECRET).toBeUndefined();
    const secret = only(template, 'AWS::SecretsManager::Secret');
    expect(vars.PACKYARD_TOKEN_SECRET_ARN).toEqual({ Ref: secret.logicalId });
    expect(vars.PACKYARD_TABLE).toEqual({ Ref: only(template, 'AWS::DynamoDB::Table').logicalId });
    expect(vars).toMatchObject({
      PACKYARD_ANONYMOUS_PULL: 'false',
      PACKYARD_LINT_POLICY: 'enforce',
      PACKYARD_ALLOW_OVERWRITE: 'false',
      PACKYARD_TOKEN_TTL_SECONDS: '300',
    });
    expect(vars.PACKYARD_PUBLIC_URL).toBeUndefined();
    expect(vars.PACKYARD_OIDC_ISSUER).toBe('https://token.actions.githubusercontent.com');
    // Unique per deployment: an ID token meant for another registry is refused here.
    expect(vars.PACKYARD_OIDC_AUDIENCE).toEqual({ 'Fn::Join': ['', ['packyard:', { Ref: 'AWS::StackId' }]] });

    const custom = registryStack({
      anonymousPull: true,
      lintPolicy: 'warn',
      allowOverwrite: true,
      tokenTtlSeconds: 600,
      trustedPublishing: { audience: 'packyard-test' },
    }).template;
    expect(registryFunction(custom).resource.Properties.Environment.Variables).toMatchObject({
      PACKYARD_ANONYMOUS_PULL: 'true',
      PACKYARD_LINT_POLICY: 'warn',
      PACKYARD_ALLOW_OVERWRITE: 'true',
      PACKYARD_TOKEN_TTL_SECONDS: '600',
      PACKYARD_OIDC_ISSUER: 'https://token.actions.githubusercontent.com',
      PACKYARD_OIDC_AUDIENCE: 'packyard-test',
    });
  });

  it('passes the login-throttle limits and the lint configuration, checked at synth', () => {
    expect(fn().Properties.Environment.Variables).toMatchObject({
      PACKYARD_LOGIN_FAILURES_PER_USER: '10',
      PACKYARD_LOGIN_FAILURES_PER_SOURCE: '100',
      PACKYARD_LOGIN_FAILURE_WINDOW_SECONDS: '900',
    });
    expect(fn().Properties.Environment.Variables.PACKYARD_LINT_CONFIG).toBeUndefined();
    const yaml = 'rules:\n  manifest/missing: warning\n';
    const custom = registryStack({
      lintConfig: yaml,
      loginFailuresPerUser: 5,
      loginFailuresPerSource: 50,
      loginFailureWindowSeconds: 600,
    }).template;
    expect(registryFunction(custom).resource.Properties.Environment.Variables).toMatchObject({
      PACKYARD_LINT_CONFIG: yaml.trim(),
      PACKYARD_LOGIN_FAILURES_PER_USER: '5',
      PACKYARD_LOGIN_FAILURES_PER_SOURCE: '50',
      PACKYARD_LOGIN_FAILURE_WINDOW_SECONDS: '600',
    });
    // Bad values fail the synth, naming the prop (and the file:line of a lint configuration).
    expect(() => registryStack({ loginFailuresPerUser: 0 })).toThrow(
      /loginFailuresPerUser must be 1–1000000/,
    );
    expect(() => registryStack({ loginFailureWindowSeconds: 10 })).toThrow(/loginFailureWindowSeconds/);
    expect(() => registryStack({ lintConfig: 'rules:\n  manifest/mising: off\n' })).toThrow(
      /\(lintConfig\) is invalid: PACKYARD_LINT_CONFIG:2:3: unknown rule "manifest\/mising"/,
    );
    expect(() => registryStack({ lintConfig: './.packyard.yaml' })).toThrow(/the YAML itself, not a path/);
    expect(() => registryStack({ lintConfig: `rules: {}\n${'#'.repeat(4000)}\n` })).toThrow(/at most 3072/);
  });

  it('generates a token secret of at least 32 bytes that the registry decodes as base64', () => {
    const g = only(template, 'AWS::SecretsManager::Secret').resource.Properties.GenerateSecretString;
    // Alphanumeric characters are base64 digits: n of them decode to 3n/4 bytes.
    expect(g.ExcludePunctuation).toBe(true);
    expect(g.IncludeSpace).toBe(false);
    expect((g.PasswordLength * 3) / 4).toBeGreaterThanOrEqual(32);
  });
});

describe('PackRegistry: IAM least privilege', () => {
  it('gives the function a role with no managed policies', () => {
    const role = registryRole(template).resource.Properties;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } }),
    ]);
  });

  it('allows only registry operations, never a wildcard action, never a "*" resource', () => {
    for (const s of functionStatements()) {
      expect(s.Effect).toBe('Allow');
      for (const a of actions(s)) expect(a).not.toMatch(/\*/);
      for (const r of resources(s)) expect(r).not.toBe('*');
    }
  });

  it('confines S3 object access to the registry prefixes of its own bucket, deletes to uploads/', () => {
    const bucket = blobBucket().logicalId;
    const objectArn = (prefix: string) => ({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]],
    });
    const s3 = functionStatements().filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    const byActions = new Map(s3.map((s) => [actions(s).sort().join(','), resources(s)]));
    expect(byActions.get('s3:GetObject,s3:PutObject')).toEqual(BUCKET_PREFIXES.map(objectArn));
    expect(byActions.get('s3:AbortMultipartUpload,s3:DeleteObject')).toEqual([objectArn('uploads/')]);
    expect(byActions.get('s3:ListBucket')).toEqual([{ 'Fn::GetAtt': [bucket, 'Arn'] }]);
    expect(byActions.size).toBe(3);
  });

  it('confines DynamoDB to its table and index, with the calls the adapter makes', () => {
    const table = only(template, 'AWS::DynamoDB::Table').logicalId;
    const ddb = functionStatements().filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(ddb).toHaveLength(2);
    expect(ddb[0]?.Action).toEqual(TABLE_ACTIONS);
    expect(ddb[0]?.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
    expect(ddb[1]?.Action).toBe('dynamodb:Query');
    expect(resolve(ddb[1]?.Resource)).toContain('/index/gsi1');
    for (const a of ddb.flatMap(actions))
      expect(a).not.toMatch(/Scan|BatchWrite|Transact|DeleteTable|CreateTable/);
  });

  it('reads exactly one secret, and writes only to its own log group', () => {
    const secret = only(template, 'AWS::SecretsManager::Secret').logicalId;
    const sm = functionStatements().filter((s) => actions(s).some((a) => a.startsWith('secretsmanager:')));
    expect(sm).toEqual([
      expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secret } }),
    ]);
    const logGroup = registryFunction(template).resource.Properties.LoggingConfig.LogGroup.Ref;
    const logs = functionStatements().filter((s) => actions(s).some((a) => a.startsWith('logs:')));
    expect(logs).toEqual([
      expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
      }),
    ]);
    expect(functionStatements()).toHaveLength(3 + 2 + 1 + 1);
  });
});

describe('PackRegistry: API', () => {
  it('is an HTTP API whose every route goes to the function with payload format 2.0', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('throttles the stage (defaults and configured) and logs access to a log group with retention', () => {
    const stage = only(template, 'AWS::ApiGatewayV2::Stage').resource.Properties;
    expect(stage.StageName).toBe('$default');
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
    const group = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0] as string;
    const logGroup = template.findResources('AWS::Logs::LogGroup')[group] as Json;
    expect(logGroup.Properties.RetentionInDays).toBe(90);
    const format = JSON.parse(stage.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    // Nothing that could carry a credential: no headers, no query strings.
    expect(stage.AccessLogSettings.Format).not.toMatch(/authorization|header|querystring/i);

    const custom = registryStack({ throttling: { rateLimit: 5, burstLimit: 10 } }).template;
    expect(only(custom, 'AWS::ApiGatewayV2::Stage').resource.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 10,
    });
  });

  it('keeps the function logs for the configured retention', () => {
    const fnLogs = registryFunction(template).resource.Properties.LoggingConfig.LogGroup.Ref;
    const group = template.findResources('AWS::Logs::LogGroup')[fnLogs] as Json;
    expect(group.Properties.RetentionInDays).toBe(90);
    const t = registryStack({ logRetention: 30 }).template;
    for (const g of Object.values(t.findResources('AWS::Logs::LogGroup')))
      expect(g.Properties.RetentionInDays).toBe(30);
  });
});

describe('PackRegistry: alarms', () => {
  it('alarms on the 5xx rate, Lambda throttles and Lambda errors', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[];
    expect(alarms).toHaveLength(3);
    const rate = alarms.find((a) => a.Properties.Metrics)?.Properties;
    const byId = Object.fromEntries(
      (rate.Metrics as Json[]).map((m) => [m.Id, m.MetricStat?.Metric.MetricName ?? m.Expression]),
    );
    expect(byId).toMatchObject({ errors: '5xx', requests: 'Count' });
    expect(Object.values(byId).join(' ')).toMatch(/100 \* errors \/ requests/);
    expect(rate.Threshold).toBe(5);
    const single = alarms
      .map((a) => a.Properties.MetricName)
      .filter(Boolean)
      .sort();
    expect(single).toEqual(['Errors', 'Throttles']);
    for (const a of alarms) expect(a.Properties.AlarmActions).toBeUndefined();
    // Unique per account and region: two stacks must not collide.
    expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual([
      'Test-packyard-5xx-rate',
      'Test-packyard-lambda-errors',
      'Test-packyard-lambda-throttles',
    ]);
  });

  it('notifies an SNS topic when one is given', () => {
    const arn = 'arn:aws:sns:us-east-1:123456789012:ops';
    const t = registryStack({}, { alarmTopicArn: arn }).template;
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
      expect(a.Properties.AlarmActions).toEqual([arn]);
      expect(a.Properties.OKActions).toEqual([arn]);
    }
  });
});

describe('PackRegistry: custom domain', () => {
  const domain = {
    name: 'packs.example.com',
    certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
  };

  it('maps the domain to the stage, sets the public URL, and outputs it', () => {
    const { template: t } = registryStack({ domain });
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'packs.example.com',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: domain.certificateArn, SecurityPolicy: 'TLS_1_2' }),
      ],
    });
    t.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    expect(registryFunction(t).resource.Properties.Environment.Variables.PACKYARD_PUBLIC_URL).toBe(
      'https://packs.example.com',
    );
    expect(registryFunction(t).resource.Properties.Environment.Variables.PACKYARD_OIDC_AUDIENCE).toBe(
      'https://packs.example.com',
    );
    t.hasOutput('RegistryUrl', { Value: 'https://packs.example.com' });
    t.hasOutput('PaletteEndpoint', { Value: 'https://packs.example.com' });
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  it('creates the alias record only when a hosted zone is given (no lookups)', () => {
    const { template: t } = registryStack({
      domain: { ...domain, hostedZone: { id: 'Z123', name: 'example.com' } },
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', {
      HostedZoneId: 'Z123',
      Type: 'A',
      Name: 'packs.example.com.',
    });
  });
});

describe('RegistryStack outputs', () => {
  it('names the URL, what to enter in Palette, the bucket, the table, and the first admin command', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'BucketName',
        'FirstAdminCommand',
        'PaletteBaseContentPath',
        'PaletteEndpoint',
        'RegistryUrl',
        'TableName',
      ].sort(),
    );
    expect(resolve(outputs.RegistryUrl?.Value)).toMatch(/https:\/\/.*execute-api/);
    const table = only(template, 'AWS::DynamoDB::Table').logicalId;
    expect(resolve(outputs.FirstAdminCommand?.Value)).toContain(
      'packyard user add admin --scope admin --table ',
    );
    expect(resolve(outputs.FirstAdminCommand?.Value)).toContain(table);
  });
});
