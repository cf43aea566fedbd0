/**
 * External special remotes shared by Ferry and git-annex: the test's own program
 * (`git-annex-remote-ferrytest`) through the shared suite, and Debian's git-annex-remote-rclone
 * with rclone's local backend, each storing what the other gets.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bytes } from '../helpers/data';
import { ferryOk, git, gitAsync, tempDir } from '../helpers/repos';
import { specialInterop } from '../helpers/special-interop';
import { EXTERNAL_FIXTURES } from '../helpers/external';

describe('external special remotes, Ferry and git-annex', () => {
  const tmp = tempDir();
  const path = process.env.PATH;
  before(() => {
    process.env.PATH = `${EXTERNAL_FIXTURES}${delimiter}${path ?? ''}`;
    process.env.FERRYTEST_ASYNC = '0';
    writeFileSync(join(tmp.path, 'rclone.conf'), '[localdir]\ntype = local\n');
    process.env.RCLONE_CONFIG = join(tmp.path, 'rclone.conf');
  });
  after(() => {
    process.env.PATH = path;
    delete process.env.RCLONE_CONFIG;
    tmp.cleanup();
  });

  specialInterop('external (ferrytest)', () => tmp.path, {
    initParams: (n) => [
      'type=external',
      'externaltype=ferrytest',
      `directory=${join(tmp.path, `store-${n}`)}`,
    ],
    enableParams: () => [],
  });

  it('git-annex-remote-rclone (local backend): Ferry stores, git-annex gets; git-annex stores, Ferry gets', async () => {
    const a = join(tmp.path, 'rclone-ferry');
    const b = join(tmp.path, 'rclone-annex');
    git(tmp.path, 'init', '-q', a);
    writeFileSync(join(a, 'one.bin'), bytes(1_500_000, 1));
    await ferryOk(a, 'init', 'ferry side');
    await ferryOk(a, 'add', '.');
    const target = join(tmp.path, 'rclone-store');
    await ferryOk(
      a,
      'initremote',
      'rc',
      'type=external',
      'externaltype=rclone',
      'target=localdir',
      `prefix=${target}`,
      'rclone_layout=lower',
      'encryption=none',
    );
    await ferryOk(a, 'copy', '--to', 'rc', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(b, 'annex', 'init', 'annex side');
    git(b, 'remote', 'remove', 'origin');
    await gitAsync(b, 'annex', 'enableremote', 'rc');
    await gitAsync(b, 'annex', 'get', '--from', 'rc', 'one.bin');
    assert.ok(readFileSync(join(b, 'one.bin')).equals(bytes(1_500_000, 1)));
    writeFileSync(join(b, 'two.bin'), bytes(700_000, 2));
    git(b, 'annex', 'add', 'two.bin');
    git(b, 'commit', '-qm', 'two');
    await gitAsync(b, 'annex', 'copy', '--to', 'rc', 'two.bin');
    git(a, 'remote', 'add', 'b', b);
    await ferryOk(a, 'sync', 'b');
    await ferryOk(a, 'get', '--from', 'rc', 'two.bin');
    assert.ok(readFileSync(join(a, 'two.bin')).equals(bytes(700_000, 2)));
  });
});
