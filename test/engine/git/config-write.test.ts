/** `.git/config` is never seen half written: readers during many writes always find it whole. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gitContext } from '../../../src/engine/git/context';
import { setConfig } from '../../../src/engine/git/read';
import { git, tempDir } from '../../helpers/repos';

describe('config writes', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('replace the file whole, one after another, losing no key', async () => {
    const dir = join(tmp.path, 'r');
    git(tmp.path, 'init', '-q', dir);
    const ctx = gitContext(dir, join(dir, '.git'), false);
    let torn = 0;
    let reads = 0;
    const reader = setInterval(() => {
      reads++;
      if (!readFileSync(join(dir, '.git', 'config'), 'utf8').includes('[core]')) torn++;
    }, 0);
    try {
      // many writers at once, as the assistant, the transferrer and a command may be
      await Promise.all(
        Array.from({ length: 150 }, (_, i) => setConfig(ctx, `remote.r${i}.url`, `/path/${i}`)),
      );
    } finally {
      clearInterval(reader);
    }
    assert.equal(torn, 0, `a reader saw the config without its [core] section (${reads} reads)`);
    const urls = git(dir, 'config', '--get-regexp', '^remote\\..*\\.url$').trim().split('\n');
    assert.equal(urls.length, 150, 'no write lost another');
  });
});
