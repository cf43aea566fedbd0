/**
 * Two Ferry engines (what `ferry assistant` and the app run) syncing through one ssh host:
 * the host's change notices bring a saved file, with its content, to the other side's work
 * tree; a burst arrives whole.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import { ferryOk, tempDir } from '../helpers/repos';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';
import { waitFor } from '../helpers/wait';

describe(
  'two Ferry assistants through one ssh host',
  { skip: hasSshd() ? false : 'no sshd' },
  () => {
    const tmp = tempDir();
    let sshd: TestSshd;
    const engines: Engine[] = [];
    const saved = process.env.GIT_SSH_COMMAND;
    const a = join(tmp.path, 'A');
    const b = join(tmp.path, 'B');
    const host = join(tmp.path, 'host');
    before(async () => {
      sshd = await startSshd();
      process.env.GIT_SSH_COMMAND = sshd.env.GIT_SSH_COMMAND;
      const run = (cwd: string, ...argv: string[]): string =>
        execFileSync('git', argv, { cwd, env: sshd.env, encoding: 'utf8', stdio: 'pipe' });
      run(tmp.path, 'init', '-q', '--bare', host);
      run(host, 'annex', 'init', '-q', 'host');
      for (const [dir, name] of [
        [a, 'A'],
        [b, 'B'],
      ] as const) {
        run(tmp.path, 'init', '-q', dir);
        await ferryOk(dir, 'init', name);
        run(dir, 'remote', 'add', 'host', `ferryhost:${host}`);
      }
      writeFileSync(join(a, 'first.txt'), 'first\n');
      await ferryOk(a, 'add', 'first.txt');
      await ferryOk(a, 'sync', '--content');
      await ferryOk(b, 'sync', '--content');
      for (const dir of [a, b]) {
        const engine = new Engine({ watch: parcelWatch, folders: [dir], quietMs: 50 });
        await engine.start();
        engines.push(engine);
      }
    });
    after(async () => {
      for (const e of engines) await e.stop();
      process.env.GIT_SSH_COMMAND = saved;
      await sshd.stop();
      // the host's git-annex-shell sessions finish their last writes (bounded: 10 s)
      for (let i = 0; i < 100 && spawnSync('pgrep', ['-f', host]).status === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      tmp.cleanup();
    });

    it('a file saved in A reaches B with its content', async () => {
      assert.equal(readFileSync(join(b, 'first.txt'), 'utf8'), 'first\n');
      writeFileSync(join(a, 'photo.jpg'), Buffer.alloc(200_000, 3));
      await waitFor(
        'photo.jpg in B with its content',
        () =>
          existsSync(join(b, 'photo.jpg')) && readFileSync(join(b, 'photo.jpg')).length === 200_000,
        30_000,
      );
    });

    it('a burst of 200 files arrives whole', async () => {
      for (let i = 0; i < 200; i++) writeFileSync(join(b, `burst-${i}.txt`), `file ${i}\n`);
      await waitFor(
        'all 200 in A with content',
        () => {
          for (let i = 0; i < 200; i++) {
            const p = join(a, `burst-${i}.txt`);
            if (!existsSync(p)) return false;
            try {
              if (readFileSync(p, 'utf8') !== `file ${i}\n`) return false;
            } catch {
              return false;
            }
          }
          return true;
        },
        90_000,
      );
    });
  },
);
