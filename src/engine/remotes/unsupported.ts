/**
 * A remote of a kind Ferry cannot use yet (a git-annex special remote such as S3 or a
 * directory): listed and shown with its type, always down, never a place content goes.
 */
import { FerryError } from '../errors';
import type { RemoteInfo } from './git-remotes';
import type { Availability, ContentLock, Remote } from './remote';

export class UnsupportedRemote implements Remote {
  readonly kind = 'unsupported' as const;
  readonly name: string;
  readonly uuid: string;
  readonly cost: number;

  constructor(readonly info: RemoteInfo) {
    this.name = info.name;
    this.uuid = info.uuid ?? '';
    this.cost = info.cost;
  }

  availability(): Availability {
    return { state: 'down', reason: 'not-supported', message: unsupportedMessage(this.info) };
  }

  private refuse(): FerryError {
    return new FerryError('remote-unavailable', unsupportedMessage(this.info), {
      remote: this.name,
    });
  }

  hasKey(): Promise<boolean> {
    return Promise.resolve(false);
  }

  checkCopy(): Promise<boolean> {
    return Promise.resolve(false);
  }

  lockContent(): Promise<ContentLock | undefined> {
    return Promise.resolve(undefined);
  }

  store(): Promise<void> {
    return Promise.reject(this.refuse());
  }

  retrieve(): Promise<boolean> {
    return Promise.resolve(false);
  }

  remove(): Promise<boolean> {
    return Promise.reject(this.refuse());
  }
}

export function unsupportedMessage(info: Pick<RemoteInfo, 'name' | 'url' | 'specialType'>): string {
  if (info.specialType)
    return `remote "${info.name}" is a git-annex special remote (type ${info.specialType}); Ferry does not support that kind yet`;
  return `remote "${info.name}" (${info.url}) is not a path on this machine; Ferry does not support network remotes yet`;
}
