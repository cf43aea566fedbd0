/**
 * What one kind of special remote (directory, S3, WebDAV, external) gives the registry: its
 * configuration rules (`SpecialKindSpec`), how to open its storage, and how it judges being up
 * without a request. `specialEntry` turns one into the registry's entry; the chunking,
 * encryption and bookkeeping all kinds share are `SpecialRemote`'s.
 */
import type { Repository } from '../annex/repository';
import {
  credsFromEnv,
  readCreds,
  specialFields,
  type Creds,
  type SpecialKindSpec,
} from '../special/config';
import { chunkSizeOf } from '../special/chunks';
import { encryptionOf } from '../special/encryption';
import type { SpecialStore } from '../special/object-store';
import { getConfig } from '../git/read';
import type { RemoteInfo } from './git-remotes';
import type { Availability, RemoteKind } from './remote';
import { SpecialRemote } from './special';
import { isAnnexUrl, parseAnnexUrl } from '../special/annex-url';

export interface StoreContext {
  readonly repo: Repository;
  readonly name: string;
  readonly uuid: string;
  readonly fields: ReadonlyMap<string, string>;
  /** the kind's `.git/config` entries (`annex-<param>`), by param */
  readonly local: ReadonlyMap<string, string>;
  readonly creds: Creds | undefined;
}

export interface SpecialKind extends SpecialKindSpec {
  readonly kind: RemoteKind;
  openStore(ctx: StoreContext): SpecialStore;
  /** cheap: from the configuration and what earlier requests learned */
  availability(
    info: Pick<RemoteInfo, 'name'> & Partial<Pick<RemoteInfo, 'uuid' | 'specialLocation'>>,
  ): Availability;
}

export async function openSpecial(
  kind: SpecialKind,
  repo: Repository,
  info: RemoteInfo,
): Promise<SpecialRemote> {
  const uuid = info.uuid ?? '';
  const fromUrl = isAnnexUrl(info.url) ? parseAnnexUrl(info.url) : undefined;
  const fields = await specialFields(repo, info.uuid, info.name).catch((e: unknown) => {
    if (fromUrl && fromUrl.uuid === info.uuid) return new Map(fromUrl.params);
    throw e;
  });
  const local = new Map<string, string>();
  for (const p of kind.localParams ?? []) {
    const v =
      (await getConfig(repo.git, `remote.${info.name}.annex-${p}`)) ?? fromUrl?.params.get(p);
    if (v !== undefined) local.set(p, v);
  }
  const creds = kind.credsEnv
    ? ((await readCreds(repo, uuid)) ?? credsFromEnv(...kind.credsEnv))
    : undefined;
  const store = kind.openStore({ repo, name: info.name, uuid, fields, local, creds });
  return new SpecialRemote(
    kind.kind,
    info,
    uuid,
    repo,
    store,
    encryptionOf(fields, info.name),
    chunkSizeOf(fields, info.name),
  );
}
