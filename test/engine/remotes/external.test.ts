/**
 * The external special remote kind against the Remote conformance suite: a real program
 * (`test/fixtures/external/git-annex-remote-ferrytest`, a folder-backed remote speaking
 * git-annex's protocol) driven one request at a time and with ASYNC, chunked, plain and shared.
 */
import {
  closeSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, describe } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { openRemote } from '../../../src/engine/remotes/registry';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { remoteConformance } from './conformance';

import { EXTERNAL_FIXTURES } from '../../helpers/external';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function flipMiddle(file: string): void {
  const fd = openSync(file, 'r+');
  const at = Math.floor(statSync(file).size / 2);
  const b = Buffer.alloc(8);
  readSync(fd, b, 0, 8, at);
  for (let i = 0; i < 8; i++) b[i] = (b[i] ?? 0) ^ 0x5a;
  writeSync(fd, b, 0, 8, at);
  closeSync(fd);
}

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
    remoteConformance(`external (${mode}, chunk=1MiB ${params.join(' ')})`, async () => {
      process.env.FERRYTEST_ASYNC = mode === 'ASYNC' ? '1' : '0';
      const root = join(tmp.path, `case${n++}`);
      const store = join(root, 'store');
      const a = join(root, 'A');
      const c = join(root, 'C');
      git(tmp.path, 'init', '-q', a);
      writeFileSync(join(a, 'big.bin'), bytes(8 << 20, n));
      await ferryOk(a, 'init', 'A');
      await ferryOk(a, 'add', 'big.bin');
      await ferryOk(
        a,
        'initremote',
        'ext',
        'type=external',
        'externaltype=ferrytest',
        `directory=${store}`,
        'chunk=1MiB',
        ...params,
      );
      git(tmp.path, 'clone', '-q', a, c);
      await ferryOk(c, 'init', 'C');
      const ours = await openRepository(a);
      const remote = await openRemote(ours, await findRemote(ours, 'ext'));
      const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
      return {
        remote,
        ours,
        key: target.slice(target.lastIndexOf('/') + 1),
        empty: await openRepository(c),
        unplug: () => renameSync(store, `${store}.unplugged`),
        corrupt: () => files(store).forEach(flipMiddle),
      };
    });
  }
});
