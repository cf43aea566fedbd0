/**
 * The network map through an ssh remote: the host (the real OpenSSH server on 127.0.0.1, its
 * repositories made by the real git-annex) is asked for its config, and its own remotes appear
 * beyond it, as `git annex map` shows them.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { buildNetworkMap, mapToText } from '../../../src/engine/network/network-map';
import { repositoryStatus } from '../../../src/engine/status';
import { ferryOk, git } from '../../helpers/repos';
import { hasSshd, sshdSuite } from '../../helpers/sshd';

describe('the network map over ssh', { skip: hasSshd() ? false : 'no sshd' }, () => {
  const { tmp } = sshdSuite();

  it("shows the host's own remotes beyond it, with their costs", async () => {
    const host = join(tmp.path, 'srv', 'photos');
    const backup = join(tmp.path, 'srv', 'backup');
    git(tmp.path, 'init', '-q', host);
    git(host, 'annex', 'init', '-q', 'nas photos');
    git(host, 'commit', '-q', '--allow-empty', '-m', 'start');
    git(tmp.path, 'clone', '-q', host, backup);
    git(backup, 'annex', 'init', '-q', 'nas backup');
    const backupUuid = git(backup, 'config', 'annex.uuid').trim();
    git(backup, 'annex', 'sync', '-q'); // the host learns its description
    // the host names its backup by a relative path, and a far repository it reaches by ssh
    git(host, 'remote', 'add', 'backup', '../backup');
    git(host, 'config', 'remote.backup.annex-cost', '150');
    git(host, 'remote', 'add', 'far', 'elsewhere.example:/srv/x');
    git(host, 'config', 'remote.far.annex-uuid', '1b5e0a1c-0000-4000-8000-00000000f00d');
    const hostUuid = git(host, 'config', 'annex.uuid').trim();

    const a = join(tmp.path, 'A');
    await ferryOk(tmp.path, 'clone', `ferryhost:${host}`, a);
    const map = await buildNetworkMap(await openRepository(a));
    const aUuid = git(a, 'config', 'annex.uuid').trim();
    const edge = (from: string, to: string) =>
      map.edges.find((e) => e.from === from && e.to === to);
    assert.equal(edge(aUuid, hostUuid)?.cost, 200, 'an ssh remote costs 200');
    assert.equal(edge(aUuid, hostUuid)?.isUp, true);
    assert.deepEqual(
      { cost: edge(hostUuid, backupUuid)?.cost, isUp: edge(hostUuid, backupUuid)?.isUp },
      { cost: 150, isUp: true },
    );
    const far = edge(hostUuid, '1b5e0a1c-0000-4000-8000-00000000f00d');
    assert.equal(far?.cost, 200);
    assert.equal(far?.isUp, false, 'not followed from here: not shown as up');
    const backupNode = map.nodes.find((n) => n.uuid === backupUuid);
    assert.equal(backupNode?.description, 'nas backup');
    assert.equal(backupNode?.path, null, 'not on this machine');
    const text = mapToText(map);
    assert.match(text, /nas photos -> nas backup via "backup", cost 150, up/);

    // the folder's status names the host by its description
    const status = await repositoryStatus(await openRepository(a));
    assert.equal(status.remotes.find((r) => r.name === 'origin')?.description, 'nas photos');
    // the CLI shows the same
    const r = await ferryOk(a, 'map');
    assert.match(r.out, /nas backup/);
  });
});
