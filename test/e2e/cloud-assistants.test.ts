/**
 * Two Ferry engines (what `ferry assistant` and the app run) that share nothing but an S3
 * bucket (s3rver on 127.0.0.1), encrypted and chunked: B is cloned from the bucket's annex::
 * URL alone; a file saved on either side reaches the other with its content; a conflict made on
 * both keeps both versions everywhere; two bursts pushed at once lose nothing.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import { ferryOk, git, tempDir } from '../helpers/repos';
import { s3Params, startS3, useS3Keys, type S3Server } from '../helpers/s3';
import { waitFor } from '../helpers/wait';

function hasText(path: string, text: string): boolean {
  try {
    return readFileSync(path, 'utf8') === text;
  } catch {
    return false;
  }
}

describe('two Ferry assistants sharing only an S3 bucket', () => {
  const tmp = tempDir();
  let server: S3Server;
  const engines: Engine[] = [];
  const a = join(tmp.path, 'A');
  const b = join(tmp.path, 'B');

  before(async () => {
    useS3Keys();
    server = await startS3(tmp.path);
    git(tmp.path, 'init', '-q', a);
    await ferryOk(a, 'init', 'A');
    writeFileSync(join(a, 'first.txt'), 'first\n');
    await ferryOk(a, 'add', 'first.txt');
    await ferryOk(
      a,
      'initremote',
      'cloud',
      ...s3Params(server.port, 'family-photos'),
      'encryption=shared',
      'chunk=1MiB',
    );
    await ferryOk(a, 'sync', '--content');
    const info = JSON.parse((await ferryOk(a, 'info', 'cloud', '--json')).out) as {
      cloneUrl: string;
    };
    assert.match(info.cloneUrl, /^annex::[0-9a-f-]{36}\?.*cipher=/);
    await ferryOk(tmp.path, 'clone', info.cloneUrl, b);
    assert.ok(
      !readFileSync(join(b, '.git', 'config'), 'utf8').includes('cipher'),
      'the cipher stays out of .git/config',
    );
    git(a, 'config', 'remote.cloud.ferry-pollinterval', '1');
    git(b, 'config', 'remote.origin.ferry-pollinterval', '1');
    for (const dir of [a, b]) {
      const engine = new Engine({
        watch: parcelWatch,
        folders: [dir],
        quietMs: 50,
        ...(process.env.CLOUD_DEBUG
          ? {
              log: (m: string) => console.error(`[${dir.slice(-1)}] ${m}`),
              debug: (mod: string, m: string) => console.error(`[${dir.slice(-1)}] ${mod}: ${m}`),
            }
          : {}),
      });
      await engine.start();
      engines.push(engine);
    }
  });
  after(async () => {
    for (const e of engines) await e.stop();
    await server.close();
    tmp.cleanup();
  });

  it('the clone made from the bucket alone has the tree, and gets the content', async () => {
    await waitFor(
      'first.txt in B with its content',
      () => hasText(join(b, 'first.txt'), 'first\n'),
      30_000,
    );
  });

  it('a file saved in A reaches B with its content, and one saved in B reaches A', async () => {
    writeFileSync(join(a, 'photo.jpg'), Buffer.alloc(2_500_000, 3));
    await waitFor(
      'photo.jpg in B with its content',
      () =>
        existsSync(join(b, 'photo.jpg')) && readFileSync(join(b, 'photo.jpg')).length === 2_500_000,
      30_000,
    );
    writeFileSync(join(b, 'from-b.txt'), 'from b\n');
    await waitFor('from-b.txt in A', () => hasText(join(a, 'from-b.txt'), 'from b\n'), 30_000);
  });

  it('a conflict made on both sides keeps both versions on both', async () => {
    writeFileSync(join(a, 'doc.txt'), 'version A\n');
    writeFileSync(join(b, 'doc.txt'), 'version B\n');
    const versions = (dir: string): string[] =>
      readdirSync(dir)
        .filter((n) => n.startsWith('doc'))
        .map((n) => {
          try {
            return readFileSync(join(dir, n), 'utf8');
          } catch {
            return '';
          }
        })
        .sort();
    await waitFor(
      'both versions in A and in B',
      () =>
        JSON.stringify(versions(a)) === JSON.stringify(['version A\n', 'version B\n']) &&
        JSON.stringify(versions(b)) === JSON.stringify(['version A\n', 'version B\n']),
      60_000,
    );
  });

  it('two bursts pushed at once lose nothing', async () => {
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(a, `a-${i}.txt`), `a ${i}\n`);
      writeFileSync(join(b, `b-${i}.txt`), `b ${i}\n`);
    }
    const all = (dir: string): boolean => {
      for (let i = 0; i < 20; i++)
        if (
          !hasText(join(dir, `a-${i}.txt`), `a ${i}\n`) ||
          !hasText(join(dir, `b-${i}.txt`), `b ${i}\n`)
        )
          return false;
      return true;
    };
    await waitFor('all 40 files in A and in B', () => all(a) && all(b), 90_000);
  });
});
