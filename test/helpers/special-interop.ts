/**
 * The same special remote used by Ferry and by the real git-annex, both ways, as one suite each
 * kind runs against its own real server: Ferry stores and git-annex gets and fscks; git-annex
 * stores and Ferry gets and fscks; plain and with chunking plus shared encryption.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { bytes } from './data';
import { ferryOk, git, gitAsync } from './repos';

export interface InteropTarget {
  /** a fresh place for the case (a folder, a bucket, a path on the server) */
  readonly initParams: (n: number) => string[] | Promise<string[]>;
  /** what `enableremote` needs besides the name in another clone */
  readonly enableParams: (n: number) => string[];
  /** git-annex config this kind needs (allowed-ip-addresses for a server on 127.0.0.1) */
  readonly annexConfig?: readonly [string, string][];
  readonly env?: Readonly<Record<string, string>>;
}

const CASES = [['encryption=none'], ['encryption=shared', 'chunk=1MiB']] as const;

function files(dir: string, seed: number): void {
  writeFileSync(join(dir, 'small.txt'), `small file ${seed}\n`);
  writeFileSync(join(dir, 'big.bin'), bytes(2_500_000 + seed, seed));
}

export function specialInterop(kind: string, root: () => string, target: InteropTarget): void {
  let n = 0;
  const prep = (repo: string): void => {
    for (const [k, v] of target.annexConfig ?? []) git(repo, 'config', k, v);
  };

  for (const params of CASES) {
    it(`${kind} (${params.join(' ')}): what Ferry stores, git-annex gets and fscks`, async () => {
      const i = n++;
      const a = join(root(), `ferry-${i}`);
      const b = join(root(), `annex-${i}`);
      git(root(), 'init', '-q', a);
      files(a, i);
      await ferryOk(a, 'init', 'ferry side');
      await ferryOk(a, 'add', '.');
      await ferryOk(a, 'initremote', 'cloud', ...(await target.initParams(i)), ...params);
      await ferryOk(a, 'copy', '--to', 'cloud', '.');
      // git-annex in the very repository Ferry set the remote up in (its .git/config entry)
      prep(a);
      await gitAsync(a, 'annex', 'fsck', '--from', 'cloud');
      git(root(), 'clone', '-q', a, b);
      prep(b);
      git(b, 'annex', 'init', 'annex side');
      git(b, 'remote', 'remove', 'origin');
      await gitAsync(b, 'annex', 'enableremote', 'cloud', ...target.enableParams(i));
      await gitAsync(b, 'annex', 'get', '--from', 'cloud', '.');
      assert.equal(readFileSync(join(b, 'small.txt'), 'utf8'), `small file ${i}\n`);
      assert.ok(readFileSync(join(b, 'big.bin')).equals(bytes(2_500_000 + i, i)));
      await gitAsync(b, 'annex', 'fsck', '--from', 'cloud');
    });

    it(`${kind} (${params.join(' ')}): what git-annex stores, Ferry gets and fscks`, async () => {
      const i = n++;
      const a = join(root(), `annex-${i}`);
      const b = join(root(), `ferry-${i}`);
      git(root(), 'init', '-q', a);
      prep(a);
      git(a, 'annex', 'init', 'annex side');
      files(a, i);
      git(a, 'annex', 'add', '.');
      git(a, 'commit', '-qm', 'files');
      await gitAsync(a, 'annex', 'initremote', 'cloud', ...(await target.initParams(i)), ...params);
      await gitAsync(a, 'annex', 'copy', '--to', 'cloud', '.');
      git(root(), 'clone', '-q', a, b);
      await ferryOk(b, 'init', 'ferry side');
      git(b, 'remote', 'remove', 'origin');
      await ferryOk(b, 'enableremote', 'cloud', ...target.enableParams(i));
      await ferryOk(b, 'get', '--from', 'cloud', '.');
      assert.equal(readFileSync(join(b, 'small.txt'), 'utf8'), `small file ${i}\n`);
      assert.ok(readFileSync(join(b, 'big.bin')).equals(bytes(2_500_000 + i, i)));
      const fsck = await ferryOk(b, 'fsck', '.');
      assert.match(fsck.out, /0 with problems/);
      // what Ferry then records is read by git-annex: the drop back there is counted
      await ferryOk(b, 'drop', '--from', 'cloud', 'small.txt');
      assert.equal((await ferryOk(b, 'whereis', 'small.txt')).out.includes('cloud'), false);
    });
  }
}
