/**
 * `ferry join <code> [dir]`: finds the device that made the code (LAN discovery, or an address
 * given), proves both sides know the code's secret over a pinned TLS link, and is paired: the
 * inviter records this device as a remote, and this side records the inviter as one
 * (`ferry::<device-id>/<uuid>`). Then the folder is cloned from it (or, for a clone of the same
 * repository already here, linked), as `ferry clone` does. A failed join leaves no folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { initRepository } from '../annex/init';
import { findRepository, openRepository, type Repository } from '../annex/repository';
import { FerryError } from '../errors';
import { listRefs, resolveRef, setConfig } from '../git/read';
import { setSymbolicHead } from '../git/write-ref';
import { freeRemoteName } from '../remotes/git-remotes';
import { defaultDescription, pullFirst } from '../sync/clone';
import { peerContext } from './context';
import { inviteId, inviteProof, parseInvite, sameProof } from './invites';
import { greet, openLink, readLine } from './link';
import { formatAddress, formatPeerUrl, parseAddresses } from './peer-url';

export interface JoinResult {
  readonly repo: Repository;
  readonly remote: string;
  readonly inviter: string;
  readonly inviterName: string;
}

const FIND_MS = 6_000;

async function findInviter(
  prefix: string,
  address?: string,
): Promise<{ host: string; port: number }[]> {
  if (address) {
    const given = parseAddresses(address);
    if (given.length === 0) throw new FerryError('usage', `${address} is not HOST:PORT`);
    return given;
  }
  const finder = peerContext().finder;
  if (!finder)
    throw new FerryError(
      'usage',
      'this device is not looking for others on the network; give the other device’s address with --address HOST:PORT',
    );
  const deadline = Date.now() + FIND_MS;
  let asked = 0;
  while (Date.now() < deadline) {
    if (Date.now() - asked >= 1000) {
      finder.ask?.(); // again each second: a lost packet costs a second, not the search
      asked = Date.now();
    }
    const found = finder.findPrefix(prefix);
    if (found.length > 0) return found.map((s) => ({ host: s.host, port: s.port }));
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new FerryError(
    'remote-unavailable',
    'the device that made this code was not found on this network (is Ferry running there, on the same network? or give --address HOST:PORT)',
  );
}

/** A new clone takes the shared folder's branch (its HEAD here is unborn until then). */
async function followBranch(repo: Repository, remote: string): Promise<void> {
  if (await resolveRef(repo.git, 'HEAD')) return;
  const names = (await listRefs(repo.git, `refs/remotes/${remote}`)).map(
    (r) => r.split('/').at(-1) ?? r,
  );
  const branch =
    ['main', 'master'].find((b) => names.includes(b)) ??
    names.find((b) => b !== 'git-annex' && b !== 'HEAD');
  if (!branch) return;
  await setSymbolicHead(repo.git, branch);
  await pullFirst(repo, remote);
}

export async function joinFolder(
  code: string,
  dir: string,
  options: { address?: string; description?: string } = {},
): Promise<JoinResult> {
  const invite = parseInvite(code);
  if (!invite)
    throw new FerryError(
      'usage',
      `${code} is not a Ferry code (24 letters and digits, as ferry share prints)`,
    );
  const places = await findInviter(invite.devicePrefix, options.address);
  const existing = existsSync(dir) ? findRepository(dir) : undefined;
  if (!existing && existsSync(dir) && readdirSync(dir).length > 0)
    throw new FerryError('usage', `${dir} already exists and is not empty; join into a new folder`);
  const existed = existsSync(dir);
  const repo = existing
    ? await openRepository(dir)
    : (await initRepository(dir, { description: options.description ?? defaultDescription(dir) }))
        .repo;
  try {
    const ctx = peerContext();
    let last: unknown;
    for (const place of places) {
      let link;
      try {
        link = await openLink(ctx.identity, place.host, place.port, {
          prefix: invite.devicePrefix,
        });
      } catch (e) {
        last = e;
        continue;
      }
      try {
        const id = inviteId(invite.secret);
        const proof = inviteProof(
          invite.secret,
          'joiner',
          link.binding,
          ctx.identity.id,
          link.peerId,
        );
        const reply = await greet(link, repo.uuid, ctx.deviceName, ctx.listenPort, {
          join: id,
          proof,
        });
        const expected = inviteProof(
          invite.secret,
          'inviter',
          link.binding,
          ctx.identity.id,
          link.peerId,
        );
        if (!reply.proof || !sameProof(expected, reply.proof))
          throw new FerryError(
            'peer-identity',
            'the device that answered does not know this code’s secret: it is not the one that made it (refused)',
          );
        const auth = /^AUTH-SUCCESS (\S+)$/.exec(await readLine(link.socket));
        if (!auth?.[1])
          throw new FerryError(
            'protocol-error',
            'the other device did not say which folder it shares',
          );
        const uuid = auth[1];
        if (existing && existing.isBare === false && repo.uuid === uuid)
          throw new FerryError('usage', 'this folder is the shared folder itself');
        const remote = await freeRemoteName(repo, reply.name || 'device');
        await setConfig(repo.git, `remote.${remote}.url`, formatPeerUrl(link.peerId, uuid));
        await setConfig(
          repo.git,
          `remote.${remote}.fetch`,
          `+refs/heads/*:refs/remotes/${remote}/*`,
        );
        await setConfig(repo.git, `remote.${remote}.annex-uuid`, uuid);
        await setConfig(repo.git, `remote.${remote}.ferry-lastaddress`, formatAddress(place));
        link.socket.destroy();
        await pullFirst(repo, remote);
        await followBranch(repo, remote);
        return { repo, remote, inviter: link.peerId, inviterName: reply.name };
      } finally {
        link.socket.destroy();
      }
    }
    throw last instanceof Error
      ? last
      : new FerryError('remote-unavailable', 'the device that made this code did not answer');
  } catch (e) {
    if (!existing) await rm(existed ? join(dir, '.git') : dir, { recursive: true, force: true });
    throw e;
  }
}
