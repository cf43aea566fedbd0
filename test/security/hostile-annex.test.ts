/**
 * A remote's annex folder is untrusted: symlinks placed in it, keys that are not keys and
 * objects that lie must never make Ferry touch anything outside the two repositories, import a
 * file it should not read, or drop the last good copy.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { objectRelPath, symlinkTarget } from '../../src/engine/annex/paths';
import {
  blob,
  commitOnBranch,
  rawTree,
  topEntries,
  keyOf,
  victimAndAttacker,
} from '../helpers/hostile';
import { ferry, ferryOk, git, tempDir } from '../helpers/repos';

/** Makes every directory of a repository's annex writable again, so a test can plant things. */
function unfreeze(repo: string): void {
  git(repo, 'annex', 'version'); // git-annex present: the referee
  for (const dir of [join(repo, '.git', 'annex', 'objects')]) {
    const walk = (d: string): void => {
      chmodSync(d, 0o755);
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (lstatSync(p).isDirectory()) walk(p);
      }
    };
    walk(dir);
  }
}

function plantAt(repo: string, key: string, make: (objectPath: string) => void): void {
  const path = join(repo, '.git', 'annex', objectRelPath(key, 'mixed'));
  mkdirSync(dirname(dirname(path)), { recursive: true });
  unfreeze(repo);
  make(path);
}

describe("a remote's annex folder", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  for (const kind of ['absolute', 'relative'] as const) {
    it(`a symlinked tmp folder (${kind}) on the remote gets no upload written through it`, async () => {
      const { v, e, victim } = await victimAndAttacker(join(tmp.path, `tmp-${kind}`));
      writeFileSync(join(v, 'app.desktop'), '[Desktop Entry]\nExec=evil\n');
      await ferryOk(v, 'add', 'app.desktop');
      const tmpDir = join(e, '.git', 'annex', 'tmp');
      rmSync(tmpDir, { recursive: true, force: true });
      symlinkSync(kind === 'absolute' ? victim : join('..', '..', '..', 'victim'), tmpDir);
      const r = await ferry(v, 'copy', '--to', 'evil', 'app.desktop');
      assert.notEqual(r.code, 0);
      assert.match(r.out + r.err, /symbolic link/);
      assert.deepEqual(readdirSync(victim), []);
      // the assistant's way: the transfer fails, and the sync says so
      const s = await ferry(v, 'sync', '--content');
      assert.notEqual(s.code, 0, s.out);
      assert.doesNotMatch(s.out, /sync ok/);
      assert.match(s.err, /transfer\(s\) failed/);
      assert.deepEqual(readdirSync(victim), []);
      assert.equal(readFileSync(join(v, 'app.desktop'), 'utf8'), '[Desktop Entry]\nExec=evil\n');
    });
  }

  it('a key directory replaced by a file, or by a link out, stops the upload with nothing written', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'keydir'));
    writeFileSync(join(v, 'a.txt'), 'content a\n');
    await ferryOk(v, 'add', 'a.txt');
    const key = keyOf(v, 'a.txt');
    plantAt(e, key, (object) => writeFileSync(dirname(object), 'not a directory'));
    const r = await ferry(v, 'copy', '--to', 'evil', 'a.txt');
    assert.notEqual(r.code, 0);
    rmSync(dirname(join(e, '.git', 'annex', objectRelPath(key, 'mixed'))), { force: true });
    plantAt(e, key, (object) => symlinkSync(victim, dirname(object)));
    const r2 = await ferry(v, 'copy', '--to', 'evil', 'a.txt');
    assert.notEqual(r2.code, 0);
    assert.deepEqual(readdirSync(victim), []);
    assert.equal(statSync(victim).mode & 0o777, 0o700);
  });

  it('a pointer naming the "key" .bashrc touches nothing in the home folder it links to', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'bashrc'));
    writeFileSync(join(victim, '.bashrc'), 'alias ls=ls\n');
    const pointer = blob(e, '/annex/objects/.bashrc\n');
    commitOnBranch(
      e,
      rawTree(e, [...topEntries(e), { mode: '100644', name: 'notes.txt', oid: pointer }]),
    );
    const keyDir = dirname(join(e, '.git', 'annex', objectRelPath('.bashrc', 'mixed')));
    mkdirSync(dirname(keyDir), { recursive: true });
    symlinkSync(victim, keyDir);
    await ferry(v, 'sync');
    await ferry(v, 'get', 'notes.txt');
    await ferry(v, 'get', '--from', 'evil', '.');
    assert.equal(statSync(victim).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(victim).sort(), ['.bashrc']);
  });

  it('a valid key whose object directory links out is not read, locked or chmodded', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'linked-keydir'));
    writeFileSync(join(e, 'report.txt'), 'quarterly\n');
    await ferryOk(e, 'add', 'report.txt');
    const key = keyOf(e, 'report.txt');
    const object = join(e, '.git', 'annex', objectRelPath(key, 'mixed'));
    const keyDir = dirname(object);
    chmodSync(keyDir, 0o755);
    rmSync(keyDir, { recursive: true, force: true });
    writeFileSync(join(victim, key), 'quarterly\n');
    symlinkSync(victim, keyDir);
    await ferryOk(v, 'sync');
    const r = await ferry(v, 'get', 'report.txt');
    assert.notEqual(r.code, 0);
    assert.equal(statSync(victim).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(victim), [key], 'no lock file created there');
  });

  it("a WORM object that is a symlink to the victim's secret is never imported", async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'worm'));
    const secret = join(victim, 'id_ed25519');
    writeFileSync(secret, 'PRIVATE KEY\n', { mode: 0o600 });
    const st = statSync(secret);
    const key = `WORM-s${st.size}-m${Math.floor(st.mtimeMs / 1000)}--leak`;
    const link = blob(e, symlinkTarget('leak', key));
    commitOnBranch(e, rawTree(e, [...topEntries(e), { mode: '120000', name: 'leak', oid: link }]));
    plantAt(e, key, (object) => {
      mkdirSync(dirname(object), { recursive: true });
      symlinkSync(secret, object);
    });
    await ferryOk(v, 'sync');
    const r = await ferry(v, 'get', 'leak');
    assert.notEqual(r.code, 0);
    const ours = join(v, '.git', 'annex', objectRelPath(key, 'mixed'));
    assert.throws(() => lstatSync(ours), /ENOENT/, 'nothing imported');
  });

  for (const lie of ['wrong bytes', "a symlink to the victim's own object"] as const) {
    it(`a remote whose only other copy is ${lie} cannot make drop remove the last good copy`, async () => {
      const { v, e } = await victimAndAttacker(join(tmp.path, `lie-${lie.length}`));
      writeFileSync(join(v, 'precious.txt'), 'precious bytes\n');
      await ferryOk(v, 'add', 'precious.txt');
      await ferryOk(v, 'copy', '--to', 'evil', 'precious.txt');
      const key = keyOf(v, 'precious.txt');
      const theirs = join(e, '.git', 'annex', objectRelPath(key, 'mixed'));
      unfreeze(e);
      rmSync(theirs, { force: true });
      if (lie === 'wrong bytes') writeFileSync(theirs, 'PRECIOUS BYTES\n');
      else symlinkSync(join(v, '.git', 'annex', objectRelPath(key, 'mixed')), theirs);
      const r = await ferry(v, 'drop', 'precious.txt');
      assert.notEqual(r.code, 0);
      assert.match(r.out + r.err, /could only verify 0/);
      assert.equal(readFileSync(join(v, 'precious.txt'), 'utf8'), 'precious bytes\n');
    });
  }
});
