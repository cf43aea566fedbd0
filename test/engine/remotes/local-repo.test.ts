/** The local-repository kind (another clone, a drive) against the Remote conformance suite. */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { objectRelPath } from '../../../src/engine/annex/paths';
import { LocalRepoRemote } from '../../../src/engine/remotes/local-repo';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { remoteConformance } from './conformance';

describe('LocalRepoRemote', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;

  remoteConformance('local-repo', async () => {
    const root = join(tmp.path, `case${n++}`);
    const a = join(root, 'A');
    const b = join(root, 'B');
    const c = join(root, 'C');
    git(tmp.path, 'init', '-q', a);
    writeFileSync(join(a, 'big.bin'), bytes(8 << 20, n));
    await ferryOk(a, 'init', 'A');
    await ferryOk(a, 'add', 'big.bin');
    git(tmp.path, 'clone', '-q', a, b);
    git(tmp.path, 'clone', '-q', a, c);
    await ferryOk(b, 'init', 'B');
    await ferryOk(c, 'init', 'C');
    git(a, 'remote', 'add', 'b', b);
    const ours = await openRepository(a);
    const remote = await LocalRepoRemote.open(ours, await findRemote(ours, 'b'));
    const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
    const key = target.slice(target.lastIndexOf('/') + 1);
    return {
      remote,
      ours,
      key,
      empty: await openRepository(c),
      unplug: () => renameSync(b, `${b}.unplugged`),
      corrupt: (k) => {
        const object = join(b, '.git', 'annex', objectRelPath(k, 'mixed'));
        chmodSync(dirname(object), 0o755);
        chmodSync(object, 0o644);
        const data = bytes(8 << 20, 999);
        writeFileSync(object, data);
      },
    };
  });
});
