import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { GSI1 } from '../../lambdas/registry/adapters/dynamo/table.ts';
import { BUCKET_PREFIXES, UPLOADS_PREFIX } from './storage.ts';

/**
 * The DynamoDB calls the index adapter makes (docs/storage.md: no Scan, no batch writes, no
 * transactions; BatchGetItem answers the pack lookup). The storage tests record every command the
 * adapter sends against dynalite and check it is one of these.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
];

const PREFIX_REASONS: Record<(typeof BUCKET_PREFIXES)[number], string> = {
  'blobs/':
    'Blobs are content-addressed objects under blobs/sha256/<hex>; their names are not known in advance.',
  'packs/': 'Pack files extracted on push live under packs/<manifest digest>/<file>.',
  'uploads/': 'Upload chunks live under uploads/<session id>/, one object per chunk.',
};

/**
 * Least privilege for the registry function, written out rather than through grant*() helpers
 * (which add batch and scan actions and `index/*`): exactly the calls the adapters make, on
 * exactly the resources the registry owns.
 */
export function grantRegistryAccess(
  role: IRole,
  r: { bucket: IBucket; table: ITable; secret: ISecret; logGroup: ILogGroup },
): void {
  const objects = BUCKET_PREFIXES.map((p) => r.bucket.arnForObjects(`${p}*`));
  const statements = [
    // Reads and writes (PutObject also covers multipart uploads and the copy's destination).
    new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: objects }),
    // Only upload chunks are ever deleted; blobs and pack files stay for garbage collection.
    new PolicyStatement({
      actions: ['s3:DeleteObject', 's3:AbortMultipartUpload'],
      resources: [r.bucket.arnForObjects(`${UPLOADS_PREFIX}*`)],
    }),
    // Without ListBucket, S3 answers 403 instead of 404 for a missing key, and the registry could
    // not tell "no such blob" from "access denied". The bucket holds nothing but registry data.
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [r.bucket.bucketArn] }),
    new PolicyStatement({ actions: TABLE_ACTIONS, resources: [r.table.tableArn] }),
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${r.table.tableArn}/index/${GSI1}`],
    }),
    new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [r.secret.secretArn] }),
    new PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [r.logGroup.logGroupArn],
    }),
  ];
  for (const s of statements) role.addToPrincipalPolicy(s);

  // cdk-nag reports each wildcard resource separately (by the bucket's logical id); each is a key
  // prefix of the registry's own bucket, never a wildcard over other resources.
  const bucketId = Stack.of(r.bucket).getLogicalId(r.bucket.node.defaultChild as CfnElement);
  for (const prefix of BUCKET_PREFIXES) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
      reason: PREFIX_REASONS[prefix],
    });
  }
}
