/**
 * Which configuration makes which remote kind, and remotes no kind takes yet: a git-annex special
 * remote made by the real git-annex is listed with its type, shown as not supported, and breaks
 * nothing (status, map and sync all ran into its missing URL before).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { listGitRemotes } from '../../../src/engine/remotes/git-remotes';
import { openRemote, remoteKind } from '../../../src/engine/remotes/registry';
import { ferryOk, git, tempDir } from '../../helpers/repos';

describe('the remote registry', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('lists a special remote of a kind Ferry lacks with its type, as not supported, and syncs around it', async () => {
    const repo = join(tmp.path, 'r');
    const store = join(tmp.path, 'store');
    mkdirSync(store);
    mkdirSync(repo, { recursive: true });
    await ferryOk(repo, 'init', 'laptop');
    git(repo, 'annex', 'initremote', 'dc', 'type=hook', 'hooktype=demo', 'encryption=none');
    git(
      repo,
      'annex',
      'initremote',
      'dir',
      'type=directory',
      `directory=${store}`,
      'encryption=none',
    );
    git(tmp.path, 'clone', '-q', repo, join(tmp.path, 'clone'));
    git(repo, 'remote', 'add', 'clone', join(tmp.path, 'clone'));
    const remotes = await listGitRemotes(await openRepository(repo));
    const dc = remotes.find((r) => r.name === 'dc');
    assert.ok(dc);
    assert.equal(dc.specialType, 'hook');
    assert.equal(dc.path, undefined);
    assert.equal(remoteKind(dc), 'unsupported');
    const dir = remotes.find((r) => r.name === 'dir');
    assert.ok(
      dir && remoteKind(dir) === 'directory' && dir.isAvailable,
      'a directory remote is a kind of its own',
    );
    const clone = remotes.find((r) => r.name === 'clone');
    assert.ok(clone && remoteKind(clone) === 'local-repo');
    const opened = await openRemote(await openRepository(repo), dc);
    const a = opened.availability();
    assert.ok(a.state === 'down' && a.reason === 'not-supported' && /type hook/.test(a.message));
    const status = JSON.parse((await ferryOk(repo, 'status', '--json')).out) as {
      remotes: { name: string; kind: string; note: string | null }[];
    };
    const shown = status.remotes.find((r) => r.name === 'dc');
    assert.equal(shown?.kind, 'unsupported');
    assert.match(shown?.note ?? '', /does not support that kind yet/);
    await ferryOk(repo, 'map');
    await ferryOk(repo, 'sync');
  });
});
