import type { ApiGatewayEvent } from './apigw.ts';

/** A request as the registry sees it: parsed once from the API Gateway event. */
export interface Request {
  method: string;
  /** The path as API Gateway passes it: already percent-decoded (names and tags never need encoding). */
  path: string;
  query: URLSearchParams;
  header(name: string): string | undefined;
  body: Uint8Array;
  /** The configured public URL, else API Gateway's own domain name: for Location headers and token realms. */
  baseUrl: string;
  sourceIp: string;
}

export function toRequest(event: ApiGatewayEvent, publicUrl?: string): Request {
  const headers = event.headers ?? {};
  const body =
    event.body === undefined || event.body === null
      ? new Uint8Array()
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64')
        : Buffer.from(event.body, 'utf8');
  // Never the Host or X-Forwarded-Host header: the client chooses those, and a token realm built
  // from them would send credentials wherever the client (or a proxy in between) said.
  const host = event.requestContext?.domainName ?? 'localhost';
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim() === 'http' ? 'http' : 'https';
  return {
    method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(),
    path: event.rawPath || '/',
    query: new URLSearchParams(event.rawQueryString ?? ''),
    header: (name) => headers[name.toLowerCase()],
    body,
    baseUrl: (publicUrl ?? `${proto}://${host}`).replace(/\/+$/, ''),
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
  };
}
