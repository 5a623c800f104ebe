import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnElement, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { RetentionRule } from '../../lambdas/registry/gc/retention.ts';
import { RETENTION_ENV } from '../../lambdas/registry/gc/retention-settings.ts';
import { registryBundling } from './lambda-bundling.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface GcJobOptions {
  /** When the job runs. @default every hour */
  readonly schedule?: Schedule;
  /** Retention rules (docs/deploy.md); none: versions are only removed by hand. @default [] */
  readonly retention?: readonly RetentionRule[];
  /** Unreferenced content younger than this is kept. @default 24 hours */
  readonly grace?: Duration;
  /** Condemned content is deleted by a run starting at least this much later (≥ 35 s). @default 15 minutes */
  readonly fence?: Duration;
  /** Report only (logs what a run would retire and free). @default false */
  readonly dryRun?: boolean;
}

export interface GcJobProps extends GcJobOptions {
  readonly name: string;
  readonly bucket: IBucket;
  readonly table: ITable;
  readonly logRetention: RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** The DynamoDB calls of a collection run: a Scan for the mark, the request-path writes for the sweep. */
export const GC_TABLE_ACTIONS = [
  'dynamodb:Scan',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

/**
 * Garbage collection and retention on a schedule: one Lambda (15 minutes, resumable through its
 * checkpoint) with its own role, allowed to delete only under `blobs/`, `packs/` and `gc/`.
 */
export class GcJob extends Construct {
  readonly function: NodejsFunction;
  readonly rule: Rule;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GcJobProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name}: garbage collection and retention (deletes unreferenced blobs and pack files)`,
    });
    const fence = props.fence ?? Duration.minutes(15);
    if (fence.toSeconds() < 35)
      throw new Error('gc.fence must be at least 35 seconds (longer than any request)');
    this.function = new NodejsFunction(this, 'Function', {
      description: `${props.name}: Packyard garbage collection and retention (scheduled)`,
      entry: path.join(ROOT, 'lambdas', 'gc', 'handler.ts'),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // The mark holds every digest and manifest reference in memory: ~200 bytes each.
      memorySize: 1024,
      timeout: Duration.minutes(15),
      // One run at a time: two collectors would only repeat each other's conditional steps.
      reservedConcurrentExecutions: 1,
      role: this.role,
      logGroup,
      environment: {
        PACKYARD_BUCKET: props.bucket.bucketName,
        PACKYARD_TABLE: props.table.tableName,
        [RETENTION_ENV]: JSON.stringify(props.retention ?? []),
        PACKYARD_GC_GRACE_SECONDS: String((props.grace ?? Duration.hours(24)).toSeconds()),
        PACKYARD_GC_FENCE_SECONDS: String(fence.toSeconds()),
        PACKYARD_GC_DRY_RUN: String(props.dryRun ?? false),
      },
      bundling: registryBundling(),
    });
    this.rule = new Rule(this, 'Schedule', {
      description: `${props.name}: runs garbage collection and retention`,
      schedule: props.schedule ?? Schedule.rate(Duration.hours(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    const b = props.bucket;
    const statements = [
      // Read: large manifests (blobs/) and the checkpoint; write: the checkpoint only.
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [b.arnForObjects('blobs/*'), b.arnForObjects('gc/*')],
      }),
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [b.arnForObjects('gc/*')] }),
      new PolicyStatement({
        actions: ['s3:DeleteObject'],
        resources: [b.arnForObjects('blobs/*'), b.arnForObjects('packs/*'), b.arnForObjects('gc/*')],
      }),
      // The sweep lists what the bucket holds under the two content prefixes.
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [b.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['blobs/*', 'packs/*', 'gc/*'] } },
      }),
      new PolicyStatement({ actions: GC_TABLE_ACTIONS, resources: [props.table.tableArn] }),
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ];
    for (const s of statements) this.role.addToPrincipalPolicy(s);
    const bucketId = Stack.of(b).getLogicalId(b.node.defaultChild as CfnElement);
    const reasons: Record<string, string> = {
      'blobs/': 'Garbage collection deletes unreferenced content-addressed blobs under blobs/sha256/<hex>.',
      'packs/':
        'Garbage collection deletes the extracted files of deleted pack versions under packs/<digest>/.',
      'gc/': "The collector's own checkpoint object lives under gc/.",
    };
    for (const [prefix, reason] of Object.entries(reasons))
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason,
      });
  }
}
