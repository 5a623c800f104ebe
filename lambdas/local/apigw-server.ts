/**
 * Runs a registry `Handler` behind a real `node:http` server the way API Gateway HTTP API
 * (payload format 2.0, `$default` route, Lambda proxy integration) invokes the deployed function,
 * so `packyard serve` and the integration tests exercise the exact Lambda handler over sockets.
 *
 * Where a behaviour below is taken from documentation or live captures the source is named; where
 * no source was found it is marked "inferred" and chosen to be the stricter of the plausible ones.
 *
 * Sources (stored copies, checked with the project's search tool):
 * - [quotas] AWS, "Quotas for configuring and running an HTTP API": maximum integration timeout
 *   30 s; "total combined size of request line and header values" 10240 bytes; payload 10 MB.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 * - [format] AWS, "Create AWS Lambda proxy integrations for HTTP APIs": format 2.0 combines
 *   duplicate headers and query strings with commas; every Cookie header goes to `cookies`; each
 *   response cookie becomes a set-cookie header; header names arrive lower-case.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 * - [infer] AWS knowledge center, "map the status codes returned by HTTP APIs": with format 2.0,
 *   a function response without a statusCode is taken as isBase64Encoded false, statusCode 200,
 *   content-type application/json, body = the function's response.
 *   https://repost.aws/knowledge-center/api-gateway-status-codes-http-api
 * - [500] AWS, "Troubleshooting issues with HTTP API Lambda integrations": a failed integration
 *   answers {"message":"Internal Server Error"}.
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
 * - [503] cortexlabs/cortex docs (troubleshooting/api-request-errors.md, PR #1264, issue #1226):
 *   an API Gateway HTTP API answers 503 {"message":"Service Unavailable"} when the integration
 *   runs past the timeout (REST APIs answer 504 instead, per the AWS knowledge center).
 * - [live] hotsock/voker vokerhttp/testdata (CloudWatch captures of real HTTP API events,
 *   us-west-2, July 2026): rawPath and requestContext.http.path arrive percent-DECODED, see
 *   `decodeHttpApiPath`; rawQueryString arrives as sent; queryStringParameters decode "+" as a
 *   space; repeated headers are joined with "," (no space); requestId looks like "ATfSmjLgPHcESJw=".
 * - [text] ministackorg/ministack PR #766 (checked against real AWS): the body arrives as text only
 *   for text/*, application/json, application/xml and application/javascript; everything else,
 *   including a missing content-type, application/x-www-form-urlencoded and (by the same rule)
 *   application/*+json such as OCI manifests, arrives base64-encoded.
 * - [tool] aws/aws-lambda-dotnet Tools/LambdaTestTool-v2 (AWS's own emulator): maps Lambda's
 *   RequestEntityTooLargeException to a 413 and observes content-type text/plain; charset=utf-8
 *   when a format 2.0 response sets none.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ApiGatewayEvent, type Handler, LIMITS } from '../registry/http/apigw.ts';
import { buildEvent, HOP_BY_HOP, newRequestId, parseTarget, readBody } from './apigw-event.ts';

export { apiGatewayTime, decodeHttpApiPath } from './apigw-event.ts';

export type ApiGatewayLimits = Record<keyof typeof LIMITS, number>;

export interface ApiGatewayLogEntry {
  level: 'info' | 'warn' | 'error';
  message: string;
  requestId?: string;
  error?: unknown;
}

export type ApiGatewayLog = (entry: ApiGatewayLogEntry) => void;

export interface ApiGatewayServerOptions {
  handler: Handler;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** `$default` (default): paths are not prefixed. Another name: paths must start with `/<stage>`. */
  stage?: string;
  /** Override platform limits, e.g. a small `timeoutMs` in tests. */
  limits?: Partial<ApiGatewayLimits>;
  /** Errors, warnings and one `info` line per request. Default: warnings and errors to stderr. */
  log?: ApiGatewayLog;
  /**
   * How rawPath is built. `http-api` (default) decodes it as a real HTTP API does (see
   * `decodeHttpApiPath`); `as-received` keeps the request target's percent-encoding.
   */
  pathDecoding?: 'http-api' | 'as-received';
  /** How long `close()` lets in-flight requests finish before cutting their connections. */
  closeGraceMs?: number;
}

export interface ApiGatewayServer {
  url: string;
  port: number;
  /** Stops accepting, closes idle keep-alive connections now and busy ones after the grace. */
  close(): Promise<void>;
}

/** [quotas] request line + header values; Node counts the whole header block, slightly stricter. */
const MAX_HEADER_BYTES = 10_240;
/** After refusing an upload, how long to drain what the client already sent before cutting it. */
const LINGER_MS = 1_000;

const defaultLog: ApiGatewayLog = (entry) => {
  if (entry.level === 'info') return;
  const id = entry.requestId ? ` [${entry.requestId}]` : '';
  console.error(`apigw${id}: ${entry.message}`, ...(entry.error === undefined ? [] : [entry.error]));
};

export async function startApiGatewayServer(options: ApiGatewayServerOptions): Promise<ApiGatewayServer> {
  const { handler, port = 0, host = '127.0.0.1', stage = '$default', closeGraceMs = 1_000 } = options;
  const limits: ApiGatewayLimits = { ...LIMITS, ...options.limits };
  const userLog = options.log ?? defaultLog;
  const log: ApiGatewayLog = (entry) => {
    try {
      userLog(entry);
    } catch {
      // A failing logger must not take a request (or the server) down.
    }
  };
  const decodePath = options.pathDecoding !== 'as-received';
  let closing = false;

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES });

  const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const requestId = newRequestId();
    const started = Date.now();
    res.on('error', () => {}); // the client went away; nothing left to tell it
    res.on('finish', () => {
      log({
        level: 'info',
        requestId,
        message: `${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`,
      });
      if (closing) server.closeIdleConnections();
    });
    if (closing) res.shouldKeepAlive = false;
    handleRequest(req, res, requestId).catch((error: unknown) => {
      log({ level: 'error', requestId, message: 'local API Gateway failed', error });
      if (!res.headersSent) sendGatewayError(req, res, requestId, 500, 'Internal Server Error');
      else res.destroy();
    });
  };

  const handleRequest = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
  ): Promise<void> => {
    const target = parseTarget(req.url ?? '', decodePath);
    if (!target) return sendGatewayError(req, res, requestId, 400, 'Bad Request');
    if (stage !== '$default' && target.rawPath !== `/${stage}` && !target.rawPath.startsWith(`/${stage}/`)) {
      return sendGatewayError(req, res, requestId, 404, 'Not Found');
    }

    // [quotas] 10 MB payload: refuse on the declared length before reading a byte of the body.
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limits.apiGatewayRequestBytes) {
      return refuseUpload(req, res, requestId, 413, 'Request Entity Too Large');
    }
    const read = await readBody(req, limits.apiGatewayRequestBytes);
    if (read.kind === 'aborted') return; // client gone: API Gateway never invokes the function
    if (read.kind === 'too-large') return refuseUpload(req, res, requestId, 413, 'Request Entity Too Large');

    const event = buildEvent(req, target, read.body, requestId, stage);
    const payload = JSON.stringify(event);
    if (Buffer.byteLength(payload) > limits.lambdaPayloadBytes) {
      // Lambda refuses the invoke ("Request must be smaller than 6291456 bytes for the
      // InvokeFunction operation", RequestEntityTooLargeException); [tool] surfaces it as a 413.
      // The status and message API Gateway itself sends here are inferred.
      log({
        level: 'warn',
        requestId,
        message: `Request must be smaller than ${limits.lambdaPayloadBytes} bytes for the InvokeFunction operation`,
      });
      return sendGatewayError(req, res, requestId, 413, 'Request Entity Too Large');
    }

    // The function receives the event as Lambda delivers it: parsed from JSON.
    const outcome = await invoke(handler, JSON.parse(payload) as ApiGatewayEvent, limits.timeoutMs);
    if (outcome.kind === 'timeout') {
      log({ level: 'error', requestId, message: `handler ran past ${limits.timeoutMs} ms` });
      outcome.late.then(
        () => log({ level: 'warn', requestId, message: 'handler finished after the timeout' }),
        (error: unknown) =>
          log({ level: 'warn', requestId, message: 'handler failed after the timeout', error }),
      );
      return sendGatewayError(req, res, requestId, 503, 'Service Unavailable'); // [503]
    }
    if (outcome.kind === 'error') {
      log({ level: 'error', requestId, message: 'handler threw', error: outcome.error });
      return sendGatewayError(req, res, requestId, 500, 'Internal Server Error'); // [500]
    }

    const mapped = mapResult(outcome.value, limits.lambdaPayloadBytes);
    if ('problem' in mapped) {
      log({ level: 'error', requestId, message: mapped.problem });
      return sendGatewayError(req, res, requestId, 500, 'Internal Server Error');
    }
    sendResult(req, res, requestId, mapped);
  };

  server.on('request', serve);
  // Expect: 100-continue: refuse an oversized upload before the client sends it.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) <= limits.apiGatewayRequestBytes) res.writeContinue();
    serve(req, res);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: http.ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    // What API Gateway answers to malformed requests and oversized headers is inferred.
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
    const body = JSON.stringify({ message });
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log({ level: 'error', message: 'server error', error }));

  const boundPort = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${boundPort}`,
    port: boundPort,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), closeGraceMs).unref();
      });
      return closed;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Invocation

type Outcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout'; late: Promise<unknown> };

async function invoke(handler: Handler, event: ApiGatewayEvent, timeoutMs: number): Promise<Outcome> {
  const run = (async () => handler(event))(); // a synchronous throw becomes a rejection
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout', late: run }), timeoutMs);
  });
  try {
    return await Promise.race([
      run.then(
        (value): Outcome => ({ kind: 'ok', value }),
        (error: unknown): Outcome => ({ kind: 'error', error }),
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Response side

interface Mapped {
  status: number;
  headers: [string, string][];
  cookies: string[];
  body: Buffer;
  /** The function set content-length itself (kept for HEAD answers). */
  declaredLength?: string;
}

/**
 * Interprets what the function returned the way Lambda + API Gateway do: the value is serialised
 * to JSON (Lambda's payload; over the payload limit Lambda fails the invocation: 500), then an
 * object with a statusCode is a response; anything else is the body of a 200 ([infer]). A string is
 * the body itself, other values their JSON (the docs' "Hello from Lambda!" example; inferred for
 * non-strings). Malformed responses (a bad statusCode, a non-string body or header value) are
 * treated as integration failures: inferred.
 */
function mapResult(value: unknown, maxPayload: number): Mapped | { problem: string } {
  let payload: string;
  try {
    payload = JSON.stringify(value) ?? 'null'; // undefined: Node's runtime sends null
  } catch (error) {
    return { problem: `handler result is not JSON-serialisable: ${(error as Error).message}` };
  }
  const size = Buffer.byteLength(payload);
  if (size > maxPayload) {
    return {
      problem: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${maxPayload} bytes).`,
    };
  }
  const result: unknown = JSON.parse(payload);
  if (typeof result !== 'object' || result === null || Array.isArray(result) || !('statusCode' in result)) {
    const body = typeof result === 'string' ? result : payload;
    return {
      status: 200,
      headers: [['content-type', 'application/json']],
      cookies: [],
      body: Buffer.from(body),
    };
  }

  const r = result as Record<string, unknown>;
  const status = r.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    return { problem: `invalid statusCode ${JSON.stringify(status)}` };
  }
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') {
    return { problem: 'body must be a string' };
  }
  const headers: [string, string][] = [];
  let declaredLength: string | undefined;
  let hasType = false;
  const cookies: string[] = [];
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers))
      return { problem: 'headers must be an object' };
    for (const [name, v] of Object.entries(r.headers)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        return { problem: `header ${name} must be a string` };
      }
      const value = String(v);
      try {
        http.validateHeaderName(name);
        http.validateHeaderValue(name, value);
      } catch (error) {
        return { problem: `invalid header ${JSON.stringify(name)}: ${(error as Error).message}` };
      }
      const lower = name.toLowerCase();
      if (lower === 'content-length') declaredLength = value;
      else if (lower === 'set-cookie') cookies.push(value);
      else if (!HOP_BY_HOP.has(lower)) {
        if (lower === 'content-type') hasType = true;
        headers.push([lower, value]);
      }
    }
  }
  if (r.cookies !== undefined && r.cookies !== null) {
    if (!Array.isArray(r.cookies) || r.cookies.some((c) => typeof c !== 'string')) {
      return { problem: 'cookies must be an array of strings' };
    }
    for (const c of r.cookies as string[]) {
      try {
        http.validateHeaderValue('set-cookie', c);
      } catch (error) {
        return { problem: `invalid cookie: ${(error as Error).message}` };
      }
    }
    cookies.unshift(...(r.cookies as string[])); // [format]: one set-cookie per entry
  }
  if (!hasType) headers.push(['content-type', 'text/plain; charset=utf-8']); // [tool]
  const text = typeof r.body === 'string' ? r.body : '';
  const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { status, headers, cookies, body, ...(declaredLength === undefined ? {} : { declaredLength }) };
}

function mayHaveBody(req: http.IncomingMessage, status: number): boolean {
  return req.method !== 'HEAD' && status !== 204 && status !== 304;
}

function sendResult(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, m: Mapped): void {
  for (const [name, value] of m.headers) res.setHeader(name, value);
  if (m.cookies.length > 0) res.setHeader('set-cookie', m.cookies);
  res.setHeader('apigw-requestid', requestId);
  if (req.method === 'HEAD') {
    // HEAD: the function's headers, its Content-Length if it set one, never a body.
    res.setHeader('content-length', m.declaredLength ?? String(m.body.length));
    res.writeHead(m.status).end();
  } else if (!mayHaveBody(req, m.status)) {
    res.writeHead(m.status).end();
  } else {
    // The bytes actually sent decide the length, whatever the function declared.
    res.setHeader('content-length', String(m.body.length));
    res.writeHead(m.status).end(m.body);
  }
}

/** API Gateway's own answers: JSON {"message": …}. */
function sendGatewayError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
  status: number,
  message: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = Buffer.from(JSON.stringify({ message }));
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', String(body.length));
  res.setHeader('apigw-requestid', requestId);
  res.writeHead(status);
  if (mayHaveBody(req, status)) res.end(body);
  else res.end();
}

/**
 * Answers before the body was read, then drops the connection: what the client already sent is
 * drained (not kept) for a moment so the answer is not lost to a TCP reset, then cut.
 */
function refuseUpload(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
  status: number,
  message: string,
): void {
  res.shouldKeepAlive = false;
  res.setHeader('connection', 'close');
  res.on('finish', () => {
    const socket = req.socket;
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
  req.resume();
  sendGatewayError(req, res, requestId, status, message);
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
