import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The credentials s3rver knows; it rejects any other access key. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** dynalite checks that requests are SigV4-signed, not by whom. */
const DUMMY_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface ClientOptions {
  /** A local or S3/DynamoDB-compatible endpoint; absent = AWS itself (region and credentials from the environment). */
  endpoint?: string;
  region?: string;
  /** Defaults to the emulators' dummy credentials when `endpoint` is set, else the AWS default chain. */
  credentials?: S3ClientConfig['credentials'];
}

/**
 * An S3 client for AWS, or for a compatible endpoint (s3rver, MinIO…): path-style addressing,
 * and checksums only where an operation requires them (s3rver would otherwise store streamed
 * bodies with their aws-chunked framing).
 */
export function createS3Client({ endpoint, region, credentials }: ClientOptions = {}): S3Client {
  if (endpoint === undefined)
    return new S3Client({ ...(region && { region }), ...(credentials && { credentials }) });
  return new S3Client({
    endpoint,
    region: region ?? 'us-east-1',
    credentials: credentials ?? S3RVER_CREDENTIALS,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** A DynamoDB client for AWS, or for a local endpoint (dynalite, DynamoDB Local) with dummy credentials. */
export function createDynamoClient({
  endpoint,
  region,
  credentials,
}: Omit<ClientOptions, 'credentials'> & {
  credentials?: DynamoDBClientConfig['credentials'];
} = {}): DynamoDBClient {
  if (endpoint === undefined) {
    return new DynamoDBClient({ ...(region && { region }), ...(credentials && { credentials }) });
  }
  return new DynamoDBClient({
    endpoint,
    region: region ?? 'us-east-1',
    credentials: credentials ?? DUMMY_CREDENTIALS,
  });
}
