/**
 * The other folders of a remote that Ferry writes into (its git-annex journal, refs, object
 * folders and work tree) may be links out of it: nothing is written through them, and nothing a
 * link points at is read into a git-annex branch.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { journalName, locationLogPath } from '../../src/engine/annex/paths';
import { keyOf, victimAndAttacker } from '../helpers/hostile';
import { ferry, ferryOk, git, tempDir } from '../helpers/repos';

describe("a remote's other folders", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('a journal folder that links out gets no location log written through it', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'journal-dir'));
    writeFileSync(join(v, 'f.txt'), 'f\n');
    await ferryOk(v, 'add', 'f.txt');
    const journal = join(e, '.git', 'annex', 'journal');
    rmSync(journal, { recursive: true, force: true });
    symlinkSync(victim, journal);
    // a file of the victim's by the name the location log would be written under
    const name = journalName(locationLogPath(keyOf(v, 'f.txt')));
    writeFileSync(join(victim, name), 'ORIGINAL\n');
    await ferry(v, 'copy', '--to', 'evil', 'f.txt');
    await ferry(v, 'sync', '--content');
    assert.deepEqual(readdirSync(victim), [name]);
    assert.equal(readFileSync(join(victim, name), 'utf8'), 'ORIGINAL\n');
  });

  it('a journal file that links to a secret never carries the secret into a git-annex branch', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'journal-file'));
    const secret = join(victim, 'secret');
    // shaped like a location log line, so a parser would keep it
    writeFileSync(secret, '1700000000s 1 TOP-SECRET-TOKEN\n', { mode: 0o600 });
    writeFileSync(join(v, 'g.txt'), 'g\n');
    await ferryOk(v, 'add', 'g.txt');
    const key = keyOf(v, 'g.txt');
    const journal = join(e, '.git', 'annex', 'journal');
    mkdirSync(journal, { recursive: true });
    symlinkSync(secret, join(journal, journalName(locationLogPath(key))));
    await ferry(v, 'copy', '--to', 'evil', 'g.txt');
    await ferry(v, 'sync');
    for (const repo of [v, e]) {
      const log = git(repo, 'log', '-p', '--all', '--', '.');
      assert.doesNotMatch(log, /TOP-SECRET-TOKEN/);
    }
    assert.equal(readFileSync(secret, 'utf8'), '1700000000s 1 TOP-SECRET-TOKEN\n');
  });

  it('a refs folder that links out gets no ref written through it; the other remotes still sync', async () => {
    const root = join(tmp.path, 'refs');
    const { v, e, victim } = await victimAndAttacker(root);
    git(v, 'clone', '-q', v, join(root, 'H'));
    git(v, 'remote', 'add', 'honest', join(root, 'H'));
    await ferryOk(join(root, 'H'), 'init', 'H');
    const synced = join(e, '.git', 'refs', 'heads', 'synced');
    rmSync(synced, { recursive: true, force: true });
    symlinkSync(victim, synced);
    writeFileSync(join(v, 'h.txt'), 'h\n');
    await ferryOk(v, 'add', 'h.txt');
    const r = await ferry(v, 'sync');
    // synced/master could not be written: the tagged push (refs/synced/<uuid>/...) stands in
    assert.match(r.out, /pushed to evil \(as tagged refs/, r.err);
    assert.deepEqual(readdirSync(victim), []);
    assert.equal(
      git(join(root, 'H'), 'rev-parse', 'refs/heads/synced/master').trim(),
      git(v, 'rev-parse', 'HEAD').trim(),
    );
  });

  it('object folders that link out get no object written through them', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'objects'));
    // every loose-object folder of the remote a link out
    git(e, 'repack', '-a', '-d', '-q');
    git(e, 'prune-packed');
    const objects = join(e, '.git', 'objects');
    for (let i = 0; i < 256; i++) {
      const dir = join(objects, i.toString(16).padStart(2, '0'));
      rmSync(dir, { recursive: true, force: true });
      symlinkSync(victim, dir);
    }
    writeFileSync(join(v, 'o.txt'), 'o\n');
    await ferryOk(v, 'add', 'o.txt');
    const r = await ferry(v, 'sync');
    assert.notEqual(r.code, 0);
    assert.deepEqual(readdirSync(victim), []);
  });

  it('a work-tree folder of the remote that links out is not written when its content arrives', async () => {
    const { v, e, victim } = await victimAndAttacker(join(tmp.path, 'populate'));
    mkdirSync(join(v, 'docs'));
    writeFileSync(join(v, 'docs', 'a.txt'), 'the content\n');
    await ferryOk(v, 'add', '--unlocked', 'docs');
    await ferryOk(e, 'sync');
    const pointer = readFileSync(join(e, 'docs', 'a.txt'), 'utf8');
    assert.match(pointer, /^\/annex\/objects\//);
    renameSync(join(e, 'docs'), join(victim, 'docs'));
    symlinkSync(join(victim, 'docs'), join(e, 'docs'));
    chmodSync(join(victim, 'docs', 'a.txt'), 0o644);
    await ferry(v, 'sync', '--content');
    assert.equal(readFileSync(join(victim, 'docs', 'a.txt'), 'utf8'), pointer);
    assert.deepEqual(readdirSync(join(victim, 'docs')), ['a.txt']);
  });
});
