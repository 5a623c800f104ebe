import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiGatewayLogEntry,
  type ApiGatewayServer,
  decodeHttpApiPath,
  startApiGatewayServer,
} from '../../lambdas/local/apigw-server.ts';
import type { ApiGatewayEvent, ApiGatewayResult, Handler } from '../../lambdas/registry/http/apigw.ts';

const MB = 1024 * 1024;
const TIMEOUT_MS = 150;

/** A fake function: the path picks what it does; by default it echoes the event as JSON. */
const calls: ApiGatewayEvent[] = [];
const handler: Handler = async (event): Promise<ApiGatewayResult> => {
  calls.push(event);
  const path = event.rawPath;
  if (path === '/throw') throw new Error('boom');
  if (path === '/slow') {
    await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
    return { statusCode: 200, body: 'too late' };
  }
  if (path === '/big-response') return { statusCode: 200, body: 'x'.repeat(6.5 * MB) };
  if (path === '/size')
    return {
      statusCode: 200,
      body: String(Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8').length),
    };
  if (path === '/mirror') {
    return {
      statusCode: 201,
      headers: { 'content-type': 'application/octet-stream', 'x-was-base64': String(event.isBase64Encoded) },
      body: event.body ?? '',
      isBase64Encoded: event.isBase64Encoded,
    };
  }
  if (path === '/head') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/octet-stream', 'content-length': '1234', 'x-custom': 'yes' },
    };
  }
  if (path === '/cookies') return { statusCode: 204, cookies: ['a=1; Path=/', 'b=2'] };
  if (path === '/string') return 'hello' as never;
  if (path === '/object') return { message: 'hi' } as never;
  if (path === '/bad-status') return { statusCode: 'OK' } as never;
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) };
};

const logs: ApiGatewayLogEntry[] = [];
let gw: ApiGatewayServer;

beforeAll(async () => {
  gw = await startApiGatewayServer({ handler, limits: { timeoutMs: TIMEOUT_MS }, log: (e) => logs.push(e) });
});
afterAll(() => gw.close());

async function echo(path: string, init?: RequestInit): Promise<ApiGatewayEvent> {
  const res = await fetch(gw.url + path, init);
  expect(res.status).toBe(200);
  return (await res.json()) as ApiGatewayEvent;
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** node:http, for what fetch cannot express: repeated header lines, chunked uploads, early answers. */
function request(
  path: string,
  options: http.RequestOptions & { body?: Buffer | ((req: http.ClientRequest) => void) } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${gw.url}${path}`, { agent: false, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', () => {}); // the server may cut an upload it refused; the answer is what counts
    if (typeof options.body === 'function') options.body(req);
    else req.end(options.body);
  });
}

/** Raw bytes over a socket, for requests no HTTP client will send. */
function rawSocket(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', () => resolve(out));
  });
}

describe('event shape', () => {
  it('builds a format 2.0 event like an HTTP API', async () => {
    const res = await request('/echo/a%2Fb%20c?x=1&x=2&plus=a+b&enc=a%2Bb&empty=', {
      headers: { 'X-Multi': ['one', 'two'], Cookie: ['s=1; t=2', 'u=3'], 'User-Agent': 'test-agent' },
    });
    expect(res.status).toBe(200);
    const event = JSON.parse(res.body.toString()) as ApiGatewayEvent;
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('$default');
    expect(event.rawPath).toBe('/echo/a/b c'); // HTTP APIs decode the path
    expect(event.rawQueryString).toBe('x=1&x=2&plus=a+b&enc=a%2Bb&empty=');
    expect(event.queryStringParameters).toEqual({ x: '1,2', plus: 'a b', enc: 'a+b', empty: '' });
    expect(event.headers['x-multi']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['s=1', 't=2', 'u=3']);
    expect(event.headers['user-agent']).toBe('test-agent');
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
    const ctx = event.requestContext;
    expect(ctx.http).toEqual({
      method: 'GET',
      path: '/echo/a/b c',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'test-agent',
    });
    expect(ctx.requestId).toBe(res.headers['apigw-requestid']);
    expect(ctx.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(ctx.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(ctx.domainName).toBe(`127.0.0.1:${gw.port}`);
    expect(ctx.stage).toBe('$default');
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('omits query parameters and cookies when there are none', async () => {
    const event = await echo('/plain');
    expect(event.rawQueryString).toBe('');
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.cookies).toBeUndefined();
  });

  it('decodes paths the way live HTTP API captures show', () => {
    expect(decodeHttpApiPath('/capture/space%20value')).toBe('/capture/space value');
    expect(decodeHttpApiPath('/capture/question%3Fvalue')).toBe('/capture/question');
    expect(decodeHttpApiPath('/capture/hash%23value')).toBe('/capture/hash#value');
    expect(decodeHttpApiPath('/capture/slash%2Fvalue')).toBe('/capture/slash/value');
    expect(decodeHttpApiPath('/capture/unicode-%CE%BB')).toBe('/capture/unicode-λ');
    expect(decodeHttpApiPath('/capture/literal%252Fvalue')).toBe('/capture/literal/value');
    expect(decodeHttpApiPath('/capture/literal%253Fvalue')).toBe('/capture/literal?value');
    expect(decodeHttpApiPath('/capture/literal%2525value')).toBe('/capture/literal%value');
    expect(decodeHttpApiPath('/capture/percent%25done')).toBeUndefined(); // rejected by AWS
  });

  it('passes a text body as text', async () => {
    const body = JSON.stringify({ hello: 'wörld' });
    const event = await echo('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(body);
    expect(event.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('base64-encodes binary bodies and round-trips random bytes', async () => {
    const bytes = randomBytes(256 * 1024);
    const res = await fetch(`${gw.url}/mirror`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-was-base64')).toBe('true');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('base64-encodes +json media types and bodies without a content type', async () => {
    const manifest = '{"schemaVersion":2}';
    const oci = await echo('/echo', {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    expect(oci.isBase64Encoded).toBe(true);
    expect(Buffer.from(oci.body ?? '', 'base64').toString()).toBe(manifest);
    const untyped = await request('/echo', { method: 'POST', body: Buffer.from('abc') });
    const event = JSON.parse(untyped.body.toString()) as ApiGatewayEvent;
    expect(event.isBase64Encoded).toBe(true);
  });
});

describe('results', () => {
  it('answers HEAD with the function headers and Content-Length but no body', async () => {
    const res = await request('/head', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('1234');
    expect(res.headers['x-custom']).toBe('yes');
    expect(res.body.length).toBe(0);
    // The connection is still usable: nothing was written after the headers.
    expect((await fetch(`${gw.url}/plain`)).status).toBe(200);
  });

  it('maps cookies to Set-Cookie', async () => {
    const res = await fetch(`${gw.url}/cookies`);
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
  });

  it('infers a 200 JSON response when the result has no statusCode', async () => {
    const str = await fetch(`${gw.url}/string`);
    expect(str.status).toBe(200);
    expect(str.headers.get('content-type')).toBe('application/json');
    expect(await str.text()).toBe('hello');
    const obj = await fetch(`${gw.url}/object`);
    expect(await obj.json()).toEqual({ message: 'hi' });
  });

  it('answers 500 to a malformed result', async () => {
    const res = await fetch(`${gw.url}/bad-status`);
    expect(res.status).toBe(500);
  });
});

describe('platform limits', () => {
  it('refuses a declared body over 10 MB without reading it', async () => {
    const before = calls.length;
    const started = Date.now();
    const res = await request('/size', {
      method: 'PUT',
      headers: { 'content-length': String(11 * MB), 'content-type': 'application/octet-stream' },
      body: (req) => req.flushHeaders(), // headers only: the answer must not wait for the body
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Request Entity Too Large' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(calls.length).toBe(before);
    // fetch, sending the whole body with its length, gets the same answer.
    const viaFetch = await fetch(`${gw.url}/size`, { method: 'PUT', body: Buffer.alloc(11 * MB) });
    expect(viaFetch.status).toBe(413);
    expect(calls.length).toBe(before);
  });

  it('refuses an oversized Expect: 100-continue upload without inviting the body', async () => {
    let continued = false;
    const res = await request('/size', {
      method: 'PUT',
      headers: { 'content-length': String(11 * MB), expect: '100-continue' },
      body: (req) => {
        req.on('continue', () => {
          continued = true;
        });
        req.flushHeaders();
      },
    });
    expect(res.status).toBe(413);
    expect(continued).toBe(false);
  });

  it('refuses a chunked body once it passes 10 MB', async () => {
    const before = calls.length;
    const chunk = Buffer.alloc(MB, 1);
    const res = await request('/size', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' }, // no length: chunked
      body: (req) => {
        let sent = 0;
        const pump = (): void => {
          while (sent < 12) {
            sent++;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        pump();
      },
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Request Entity Too Large' });
    expect(calls.length).toBe(before);
  });

  it('refuses a 5 MB binary body: base64 takes the event past 6 MB', async () => {
    const before = calls.length;
    const body = randomBytes(5 * MB);
    const binary = await fetch(`${gw.url}/size`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body,
    });
    expect(binary.status).toBe(413);
    expect(await binary.json()).toEqual({ message: 'Request Entity Too Large' });
    expect(calls.length).toBe(before);
    // The same size as text stays under 6 MB and reaches the function.
    const text = await fetch(`${gw.url}/size`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      body: 'a'.repeat(5 * MB),
    });
    expect(text.status).toBe(200);
    expect(await text.text()).toBe(String(5 * MB));
  });

  it('answers 503 when the function runs past the timeout', async () => {
    const started = Date.now();
    const res = await fetch(`${gw.url}/slow`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    expect(logs.some((l) => l.level === 'error' && l.message.includes('ran past'))).toBe(true);
  });

  it('answers 500 when the function throws, logs it and keeps serving', async () => {
    const res = await fetch(`${gw.url}/throw`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    const entry = logs.find((l) => l.message === 'handler threw');
    expect(entry?.error).toBeInstanceOf(Error);
    expect((entry?.error as Error | undefined)?.message).toBe('boom');
    expect((await fetch(`${gw.url}/plain`)).status).toBe(200);
  });

  it('answers 500 when the response is over 6 MB', async () => {
    const res = await fetch(`${gw.url}/big-response`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    expect(logs.some((l) => l.message.includes('exceeded maximum allowed payload size'))).toBe(true);
  });
});

describe('bad input', () => {
  it('answers 400 to unreadable percent-encoding and survives', async () => {
    for (const path of ['/%zz', '/a%25zz', '/%FF']) {
      const out = await rawSocket(gw.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(out.startsWith('HTTP/1.1 400')).toBe(true);
    }
    expect((await rawSocket(gw.port, 'HELLO\r\n\r\n')).startsWith('HTTP/1.1 400')).toBe(true);
    expect((await fetch(`${gw.url}/plain`)).status).toBe(200);
  });

  it('answers 431 to headers over the 10 KB quota', async () => {
    const res = await request('/plain', { headers: { 'x-long': 'a'.repeat(12_000) } });
    expect(res.status).toBe(431);
    expect((await fetch(`${gw.url}/plain`)).status).toBe(200);
  });

  it('does not invoke the function for an aborted upload', async () => {
    const before = calls.length;
    await new Promise<void>((resolve) => {
      const socket = net.connect(gw.port, '127.0.0.1', () => {
        socket.write('PUT /size HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789');
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls.length).toBe(before);
    expect((await fetch(`${gw.url}/plain`)).status).toBe(200);
  });
});

describe('options and lifecycle', () => {
  it('keeps the encoded path when asked, and routes a named stage', async () => {
    const other = await startApiGatewayServer({
      handler,
      stage: 'v1',
      pathDecoding: 'as-received',
      log: () => {},
    });
    try {
      const res = await fetch(`${other.url}/v1/a%2Fb`);
      const event = (await res.json()) as ApiGatewayEvent;
      expect(event.rawPath).toBe('/v1/a%2Fb');
      expect(event.requestContext.stage).toBe('v1');
      expect((await fetch(`${other.url}/v2/x`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('close() ends keep-alive connections promptly', async () => {
    const server = await startApiGatewayServer({ handler, log: () => {} });
    const agent = new http.Agent({ keepAlive: true });
    let socket: net.Socket | undefined;
    const res = await new Promise<http.IncomingMessage>((resolve) => {
      const req = http.get(`${server.url}/plain`, { agent }, (r) => {
        r.resume();
        r.on('end', () => resolve(r));
      });
      req.on('socket', (s) => {
        socket = s;
      });
    });
    expect(res.headers.connection).toBe('keep-alive');
    const socketClosed = new Promise<void>((resolve) => {
      if (!socket || socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    expect(socket?.destroyed).toBe(false); // idle in the agent's pool, kept alive
    const started = Date.now();
    await server.close();
    await socketClosed;
    expect(Date.now() - started).toBeLessThan(500);
    agent.destroy();
  });
});
