import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureUser } from '../../lambdas/admin-index.ts';
import { type EmbeddedStorage, startEmbeddedStorage } from '../../lambdas/local/embedded-storage.ts';
import type { ApiGatewayEvent } from '../../lambdas/registry/http/apigw.ts';
import { registryFromEnv, tokenSignerFromEnv } from '../../lambdas/registry/wiring.ts';
import { tempDir } from '../helpers/packs.ts';
import { basic, READER } from '../helpers/registry.ts';

// The deployed stack hands the Lambda a Secrets Manager ARN, not the secret. The handler must
// start without it (cold starts that only serve /health pay nothing), fetch it once on the first
// token, and retry after a failed fetch. Storage is real (s3rver, dynalite); only the Secrets
// Manager port is a fake, counting its calls.

function event(path: string, headers: Record<string, string> = {}, query = ''): ApiGatewayEvent {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'registry.example.com', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'registry.example.com',
      domainPrefix: 'registry',
      http: { method: 'GET', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: `test-${now.getTime()}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
}

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:packyard-token-AbCdEf';

describe('token secret from Secrets Manager', () => {
  let storage: EmbeddedStorage;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {}); // the handler's access log
    storage = await startEmbeddedStorage({ dataDir: tempDir('token-secret-') });
    await ensureUser(storage.index, READER);
    env = {
      PACKYARD_BUCKET: storage.s3.bucket,
      PACKYARD_TABLE: storage.dynamodb.table,
      PACKYARD_S3_ENDPOINT: storage.s3.endpoint,
      PACKYARD_DYNAMODB_ENDPOINT: storage.dynamodb.endpoint,
      PACKYARD_TOKEN_SECRET_ARN: ARN,
    };
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await storage?.close();
  });

  it('loads the secret on the first token, once per container, not at start-up', async () => {
    // What the stack generates: 64 alphanumeric characters (decoded as base64: 48 bytes).
    const secret = randomBytes(48)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, 'A');
    const asked: string[] = [];
    let calls = 0;
    const handler = registryFromEnv(env, (arn) => {
      asked.push(arn);
      return async () => {
        calls++;
        return secret;
      };
    });

    expect((await handler(event('/health'))).statusCode).toBe(200);
    expect(calls).toBe(0);

    const scope = 'scope=repository:spectro-packs/archive/x:pull&service=packyard';
    const [a, b] = await Promise.all([
      handler(event('/v2/token', { authorization: basic(READER) }, scope)),
      handler(event('/v2/token', { authorization: basic(READER) }, scope)),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const token = JSON.parse(a.body as string).token as string;
    // The token verifies against the same secret, and nothing is fetched again.
    const base = await handler(event('/v2/', { authorization: `Bearer ${token}` }));
    expect(base.statusCode).toBe(200);
    expect(calls).toBe(1);
    expect(asked).toEqual([ARN]);
  });

  it('retries a failed load on the next request instead of keeping the failure', async () => {
    let calls = 0;
    const secret = randomBytes(32).toString('base64');
    const handler = registryFromEnv(env, () => async () => {
      calls++;
      if (calls === 1) throw new Error('Secrets Manager unavailable');
      return secret;
    });
    const req = () =>
      handler(
        event('/v2/token', { authorization: basic(READER) }, 'scope=repository:spectro-packs/archive/x:pull'),
      );
    expect((await req()).statusCode).toBe(500);
    expect((await req()).statusCode).toBe(200);
    expect(calls).toBe(2);
  });

  it('refuses a secret shorter than 32 bytes when it is first used', async () => {
    const signer = tokenSignerFromEnv(
      { PACKYARD_TOKEN_SECRET_ARN: ARN },
      'packyard',
      () => async () => 'short',
    );
    await expect(signer.issue('x', [], 60)).rejects.toThrow(/at least 32 bytes/);
  });

  it('still takes the secret itself from PACKYARD_TOKEN_SECRET, without the loader', async () => {
    const signer = tokenSignerFromEnv(
      { PACKYARD_TOKEN_SECRET: randomBytes(32).toString('base64'), PACKYARD_TOKEN_SECRET_ARN: ARN },
      'packyard',
      () => {
        throw new Error('must not be called');
      },
    );
    const { token } = await signer.issue('ci', [], 60);
    expect((await signer.verify(token))?.subject).toBe('ci');
    expect(() => tokenSignerFromEnv({}, 'packyard')).toThrow(/PACKYARD_TOKEN_SECRET_ARN/);
  });
});
