/**
 * The `directory` special remote kind against the Remote conformance suite: plain, and chunked
 * with shared encryption (names HMAC'd, content OpenPGP), on a real folder.
 */
import {
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
  closeSync,
  chmodSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { openRemote } from '../../../src/engine/remotes/registry';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { remoteConformance } from './conformance';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(e.name === 'tmp' ? [] : filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** Flips bytes in the middle of every stored object, keeping its size. */
function corruptAll(dir: string): void {
  for (const f of filesUnder(dir)) {
    chmodSync(dirname(f), 0o755);
    chmodSync(f, 0o644);
    const fd = openSync(f, 'r+');
    const at = Math.floor(statSync(f).size / 2);
    const b = Buffer.alloc(16);
    readSync(fd, b, 0, 16, at);
    for (let i = 0; i < b.length; i++) b[i] = (b[i] ?? 0) ^ 0xff;
    writeSync(fd, b, 0, 16, at);
    closeSync(fd);
  }
}

describe('directory special remote', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;

  for (const params of [['encryption=none'], ['encryption=shared', 'chunk=1MiB']]) {
    remoteConformance(`directory (${params.join(' ')})`, async () => {
      const root = join(tmp.path, `case${n++}`);
      const a = join(root, 'A');
      const c = join(root, 'C');
      const store = join(root, 'store');
      mkdirSync(store, { recursive: true });
      git(tmp.path, 'init', '-q', a);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(a, 'big.bin'), bytes(8 << 20, n));
      await ferryOk(a, 'init', 'A');
      await ferryOk(a, 'add', 'big.bin');
      await ferryOk(a, 'initremote', 'dir', 'type=directory', `directory=${store}`, ...params);
      git(tmp.path, 'clone', '-q', a, c);
      await ferryOk(c, 'init', 'C');
      const ours = await openRepository(a);
      const remote = await openRemote(ours, await findRemote(ours, 'dir'));
      const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
      return {
        remote,
        ours,
        key: target.slice(target.lastIndexOf('/') + 1),
        empty: await openRepository(c),
        unplug: () => renameSync(store, `${store}.unplugged`),
        corrupt: () => corruptAll(store),
      };
    });
  }
});
