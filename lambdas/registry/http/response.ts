import type { OciError } from '../oci/errors.ts';
import type { ApiGatewayResult } from './apigw.ts';

const BASE_HEADERS = { 'docker-distribution-api-version': 'registry/2.0' };

export function respond(
  status: number,
  headers: Record<string, string> = {},
  body?: Uint8Array | string,
): ApiGatewayResult {
  const h: Record<string, string> = { ...BASE_HEADERS, ...headers };
  if (body === undefined) {
    if (!('content-length' in h)) h['content-length'] = '0';
    return { statusCode: status, headers: h };
  }
  if (typeof body === 'string') {
    h['content-length'] ??= String(Buffer.byteLength(body));
    return { statusCode: status, headers: h, body };
  }
  h['content-length'] ??= String(body.length);
  return {
    statusCode: status,
    headers: h,
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): ApiGatewayResult {
  return respond(status, { 'content-type': 'application/json', ...headers }, `${JSON.stringify(value)}\n`);
}

export function ociErrorResponse(err: OciError): ApiGatewayResult {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.detail !== undefined) error.detail = err.detail;
  return json(err.status, { errors: [error] }, err.headers);
}

/** A HEAD response: GET's status and headers, no body (Content-Length kept). */
export function withoutBody(res: ApiGatewayResult): ApiGatewayResult {
  const { body: _body, isBase64Encoded: _b64, ...rest } = res;
  return rest;
}
