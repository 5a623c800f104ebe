import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { GC_TABLE_ACTIONS } from '../../infra/lib/gc-job.ts';
import { described, type Json, only, registryRole, registryStack } from './helpers.ts';

const { template, stack } = registryStack();
const resolve = (v: unknown) => JSON.stringify(stack.resolve(v));
const gcFunction = () => described(template, 'AWS::Lambda::Function', 'garbage collection and retention');
const gcRole = () => described(template, 'AWS::IAM::Role', 'garbage collection and retention');

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
function statementsOf(roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p as Json).Properties.Roles).includes(roleId))
    .flatMap((p) => (p as Json).Properties.PolicyDocument.Statement as Statement[]);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const withAction = (roleId: string, action: string) =>
  statementsOf(roleId).filter((s) => actions(s).includes(action));

describe('PackRegistry: scheduled garbage collection', () => {
  it('runs hourly from an EventBridge rule targeting the GC function', () => {
    const rule = only(template, 'AWS::Events::Rule').resource.Properties;
    expect(rule.ScheduleExpression).toBe('rate(1 hour)');
    expect(rule.State).toBe('ENABLED');
    expect(resolve(rule.Targets[0].Arn)).toContain(gcFunction().logicalId);
    expect(rule.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
  });

  it('is one 15-minute run at a time, told its bucket, table and settings', () => {
    const p = gcFunction().resource.Properties;
    expect(p.Timeout).toBe(900);
    expect(p.ReservedConcurrentExecutions).toBe(1);
    expect(p.Architectures).toEqual(['arm64']);
    expect(p.Environment.Variables).toMatchObject({
      PACKYARD_RETENTION: '[]',
      PACKYARD_GC_GRACE_SECONDS: '86400',
      PACKYARD_GC_FENCE_SECONDS: '900',
      PACKYARD_GC_DRY_RUN: 'false',
    });
    expect(p.Role['Fn::GetAtt'][0]).toBe(gcRole().logicalId);
  });

  it('has its own least-privilege role: deletes only blobs/, packs/ and gc/, Scans only here', () => {
    const gc = gcRole().logicalId;
    const deletes = withAction(gc, 's3:DeleteObject').flatMap((s) =>
      Array.isArray(s.Resource) ? s.Resource : [s.Resource],
    );
    expect(
      deletes
        .map(resolve)
        .map((r) => /\/([a-z]+)\/\*/.exec(r)?.[1])
        .sort(),
    ).toEqual(['blobs', 'gc', 'packs']);
    const puts = withAction(gc, 's3:PutObject').flatMap((s) =>
      Array.isArray(s.Resource) ? s.Resource : [s.Resource],
    );
    expect(puts.map(resolve).every((r) => r.includes('/gc/*'))).toBe(true);
    const list = withAction(gc, 's3:ListBucket');
    expect(list[0]?.Condition).toEqual({ StringLike: { 's3:prefix': ['blobs/*', 'packs/*', 'gc/*'] } });
    const table = statementsOf(gc).find((s) => actions(s).includes('dynamodb:Scan'));
    expect(actions(table as Statement).sort()).toEqual([...GC_TABLE_ACTIONS].sort());
    for (const s of statementsOf(gc)) for (const a of actions(s)) expect(a).not.toMatch(/\*/);
    // The request path never deletes content and never Scans.
    const registry = registryRole(template).logicalId;
    expect(withAction(registry, 'dynamodb:Scan')).toEqual([]);
    for (const s of withAction(registry, 's3:DeleteObject'))
      expect(resolve(s.Resource)).not.toMatch(/blobs|packs/);
  });

  it('takes a schedule, retention rules, grace and fence; refuses a fence shorter than a request', () => {
    const custom = registryStack({
      gc: {
        schedule: Schedule.cron({ minute: '0', hour: '3' }),
        retention: [{ prefix: 'team-a/', keepLast: 5, protectTags: ['latest'] }],
        grace: Duration.hours(6),
        fence: Duration.minutes(30),
        dryRun: true,
      },
    }).template;
    expect(only(custom, 'AWS::Events::Rule').resource.Properties.ScheduleExpression).toBe(
      'cron(0 3 * * ? *)',
    );
    const vars = described(custom, 'AWS::Lambda::Function', 'garbage collection').resource.Properties
      .Environment.Variables;
    expect(JSON.parse(vars.PACKYARD_RETENTION)).toEqual([
      { prefix: 'team-a/', keepLast: 5, protectTags: ['latest'] },
    ]);
    expect(vars.PACKYARD_GC_GRACE_SECONDS).toBe('21600');
    expect(vars.PACKYARD_GC_FENCE_SECONDS).toBe('1800');
    expect(vars.PACKYARD_GC_DRY_RUN).toBe('true');
    expect(() => registryStack({ gc: { fence: Duration.seconds(10) } }).template).toThrow(
      /at least 35 seconds/,
    );
  });

  it('can be left out (gc: false)', () => {
    const t = registryStack({ gc: false }).template;
    expect(Object.keys(t.findResources('AWS::Events::Rule'))).toEqual([]);
    expect(Object.keys(t.findResources('AWS::Lambda::Function'))).toHaveLength(1);
  });
});
