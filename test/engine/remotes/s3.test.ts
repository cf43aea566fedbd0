/**
 * The S3 special remote kind against the Remote conformance suite, on a real S3 server
 * (s3rver on 127.0.0.1), chunked (resumable by chunk), plain and with shared encryption.
 */
import {
  closeSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import { findRemote } from '../../../src/engine/remotes/git-remotes';
import { openRemote } from '../../../src/engine/remotes/registry';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { s3Params, startS3, useS3Keys, type S3Server } from '../../helpers/s3';
import { remoteConformance } from './conformance';

/** Every stored object file of the server (s3rver keeps `<key>._S3rver_object`). */
function objects(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...objects(p));
    else if (e.name.endsWith('._S3rver_object') && !e.name.startsWith('annex-uuid')) out.push(p);
  }
  return out;
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

describe('S3 special remote', () => {
  const tmp = tempDir();
  const servers: S3Server[] = [];
  useS3Keys();
  after(async () => {
    for (const s of servers) await s.close().catch(() => undefined);
    tmp.cleanup();
  });
  let n = 0;

  for (const params of [['encryption=none'], ['encryption=shared']]) {
    remoteConformance(`S3 (chunk=1MiB ${params.join(' ')})`, async () => {
      const root = join(tmp.path, `case${n++}`);
      const server = await startS3(root);
      servers.push(server);
      const a = join(root, 'A');
      const c = join(root, 'C');
      git(tmp.path, 'init', '-q', a);
      writeFileSync(join(a, 'big.bin'), bytes(8 << 20, n));
      await ferryOk(a, 'init', 'A');
      await ferryOk(a, 'add', 'big.bin');
      await ferryOk(
        a,
        'initremote',
        's3',
        ...s3Params(server.port, `conformance-${n}`),
        'chunk=1MiB',
        ...params,
      );
      git(tmp.path, 'clone', '-q', a, c);
      await ferryOk(c, 'init', 'C');
      const ours = await openRepository(a);
      const remote = await openRemote(ours, await findRemote(ours, 's3'));
      const target = git(a, 'cat-file', 'blob', 'HEAD:big.bin');
      return {
        remote,
        ours,
        key: target.slice(target.lastIndexOf('/') + 1),
        empty: await openRepository(c),
        unplug: () => server.close(),
        corrupt: () => objects(server.dir).forEach(flipMiddle),
      };
    });
  }
});
