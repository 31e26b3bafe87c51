import { ActionError } from '../core/errors.js';

/** Where a postgres.* action connects: the URL (normally a secret) and the optional overrides. */
export interface PgTarget {
  readonly url: string;
  /** Replaces the URL's host, keeping its credentials; `host:port` also replaces the port. */
  readonly host?: string;
  /** Replaces the URL's database. */
  readonly database?: string;
}

/** A target with the overrides applied, plus a password-free description for plans and errors. */
export interface ResolvedTarget {
  /** The connection string handed to pg (contains the password: never print it). */
  readonly connectionString: string;
  /** The URL's password, decoded, so error texts can be scrubbed even when it is not a registered secret. */
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** `user@host:port/database`, for plans, logs and error messages. */
  readonly display: string;
}

/**
 * Parses a `postgres://` / `postgresql://` URL with the WHATWG URL class and applies the
 * overrides. The error never echoes the URL: URL's own TypeError carries the input, password included.
 */
export function resolveTarget(target: PgTarget): ResolvedTarget {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new ActionError('invalid PostgreSQL connection URL (expected postgres://user:password@host:port/database)', {
      code: 'bad-params',
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ActionError(`unsupported connection URL scheme "${url.protocol}" (expected postgres: or postgresql:)`, {
      code: 'bad-params',
    });
  }
  if (target.host) applyHost(url, target.host);
  if (target.database) url.pathname = `/${encodeURIComponent(target.database)}`;

  // The same fallbacks as pg, so the description names the user pg will actually send.
  const user = decode(url.username) || process.env.PGUSER || process.env.USER || 'postgres';
  // A host in the query string (`?host=/var/run/postgresql`) is how URLs name a Unix socket directory.
  const host = url.hostname || url.searchParams.get('host') || 'localhost';
  const port = Number(url.port || url.searchParams.get('port') || 5432);
  const database = decode(url.pathname.replace(/^\//, '')) || user;
  return {
    connectionString: url.toString(),
    password: decode(url.password),
    host,
    port,
    database,
    user,
    display: `${user}@${host}:${port}/${database}`,
  };
}

/** Like resolveTarget, for plans: a dry run must describe even a URL it cannot parse, without throwing. */
export function describeTarget(target: PgTarget): string {
  try {
    return resolveTarget(target).display;
  } catch {
    return '(invalid connection URL)';
  }
}

function applyHost(url: URL, host: string): void {
  // Bare IPv6 addresses need brackets in a URL; `host:port` (one colon) replaces both parts.
  if (host.includes(':') && !host.startsWith('[') && host.split(':').length > 2) {
    url.hostname = `[${host}]`;
  } else if (/^[^:]+:\d+$/.test(host) || /^\[.*\]:\d+$/.test(host)) {
    url.host = host;
  } else {
    url.hostname = host;
  }
  // The override wins over a socket directory given in the query string.
  url.searchParams.delete('host');
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
