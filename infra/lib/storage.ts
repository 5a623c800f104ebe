import { Duration, RemovalPolicy as Removal, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  type SchemaOptions,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE, tableDefinition } from '../../lambdas/registry/adapters/dynamo/table.ts';

/** The S3 key prefixes the registry writes (docs/storage.md, "Key layout"). */
export const BUCKET_PREFIXES = ['blobs/', 'packs/', 'uploads/'] as const;
/** Where chunked uploads live until they are assembled; the only prefix the registry deletes in. */
export const UPLOADS_PREFIX = 'uploads/';

export interface RegistryStorageProps {
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly serverAccessLogs: boolean;
}

/** The blob bucket and the index table, configured as docs/storage.md requires. */
export class RegistryStorage extends Construct {
  readonly bucket: Bucket;
  readonly table: Table;
  readonly accessLogsBucket?: Bucket;

  constructor(scope: Construct, id: string, props: RegistryStorageProps) {
    super(scope, id);
    // Deliver server access logs through a bucket policy rather than the LogDeliveryWrite ACL,
    // which would need ACLs enabled (object ownership "ObjectWriter") on the log bucket. Set here,
    // not in cdk.json, so the construct behaves the same in any app.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const privateBucket = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
    };

    if (props.serverAccessLogs) {
      this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
        ...privateBucket,
        lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(props.logRetention) }],
      });
    }

    this.bucket = new Bucket(this, 'Blobs', {
      ...privateBucket,
      // Blobs are content-addressed and never overwritten with other bytes; versioning would only
      // keep the expired upload chunks around (docs/storage.md).
      versioned: false,
      ...(this.accessLogsBucket && {
        serverAccessLogsBucket: this.accessLogsBucket,
        serverAccessLogsPrefix: 'blobs-bucket/',
      }),
      lifecycleRules: [
        {
          // A Lambda stopped in the middle of assembling a blob leaves invisible, billed parts.
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        {
          // Chunks of abandoned uploads; sessions live 24 h, so 2 days never removes a live one.
          id: 'expire-abandoned-uploads',
          prefix: UPLOADS_PREFIX,
          expiration: Duration.days(2),
        },
      ],
    });
    if (!this.accessLogsBucket) {
      Validations.of(this.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason: 'Server access logs were turned off for this deployment (serverAccessLogs: false).',
      });
    }

    const { globalSecondaryIndexes, ...keys } = tableKeys();
    this.table = new Table(this, 'Index', {
      ...keys,
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Protects a retained table from a stray delete; a table meant to be destroyed must not have it.
      deletionProtection: props.removalPolicy === Removal.RETAIN,
      removalPolicy: props.removalPolicy,
    });
    for (const gsi of globalSecondaryIndexes) this.table.addGlobalSecondaryIndex(gsi);
  }
}

/**
 * The keys and indexes of `tableDefinition()` (lambdas/registry/adapters/dynamo/table.ts) in CDK's
 * terms: the code that reads the table and the stack that creates it share one definition.
 */
export function tableKeys() {
  const def = tableDefinition('unused');
  const attributeType = (name: string): AttributeType => {
    const t = def.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
    if (t === 'S') return AttributeType.STRING;
    if (t === 'N') return AttributeType.NUMBER;
    if (t === 'B') return AttributeType.BINARY;
    throw new Error(`tableDefinition() does not define attribute ${name}`);
  };
  const keys = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) => {
    const attr = (type: string): SchemaOptions['partitionKey'] | undefined => {
      const name = schema?.find((k) => k.KeyType === type)?.AttributeName;
      return name ? { name, type: attributeType(name) } : undefined;
    };
    const partitionKey = attr('HASH');
    if (!partitionKey) throw new Error('tableDefinition() has a key schema without a partition key');
    const sortKey = attr('RANGE');
    return { partitionKey, ...(sortKey && { sortKey }) };
  };
  return {
    ...keys(def.KeySchema),
    globalSecondaryIndexes: (def.GlobalSecondaryIndexes ?? []).map((gsi) => {
      if (!gsi.IndexName) throw new Error('tableDefinition() has an index without a name');
      if (gsi.Projection?.ProjectionType !== 'ALL')
        throw new Error(`index ${gsi.IndexName}: only projection ALL is mapped`);
      return { indexName: gsi.IndexName, ...keys(gsi.KeySchema), projectionType: ProjectionType.ALL };
    }),
  };
}
