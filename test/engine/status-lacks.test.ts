/**
 * What each remote lacks of what it wants, in the status the window and `ferry status --json`
 * show: counted from the location logs and preferred content, down to "up to date" once copied;
 * a remote whose preferred content leaves a file out does not lack it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ferryOk, git, tempDir } from '../helpers/repos';

interface Shown {
  remotes: { name: string; lacks?: { files: number; bytes: number } }[];
}

describe('what each remote lacks', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('counts the wanted files a remote lacks, and says up to date once it has them', async () => {
    const a = join(tmp.path, 'A');
    mkdirSync(join(a, 'raw'), { recursive: true });
    writeFileSync(join(a, 'one.txt'), 'one\n');
    writeFileSync(join(a, 'raw', 'big.raw'), Buffer.alloc(5000, 1));
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    const b = join(tmp.path, 'B');
    git(tmp.path, 'clone', '-q', a, b);
    await ferryOk(b, 'init', 'desktop');
    git(a, 'remote', 'add', 'desktop', b);
    await ferryOk(a, 'sync');
    const shown = async (): Promise<Shown['remotes'][number] | undefined> =>
      (JSON.parse((await ferryOk(a, 'status', '--json', '--lacks')).out) as Shown).remotes.find(
        (r) => r.name === 'desktop',
      );
    assert.deepEqual((await shown())?.lacks, { files: 2, bytes: 5004 });
    await ferryOk(a, 'wanted', 'desktop', 'exclude=raw/*');
    assert.deepEqual(
      (await shown())?.lacks,
      { files: 1, bytes: 4 },
      'what it does not want is not lacking',
    );
    await ferryOk(a, 'copy', '--to', 'desktop', 'one.txt');
    assert.deepEqual((await shown())?.lacks, { files: 0, bytes: 0 });
  });
});
