/**
 * Ferry and git-annex as clients of one ssh host (the real OpenSSH server on 127.0.0.1, the
 * host's repository made and checked by git-annex): trees, content and location logs travel
 * both ways, and git-annex agrees with what Ferry did.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { copyTree, headTree, lsTree } from '../helpers/clones';
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

    it('the same conflict resolved by Ferry and by git-annex through the host gives identical trees', async () => {
      const host = join(tmp.path, 'chost');
      run(tmp.path, 'git', 'init', '-q', host);
      run(host, 'git', 'annex', 'init', '-q', 'host');
      writeFileSync(join(host, 'one.txt'), 'one\n');
      writeFileSync(join(host, 'noext'), 'noext\n');
      run(host, 'git', 'annex', 'add', '-q', 'one.txt', 'noext');
      run(host, 'git', 'commit', '-qm', 'base');

      // Ferry's clone and git-annex's clone of the host edit the same files
      const a = join(tmp.path, 'cA');
      await ferryOk(tmp.path, 'clone', `ferryhost:${host}`, a);
      const g = join(tmp.path, 'cG');
      run(tmp.path, 'git', 'clone', '-q', `ferryhost:${host}`, g);
      run(g, 'git', 'annex', 'init', '-q', 'G');
      const edit = (dir: string, who: string): void => {
        // the clones have no content yet: their files are links to nothing, replaced here
        for (const f of ['one.txt', 'noext']) rmSync(join(dir, f), { force: true });
        writeFileSync(join(dir, 'one.txt'), `one from ${who}\n`);
        writeFileSync(join(dir, 'noext'), `noext from ${who}\n`);
        mkdirSync(join(dir, 'sub'), { recursive: true });
        writeFileSync(join(dir, 'sub', 'doc.tar.gz'), `doc ${who}\n`);
      };
      edit(a, 'ferry');
      await ferryOk(a, 'add', '.');
      await ferryOk(a, 'sync');
      edit(g, 'annex');
      run(g, 'git', 'annex', 'add', '-q', 'one.txt', 'noext', 'sub/doc.tar.gz');
      run(g, 'git', 'commit', '-qm', 'annex side edits');

      // Each resolves the conflict on its own, from the host: git-annex in G, Ferry in a snapshot of G
      const c = join(tmp.path, 'cC');
      copyTree(g, c);
      run(c, 'git', 'config', 'remote.origin.annex-push', 'false');
      await ferryOk(c, 'sync');
      run(g, 'git', 'annex', 'sync', '-q', '--no-push');
      assert.equal(
        run(g, 'git', 'log', '-1', '--format=%s').trim(),
        'git-annex automatic merge conflict fix',
      );
      assert.deepEqual(lsTree(c), lsTree(g));
      assert.ok(
        lsTree(g).some((f) => /^one\.variant-[0-9a-f]{4}\.txt$/.test(f)),
        lsTree(g).join(' '),
      );
      assert.equal(headTree(c), headTree(g), 'byte-identical trees');

      // git-annex's resolution travels back to Ferry's clone through the host
      run(g, 'git', 'annex', 'sync', '-q');
      await ferryOk(a, 'sync');
      assert.equal(headTree(a), headTree(g));
    });

    it("a bare host's branch moves with Ferry's push; a non-bare host's checked-out branch is left alone", async () => {
      const bare = join(tmp.path, 'bare.git');
      run(tmp.path, 'git', 'init', '-q', '--bare', bare);
      run(bare, 'git', 'annex', 'init', '-q', 'bare host');
      const a = join(tmp.path, 'bareA');
      run(tmp.path, 'git', 'init', '-q', a);
      await ferryOk(a, 'init', 'A');
      run(a, 'git', 'remote', 'add', 'host', `ferryhost:${bare}`);
      writeFileSync(join(a, 'x.txt'), 'x\n');
      await ferryOk(a, 'add', 'x.txt');
      const r = await ferryOk(a, 'sync');
      assert.doesNotMatch(r.err, /fail/i);
      const head = run(a, 'git', 'rev-parse', 'HEAD').trim();
      assert.equal(run(bare, 'git', 'rev-parse', 'refs/heads/master').trim(), head);
      assert.equal(run(bare, 'git', 'rev-parse', 'refs/heads/synced/master').trim(), head);
      // a plain git clone of the bare host sees Ferry's commit
      const g = join(tmp.path, 'bareG');
      run(tmp.path, 'git', 'clone', '-q', `ferryhost:${bare}`, g);
      assert.equal(run(g, 'git', 'rev-parse', 'HEAD').trim(), head);

      // a non-bare host: its master stays where it was (it merges synced/master itself)
      const host = join(tmp.path, 'nonbare');
      run(tmp.path, 'git', 'init', '-q', host);
      run(host, 'git', 'annex', 'init', '-q', 'non-bare host');
      run(host, 'git', 'commit', '-q', '--allow-empty', '-m', 'start');
      const before = run(host, 'git', 'rev-parse', 'refs/heads/master').trim();
      const b = join(tmp.path, 'nonbareA');
      await ferryOk(tmp.path, 'clone', `ferryhost:${host}`, b);
      writeFileSync(join(b, 'y.txt'), 'y\n');
      await ferryOk(b, 'add', 'y.txt');
      const s2 = await ferryOk(b, 'sync');
      assert.doesNotMatch(s2.out + s2.err, /fail/i);
      assert.equal(run(host, 'git', 'rev-parse', 'refs/heads/master').trim(), before);
      assert.equal(
        run(host, 'git', 'rev-parse', 'refs/heads/synced/master').trim(),
        run(b, 'git', 'rev-parse', 'HEAD').trim(),
      );
    });
  },
);
