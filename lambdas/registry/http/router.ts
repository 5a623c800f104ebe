import { OciError } from '../oci/errors.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One row of a route table: its method and path pattern (named groups become `params`). */
export interface RouteRow {
  method: Method;
  path: RegExp;
}

/**
 * The row for a request. The first pattern that matches the path names the resource; among that
 * resource's rows the method picks one (HEAD falls back to GET, answered without a body). 404
 * when no pattern matches, 405 with `Allow` when the resource has no row for the method.
 */
export function findRoute<R extends RouteRow>(
  table: readonly R[],
  method: string,
  path: string,
): { route: R; params: Record<string, string> } {
  for (const row of table) {
    const m = row.path.exec(path);
    if (!m) continue;
    const rows = table.filter((r) => r.path === row.path);
    const route =
      rows.find((r) => r.method === method) ??
      (method === 'HEAD' ? rows.find((r) => r.method === 'GET') : undefined);
    if (!route) {
      const methods: string[] = [...new Set(rows.map((r) => r.method).filter((x) => x !== 'HEAD'))];
      if (methods.includes('GET')) methods.push('HEAD');
      throw new OciError(
        405,
        'UNSUPPORTED',
        `${method} is not supported on ${path.slice(0, 200)}`,
        undefined,
        {
          allow: methods.join(', '),
        },
      );
    }
    return { route, params: { ...m.groups } };
  }
  throw new OciError(404, 'UNSUPPORTED', `no endpoint at ${path.slice(0, 200)}`);
}
