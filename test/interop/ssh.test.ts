/**
 * Ferry and git-annex as clients of one ssh host (the real OpenSSH server on 127.0.0.1, the
 * host's repository made and checked by git-annex): trees, content and location logs travel
 * both ways, and git-annex agrees with what Ferry did.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lsTree } from '../helpers/clones';
import { ferryOk, tempDir } from '../helpers/repos';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';

describe(
  'an ssh host shared by Ferry and git-annex',
  { skip: hasSshd() ? false : 'no sshd' },
  () => {
    const tmp = tempDir();
    let sshd: TestSshd;
    const saved = process.env.GIT_SSH_COMMAND;
    let run: (cwd: string, ...argv: string[]) => string;
    before(async () => {
      sshd = await startSshd();
      process.env.GIT_SSH_COMMAND = sshd.env.GIT_SSH_COMMAND;
      const env = {
        ...sshd.env,
        GIT_AUTHOR_NAME: 'Ferry Test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'Ferry Test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
      };
      run = (cwd, ...argv) =>
        execFileSync(argv[0] ?? 'git', argv.slice(1), {
          cwd,
          env,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    });
    after(async () => {
      process.env.GIT_SSH_COMMAND = saved;
      await sshd.stop();
      tmp.cleanup();
    });

    it('syncs trees, content and location logs both ways; git annex fsck on the host is clean', async () => {
      const host = join(tmp.path, 'host');
      run(tmp.path, 'git', 'init', '-q', host);
      run(host, 'git', 'annex', 'init', '-q', 'host');
      writeFileSync(join(host, 'from-host.txt'), 'made on the host\n');
      run(host, 'git', 'annex', 'add', '-q', 'from-host.txt');
      run(host, 'git', 'commit', '-qm', 'host file');
      const hostUuid = run(host, 'git', 'config', 'annex.uuid').trim();

      // Ferry's clone, with the host as an ssh remote
      const a = join(tmp.path, 'A');
      run(tmp.path, 'git', 'init', '-q', a);
      await ferryOk(a, 'init', 'A');
      run(a, 'git', 'remote', 'add', 'host', `ferryhost:${host}`);
      writeFileSync(join(a, 'from-ferry.bin'), Buffer.alloc(300_000, 7));
      await ferryOk(a, 'add', 'from-ferry.bin');
      await ferryOk(a, 'sync', '--content');
      assert.equal(run(a, 'git', 'config', 'remote.host.annex-uuid').trim(), hostUuid);
      assert.equal(readFileSync(join(a, 'from-host.txt'), 'utf8'), 'made on the host\n');
      const aUuid = run(a, 'git', 'config', 'annex.uuid').trim();

      // git-annex's clone of the same host sees Ferry's commit and gets its content from the host
      const b = join(tmp.path, 'B');
      run(tmp.path, 'git', 'clone', '-q', `ferryhost:${host}`, b);
      run(b, 'git', 'annex', 'init', '-q', 'B');
      writeFileSync(join(b, 'from-annex.txt'), 'made by git annex\n');
      run(b, 'git', 'annex', 'add', '-q', 'from-annex.txt');
      run(b, 'git', 'commit', '-qm', 'annex file');
      run(b, 'git', 'annex', 'sync', '-q', '--content');
      assert.deepEqual(readFileSync(join(b, 'from-ferry.bin')), Buffer.alloc(300_000, 7));
      const whereis = run(b, 'git', 'annex', 'whereis', 'from-ferry.bin');
      assert.match(whereis, new RegExp(hostUuid));
      assert.match(whereis, new RegExp(aUuid), 'git-annex knows Ferry has it');

      // and back: Ferry gets git-annex's file with content
      await ferryOk(a, 'sync', '--content');
      assert.equal(readFileSync(join(a, 'from-annex.txt'), 'utf8'), 'made by git annex\n');
      assert.deepEqual(lsTree(a).sort(), ['from-annex.txt', 'from-ferry.bin', 'from-host.txt']);
      run(host, 'git', 'annex', 'merge', '-q');
      run(host, 'git', 'annex', 'fsck', '-q', '--all');
      run(host, 'git', 'fsck', '--strict', '--no-progress');
    });
  },
);
