/**
 * The request side of the API Gateway HTTP API emulation (apigw-server.ts): the request target
 * and body as a real HTTP API reads them, and the payload format 2.0 event it builds. Sources
 * ([quotas], [format], [live], [text]) are listed in apigw-server.ts.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { ApiGatewayEvent } from '../registry/http/apigw.ts';

/** Hop-by-hop headers (RFC 9110 §7.6.1): never passed to the function or back to the client. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Target {
  rawPath: string;
  rawQueryString: string;
}

export function parseTarget(url: string, decodePath: boolean): Target | undefined {
  let target = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) {
    // absolute-form (RFC 9112 §3.2.2): keep path and query.
    const q = target.indexOf('?');
    const afterScheme = target.indexOf('//') + 2;
    const slash = target.indexOf('/', afterScheme);
    if (slash === -1 || (q !== -1 && slash > q)) target = `/${q === -1 ? '' : target.slice(q)}`;
    else target = target.slice(slash);
  }
  if (!target.startsWith('/')) return undefined; // e.g. "*" (OPTIONS *) or authority-form
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const rawQueryString = q === -1 ? '' : target.slice(q + 1);
  const rawPath = decodePath ? decodeHttpApiPath(path) : path;
  return rawPath === undefined ? undefined : { rawPath, rawQueryString };
}

/**
 * The path as a real HTTP API hands it to Lambda ([live]): percent-decoded once, cut at the
 * first "?" that decoding produced, then decoded again. So "%20" → " ", "%2F" → "/",
 * "%23" → "#", "%3F" ends the path, "%252F" → "/", "%2525" → "%", and "/a%25zz" (which the second
 * decoding cannot read) is refused. Unreadable escapes and bytes that are not UTF-8 yield
 * undefined; the gateway's answer to them (here 400 Bad Request) is inferred.
 */
export function decodeHttpApiPath(path: string): string | undefined {
  const once = percentDecode(path);
  if (once === undefined) return undefined;
  const q = once.indexOf('?');
  return percentDecode(q === -1 ? once : once.slice(0, q));
}

function percentDecode(s: string): string | undefined {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export type BodyRead = { kind: 'ok'; body: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads the body, counting bytes (chunked requests too) and giving up past `max`. */
export function readBody(req: http.IncomingMessage, max: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyRead): void => {
      if (done) return;
      done = true;
      chunks.length = 0;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return; // refused already: drained and dropped
      size += chunk.length;
      if (size > max) finish({ kind: 'too-large' });
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve({ kind: 'ok', body: Buffer.concat(chunks, size) });
      }
    });
    req.on('error', () => finish({ kind: 'aborted' }));
    req.on('close', () => finish({ kind: 'aborted' }));
  });
}

export function buildEvent(
  req: http.IncomingMessage,
  target: Target,
  body: Buffer,
  requestId: string,
  stage: string,
): ApiGatewayEvent {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    if (name === 'cookie') {
      for (const c of value.split(';')) if (c.trim()) cookies.push(c.trim());
    } else if (!HOP_BY_HOP.has(name)) {
      headers[name] = name in headers ? `${headers[name]},${value}` : value; // [format], [live]: ","
    }
  }
  const sourceIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  // Headers API Gateway adds ([live] capture); their exact form for repeated proxies is inferred.
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${sourceIp}`
    : sourceIp;
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  headers['x-forwarded-proto'] = 'http'; // the scheme clients really used, so built URLs work locally
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  // A chunked upload reaches Lambda buffered; giving it its length is inferred.
  if (body.length > 0 && headers['content-length'] === undefined)
    headers['content-length'] = String(body.length);

  const domainName = headers.host ?? 'localhost';
  const now = new Date();
  const event: ApiGatewayEvent = {
    version: '2.0',
    routeKey: '$default',
    rawPath: target.rawPath,
    rawQueryString: target.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(target.rawQueryString ? { queryStringParameters: parseQuery(target.rawQueryString) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName,
      domainPrefix: domainName.split(':')[0]?.split('.')[0] ?? domainName,
      http: {
        method: req.method ?? 'GET',
        path: target.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage,
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (body.length > 0) {
    const text = isTextual(headers['content-type']);
    event.body = body.toString(text ? 'utf8' : 'base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/** [live]: "+" is a space, "%2B" a plus, a bare key has value "", repeated keys join with ",". */
function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (key === '') continue; // inferred
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

/** [text] */
function isTextual(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(',')[0]?.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type === 'application/xml' ||
    type === 'application/javascript'
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "10/Jul/2026:19:19:05 +0000" ([format], [live]). */
export function apiGatewayTime(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return (
    `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}

/** Same shape as a real HTTP API request id ("ATfSmjLgPHcESJw="); also sent as apigw-requestid. */
export function newRequestId(): string {
  return randomBytes(11).toString('base64');
}
