/** Ferry's tree checks against git's own: `git fsck --strict` is the referee on a corpus of trees. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { badPath, commitProblem, LENIENT_MODES, treeProblem } from '../../../src/engine/git/fsck';
import { blob, rawTree, type RawEntry, writeLiteral } from '../../helpers/hostile';
import { git, gitStatus, tempDir } from '../../helpers/repos';

const NAMES = [
  'a.txt',
  'photo 1.jpg',
  'ünïcødé',
  '-dash',
  '.hidden',
  '...',
  '.gitx',
  'x.git',
  '.git~1',
  'git~2',
  'a\\.git',
  '',
  '.',
  '..',
  '.git',
  '.GIT',
  '.Git',
  'git~1',
  'GIT~1',
  '.git.',
  '.git ',
  '.git. .',
  '.git::$INDEX_ALLOCATION',
  '.git:stream',
  'git~1:x',
  '.g\u200cit',
  '\u200c.git',
  '.git\ufeff',
  '.gi\u200dt',
  'a/b',
];

describe('tree checks, with git as the referee', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('refuse exactly the trees git fsck --strict reports', () => {
    const repo = join(tmp.path, 'r');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    const file = blob(repo, 'x\n');
    const sub = rawTree(repo, [{ mode: '100644', name: 'f', oid: file }]);
    const cases: { label: string; entries: RawEntry[] }[] = [];
    for (const name of NAMES) {
      cases.push({
        label: `file ${JSON.stringify(name)}`,
        entries: [{ mode: '100644', name, oid: file }],
      });
      cases.push({
        label: `dir ${JSON.stringify(name)}`,
        entries: [{ mode: '40000', name, oid: sub }],
      });
    }
    for (const mode of ['100644', '100755', '120000', '100664', '100600', '040000', '644'])
      cases.push({ label: `mode ${mode}`, entries: [{ mode, name: 'm', oid: file }] });
    for (const name of [
      '.gitmodules',
      '.gitattributes',
      '.gitignore',
      '.mailmap',
      '.GITIGNORE',
      'other',
    ])
      cases.push({ label: `link ${name}`, entries: [{ mode: '120000', name, oid: file }] });
    cases.push({ label: 'null id', entries: [{ mode: '100644', name: 'z', oid: '0'.repeat(40) }] });
    const f = (name: string): RawEntry => ({ mode: '100644', name, oid: file });
    const d = (name: string): RawEntry => ({ mode: '40000', name, oid: sub });
    cases.push({ label: 'sorted', entries: [f('a'), f('b'), d('c')] });
    cases.push({ label: 'unsorted', entries: [f('b'), f('a')] });
    cases.push({ label: 'duplicate files', entries: [f('a'), f('a')] });
    cases.push({ label: 'file and dir of one name', entries: [f('a'), d('a')] });
    cases.push({ label: 'a. before a/', entries: [f('a.'), d('a')] });
    cases.push({ label: 'a/ before a.', entries: [d('a'), f('a.')] });
    cases.push({ label: 'a/ before a0', entries: [d('a'), f('a0')] });

    const ids = cases.map((c) => rawTree(repo, c.entries));
    const r = gitStatus(repo, 'fsck', '--strict', '--no-dangling', '--no-progress');
    const flagged = new Set(
      [...(r.stdout + r.stderr).matchAll(/(?:error|warning) in tree ([0-9a-f]{40})/g)].map(
        (m) => m[1],
      ),
    );
    const disagreements: string[] = [];
    cases.forEach((c, i) => {
      const raw = execFileSync('git', ['cat-file', 'tree', ids[i] ?? ''], { cwd: repo });
      const ours = treeProblem(raw);
      // the old modes plain git fsck accepts (only --strict flags them) are accepted on purpose
      const isLenient = c.label.startsWith('mode ') && LENIENT_MODES.includes(c.label.slice(5));
      const theirs = flagged.has(ids[i] ?? '') && !isLenient;
      if ((ours !== undefined) !== theirs)
        disagreements.push(
          `${c.label}: git ${theirs ? 'refuses' : 'accepts'}, Ferry ${ours ?? 'accepts'}`,
        );
    });
    assert.deepEqual(disagreements, []);
    assert.ok(flagged.size > 20, 'the corpus holds many trees git refuses');
    for (const mode of LENIENT_MODES) {
      const i = cases.findIndex((c) => c.label === `mode ${mode}`);
      assert.ok(flagged.has(ids[i] ?? ''), `git fsck --strict flags ${mode}`);
    }
  });

  it('check commits and whole paths', () => {
    const ok = `tree ${'a'.repeat(40)}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\nmsg\n`;
    assert.equal(commitProblem(Buffer.from(ok)), undefined);
    assert.ok(commitProblem(Buffer.from(ok.replace('tree a', 'tree z'))));
    assert.ok(commitProblem(Buffer.from(ok.replace('author A <a@x>', 'author A a@x'))));
    assert.ok(commitProblem(Buffer.from('')));
    assert.equal(badPath('a/b/c.txt'), undefined);
    for (const p of ['/etc/passwd', 'a/../b', 'a//b', '.git/hooks/x', 'x/.GIT/y'])
      assert.ok(badPath(p), p);
  });

  it('a literal object written by the helper is what git reads back', () => {
    const repo = join(tmp.path, 'w');
    mkdirSync(repo);
    git(repo, 'init', '-q');
    const id = writeLiteral(repo, 'blob', 'hello\n');
    assert.equal(git(repo, 'cat-file', 'blob', id), 'hello\n');
  });
});
