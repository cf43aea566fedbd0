/**
 * ssh remote URLs in the forms git accepts: `ssh://[user@]host[:port]/path` (also `git+ssh://`
 * and `ssh+git://`), and the scp-like `[user@]host:path`. Paths keep git's meaning: `/abs`,
 * `~/rel` and `~user/rel` as written, and a scp-like path without `/` or `~` relative to the
 * login's home directory. Nothing here touches the network.
 */

export interface SshTarget {
  readonly user?: string;
  readonly host: string;
  readonly port?: number;
  /** the repository's path on the host, as the host's shell and git-annex-shell take it */
  readonly path: string;
}

const HOST = /^[A-Za-z0-9._-]+$|^\[[0-9A-Fa-f:.]+\]$/;

function splitUser(authority: string): { user?: string; rest: string } {
  const at = authority.lastIndexOf('@');
  return at < 0
    ? { rest: authority }
    : { user: authority.slice(0, at), rest: authority.slice(at + 1) };
}

/** The target an ssh URL names, or undefined when it is not an ssh URL. */
export function parseSshUrl(url: string): SshTarget | undefined {
  if (url.includes('\0') || url.includes('\n')) return undefined;
  const scheme = /^(?:ssh|git\+ssh|ssh\+git):\/\/([^/]*)(\/.*)$/.exec(url);
  if (scheme) {
    const { user, rest } = splitUser(scheme[1] ?? '');
    const portMatch = /^(.*?)(?::(\d{1,5}))?$/.exec(rest);
    const host = portMatch?.[1] ?? '';
    const port = portMatch?.[2] === undefined ? undefined : Number(portMatch[2]);
    if (!HOST.test(host) || (port !== undefined && (port < 1 || port > 65535))) return undefined;
    let path = scheme[2] ?? '/';
    // ssh://host/~/x and ssh://host/~user/x: relative to a home directory, as git reads them
    if (path.startsWith('/~')) path = path.slice(1);
    if (!isSafeUser(user)) return undefined;
    return { user, host: host.replace(/^\[|\]$/g, ''), port, path };
  }
  // scp-like: a ':' before any '/', and not a local path (no leading '/' or '.')
  if (url.startsWith('/') || url.startsWith('.') || /^[A-Za-z]:[\\/]/.test(url)) return undefined;
  const colon = url.indexOf(':');
  const slash = url.indexOf('/');
  if (colon <= 0 || (slash >= 0 && slash < colon) || url.includes('://')) return undefined;
  const { user, rest } = splitUser(url.slice(0, colon));
  if (!HOST.test(rest) || !isSafeUser(user)) return undefined;
  const path = url.slice(colon + 1);
  return { user, host: rest.replace(/^\[|\]$/g, ''), path: path === '' ? '.' : path };
}

/** A user name that cannot be read as an ssh option or break a command line. */
function isSafeUser(user: string | undefined): boolean {
  return user === undefined || /^[A-Za-z0-9._][A-Za-z0-9._-]*$/.test(user);
}

/** `user@host` (what ssh is given as its destination), never starting with `-`. */
export function destination(t: SshTarget): string {
  return t.user ? `${t.user}@${t.host}` : t.host;
}

/** How the target is shown to a user: `user@host:path`, with the port when there is one. */
export function describeTarget(t: SshTarget): string {
  return `${destination(t)}${t.port ? ` (port ${t.port})` : ''}:${t.path}`;
}

/** An argument quoted for the host's shell, as git-annex quotes them (single quotes). */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
