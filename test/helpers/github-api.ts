import http from 'node:http';
import { afterAll } from 'vitest';

/**
 * A contract stand-in for the GitHub REST API's issue-comment endpoints, answering as GitHub
 * documents them (no substitute for GitHub):
 * - GET   /repos/{owner}/{repo}/issues/{number}/comments?per_page=&page=  (Link pagination)
 * - POST  /repos/{owner}/{repo}/issues/{number}/comments                 201 + the comment
 * - PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}             200 + the comment
 * Every request needs `Authorization: token|Bearer <token>` (401 otherwise).
 */
export interface GitHubStandIn {
  url: string;
  /** Comments per issue number, in creation order. */
  comments: Map<number, { id: number; body: string; user: { login: string } }[]>;
  /** "METHOD /path?query" of every request. */
  requests: string[];
  close(): Promise<void>;
}

const running: GitHubStandIn[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

export async function startGitHubStandIn(token: string): Promise<GitHubStandIn> {
  const comments = new Map<number, { id: number; body: string; user: { login: string } }[]>();
  const requests: string[] = [];
  let nextId = 1000;
  let url = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      const auth = req.headers.authorization ?? '';
      if (auth !== `token ${token}` && auth !== `Bearer ${token}`)
        return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const u = new URL(req.url ?? '/', 'http://x');
      const json = (c: { id: number; body: string; user: { login: string } }) => ({
        ...c,
        html_url: `https://github.com/acme/packs/pull/7#issuecomment-${c.id}`,
      });
      const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(u.pathname);
      if (list && req.method === 'GET') {
        const all = comments.get(Number(list[1])) ?? [];
        const perPage = Math.min(Number(u.searchParams.get('per_page') ?? 30), 100);
        const page = Number(u.searchParams.get('page') ?? 1);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const links: string[] = [];
        const at = (p: number) => `<${url}${u.pathname}?per_page=${perPage}&page=${p}>`;
        if (page < last) links.push(`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`);
        if (page > 1) links.push(`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`);
        return send(
          200,
          all.slice((page - 1) * perPage, page * perPage).map(json),
          links.length ? { link: links.join(', ') } : {},
        );
      }
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body?: string })
        : {};
      if (list && req.method === 'POST') {
        const c = { id: nextId++, body: String(body.body), user: { login: 'github-actions[bot]' } };
        comments.set(Number(list[1]), [...(comments.get(Number(list[1])) ?? []), c]);
        return send(201, json(c));
      }
      const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(u.pathname);
      if (one && req.method === 'PATCH') {
        for (const cs of comments.values()) {
          const c = cs.find((x) => x.id === Number(one[1]));
          if (c) {
            c.body = String(body.body);
            return send(200, json(c));
          }
        }
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const standIn = {
    url,
    comments,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  running.push(standIn);
  return standIn;
}
