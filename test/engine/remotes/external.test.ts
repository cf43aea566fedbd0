/**
 * The external special remote kind against the Remote conformance suite: a real program
 * (`test/fixtures/external/git-annex-remote-ferrytest`, a folder-backed remote speaking
 * git-annex's protocol) driven one request at a time and with ASYNC, chunked, plain and shared.
 */
import { renameSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, describe } from 'node:test';
import { EXTERNAL_FIXTURES } from '../../helpers/external';
import { tempDir } from '../../helpers/repos';
import { filesUnder, flipMiddle, specialFixture } from '../../helpers/special-fixture';
import { remoteConformance } from './conformance';

describe('external special remote', () => {
  const tmp = tempDir();
  const path = process.env.PATH;
  process.env.PATH = `${EXTERNAL_FIXTURES}${delimiter}${path ?? ''}`;
  after(() => {
    process.env.PATH = path;
    delete process.env.FERRYTEST_ASYNC;
    tmp.cleanup();
  });
  let n = 0;

  for (const [mode, params] of [
    ['one at a time', ['encryption=none']],
    ['ASYNC', ['encryption=shared']],
  ] as const) {
    remoteConformance(`external (${mode}, chunk=1MiB ${params.join(' ')})`, () => {
      process.env.FERRYTEST_ASYNC = mode === 'ASYNC' ? '1' : '0';
      const root = join(tmp.path, `case${n++}`);
      const store = join(root, 'store');
      return specialFixture(
        root,
        n,
        ['type=external', 'externaltype=ferrytest', `directory=${store}`, 'chunk=1MiB', ...params],
        {
          unplug: () => renameSync(store, `${store}.unplugged`),
          corrupt: () => filesUnder(store).forEach(flipMiddle),
        },
      );
    });
  }
});
