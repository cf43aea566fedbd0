/**
 * Whether a network special remote (a bucket, a WebDAV share) answers, learnt from its requests
 * and kept with the ssh hosts' (`ssh/health.ts`: cheap to ask, a down remote probed again in
 * the background), and its failures in plain words: credentials refused, a bucket or share that
 * is not there, a server that cannot be reached. No message carries a secret.
 */
import { markDown, markUp, sshAvailability } from '../ssh/health';
import type { Availability } from '../remotes/remote';
import { errnoCode, FerryError } from '../errors';

export interface NetworkHealth {
  readonly key: string;
  up(): void;
  down(kind: 'unreachable' | 'auth-needed', message: string): void;
}

export function healthOf(uuid: string): NetworkHealth {
  const key = `special:${uuid}`;
  return {
    key,
    up: () => markUp(key),
    down: (kind, message) => markDown(key, kind, message),
  };
}

/** The latest opened store's probe for each remote, so a down remote is tried again on its own. */
const probes = new Map<string, () => Promise<void>>();

export function registerProbe(h: NetworkHealth, probe: () => Promise<void>): void {
  probes.set(h.key, probe);
}

/** Up, or down with why; a down remote is probed again in the background when due. */
export function networkAvailability(h: NetworkHealth): Availability {
  return sshAvailability(h.key, probes.get(h.key));
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const AUTH_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'AccessDenied',
  'CredentialsProviderError',
  'InvalidToken',
  'ExpiredToken',
]);

interface ServiceError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  status?: number;
  cause?: unknown;
}

/** A request's failure as a FerryError (`data.status`: the HTTP status, when there was one). */
export function networkFailure(h: NetworkHealth, remote: string, what: string, e: unknown): Error {
  if (e instanceof FerryError) return e;
  if (e instanceof Error && e.name === 'AbortError') return e;
  const err = (e ?? {}) as ServiceError;
  const status = err.$metadata?.httpStatusCode ?? err.status;
  const name = err.name && err.name !== 'Unknown' ? err.name : status ? `HTTP ${status}` : '';
  const code = errnoCode(e) ?? errnoCode(err.cause) ?? '';
  if (status === 404 && name !== 'NoSuchBucket')
    return new FerryError('content-missing', `${remote} has no such object`, { remote, status });
  if (
    AUTH_NAMES.has(name) ||
    status === 401 ||
    status === 403 ||
    /credential/i.test(err.message ?? '')
  ) {
    const message = `${remote} refused the credentials (${name || status}); check them and run ferry enableremote ${remote} with them set`;
    h.down('auth-needed', message);
    return new FerryError('auth-needed', message, { remote, status }, e);
  }
  if (name === 'NoSuchBucket') {
    const message = `${remote}'s bucket does not exist (was it deleted, or is the name wrong?)`;
    h.down('unreachable', message);
    return new FerryError('remote-unavailable', message, { remote, status }, e);
  }
  if (
    NETWORK_CODES.has(code) ||
    /ECONNREFUSED|socket hang up|timed? ?out|ENOTFOUND/i.test(`${err.message ?? ''} ${name}`)
  ) {
    const message = `${remote} cannot be reached (${code || name || 'no answer'})`;
    h.down('unreachable', message);
    return new FerryError('remote-unavailable', message, { remote }, e);
  }
  if (status === 507 || /EntityTooLarge|QuotaExceeded|InsufficientStorage/i.test(name))
    return new FerryError(
      'disk-full',
      `${remote} has no room for more (${name || status}); nothing was recorded there`,
      { remote, status },
      e,
    );
  return new FerryError(
    'io-error',
    `${remote} could not ${what}: ${name || status || ''} ${err.message ?? ''}`.trim(),
    { remote, status },
    e,
  );
}
