/**
 * The `directory` special remote kind against the Remote conformance suite: plain, and chunked
 * with shared encryption (names HMAC'd, content OpenPGP), on a real folder.
 */
import { chmodSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe } from 'node:test';
import { tempDir } from '../../helpers/repos';
import { filesUnder, flipMiddle, specialFixture } from '../../helpers/special-fixture';
import { remoteConformance } from './conformance';

describe('directory special remote', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;

  for (const params of [['encryption=none'], ['encryption=shared', 'chunk=1MiB']]) {
    remoteConformance(`directory (${params.join(' ')})`, () => {
      const root = join(tmp.path, `case${n++}`);
      const store = join(root, 'store');
      mkdirSync(store, { recursive: true });
      return specialFixture(root, n, ['type=directory', `directory=${store}`, ...params], {
        unplug: () => renameSync(store, `${store}.unplugged`),
        corrupt: () => {
          for (const f of filesUnder(store)) {
            if (f.startsWith(join(store, 'tmp'))) continue;
            chmodSync(dirname(f), 0o755);
            chmodSync(f, 0o644);
            flipMiddle(f);
          }
        },
      });
    });
  }
});
