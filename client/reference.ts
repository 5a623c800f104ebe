/** A registry reference: `host[:port][/base/path]`, optionally with an explicit scheme. */
export interface RegistryRef {
  /** `https://host:port` (no trailing slash). */
  origin: string;
  host: string;
  /** Palette's "base content path" ('' for none), e.g. `team-a`. */
  basePath: string;
}

export class RegistryRefError extends Error {}

const LOCAL_HOSTS = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/**
 * Parses a registry reference. Plain http is allowed only for localhost or with `insecure`,
 * so credentials never cross a network in clear text by accident.
 */
export function parseRegistryRef(input: string, opts: { insecure?: boolean } = {}): RegistryRef {
  const raw = input.trim();
  if (!raw) throw new RegistryRefError('the registry reference is empty; use host[:port][/base/path]');
  const explicit = /^(https?):\/\//i.exec(raw);
  const rest = explicit ? raw.slice(explicit[0].length) : raw;
  const slash = rest.indexOf('/');
  const host = (slash < 0 ? rest : rest.slice(0, slash)).toLowerCase();
  const basePath = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  if (!/^(\[[0-9a-f:]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(host)) {
    throw new RegistryRefError(`"${input}" does not start with a host name (host[:port][/base/path])`);
  }
  if (basePath && !/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(basePath)) {
    throw new RegistryRefError(
      `base path "${basePath}" must be lowercase path components (letters, digits, ".", "_", "-")`,
    );
  }
  const local = LOCAL_HOSTS.test(host);
  const scheme = explicit ? (explicit[1] as string).toLowerCase() : local ? 'http' : 'https';
  if (scheme === 'http' && !local && !opts.insecure) {
    throw new RegistryRefError(
      `refusing plain http to ${host}: credentials would travel unencrypted. Use https, or pass --insecure if you really mean it`,
    );
  }
  return { origin: `${scheme}://${host}`, host, basePath };
}
