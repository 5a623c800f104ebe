/**
 * The subset of API Gateway HTTP API (payload format 2.0) events and results the registry uses.
 * Header names arrive lower-cased; repeated headers are comma-joined; a binary body arrives
 * base64-encoded with isBase64Encoded set.
 */
export interface ApiGatewayEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export interface ApiGatewayResult {
  statusCode: number;
  headers?: Record<string, string>;
  /** Set-Cookie values; unused by the registry but part of the format. */
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

export type Handler = (event: ApiGatewayEvent) => Promise<ApiGatewayResult>;

/** Platform limits the deployed registry lives within; the local adapter enforces the same. */
export const LIMITS = {
  /** API Gateway HTTP API maximum request size. */
  apiGatewayRequestBytes: 10 * 1024 * 1024,
  /** Lambda synchronous invocation payload (request and response), after base64. */
  lambdaPayloadBytes: 6 * 1024 * 1024,
  /** API Gateway HTTP API integration timeout. */
  timeoutMs: 30_000,
} as const;
