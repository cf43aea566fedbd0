/**
 * `npm start` where Electron is not installed: the headless window, served on 127.0.0.1 with the
 * folder it was started in, stopped cleanly by SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { ferryOk, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

describe('npm start without Electron', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('serves the window for the folder it was started in, and stops on SIGTERM', async () => {
    const dir = join(tmp.path, 'photos');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.jpg'), 'jpeg\n');
    await ferryOk(dir, 'init', 'photos');
    await ferryOk(dir, 'add', '.');
    const child = spawn(process.execPath, [resolve('bin/start.mjs')], {
      cwd: dir,
      env: {
        ...process.env,
        FERRY_HEADLESS: '1',
        FERRY_STATE_DIR: join(tmp.path, 'state'),
        INIT_CWD: dir,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitFor(
        'the address',
        () => lines.some((l) => /http:\/\/127\.0\.0\.1:\d+\/\?token=/.test(l)),
        30_000,
      );
      assert.match(lines[0] ?? '', /headless/);
      const url =
        lines.map((l) => /(http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(l)?.[1]).find(Boolean) ??
        '';
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root">/);
      // the folder it was started in is synced: the snapshot over the socket lists it
      const { WebSocket } = await import('ws');
      const ws = new WebSocket(url.replace('http://', 'ws://').replace('/?', '/ws?'), {
        origin: new URL(url).origin,
      });
      const reply = await new Promise<string>((resolveReply, reject) => {
        ws.on('open', () =>
          ws.send(JSON.stringify({ id: 1, command: 'listRepositories', args: null })),
        );
        ws.on('message', (m: Buffer) => {
          const text = m.toString('utf8');
          if (text.startsWith('{"id":1')) resolveReply(text);
        });
        ws.on('error', reject);
      });
      ws.close();
      const parsed = JSON.parse(reply) as {
        result: { ok: boolean; value: { description: string }[] };
      };
      assert.deepEqual(
        parsed.result.value.map((r) => r.description),
        ['photos'],
      );
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.ok(lines.includes('stopped'));
  });
});
