/**
 * The web UI keeps its address across restarts: the same token (private in the state folder)
 * and the same port, so a page left open reconnects; when the port is taken, a new one, said.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startWebapp } from '../../src/cli/webapp';
import { tempDir } from '../helpers/repos';

/** Asks the engine for its snapshot over the page's socket; true when it answers. */
async function answers(url: string): Promise<boolean> {
  const ws = new WebSocket(url.replace('http://', 'ws://').replace('/?', '/ws?'), {
    origin: new URL(url).origin,
  });
  try {
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = new Promise<boolean>((resolve) => {
      ws.on('message', (d: Buffer) => {
        const m = JSON.parse(d.toString('utf8')) as { id?: number; result?: { ok: boolean } };
        if (m.id === 1) resolve(m.result?.ok === true);
      });
    });
    ws.send(JSON.stringify({ id: 1, command: 'snapshot' }));
    return await Promise.race([
      reply,
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
    ]);
  } finally {
    ws.close();
  }
}

describe('the web address across restarts', () => {
  const tmp = tempDir();
  after(() => {
    delete process.env.FERRY_STATE_DIR;
    tmp.cleanup();
  });

  it('keeps its token and port, so an open page reconnects; a taken port gives a new address', async () => {
    const state = join(tmp.path, 'state');
    process.env.FERRY_STATE_DIR = state;
    const logs: string[] = [];
    const start = () =>
      startWebapp({ cwd: tmp.path, folders: [], drives: false, log: (m) => logs.push(m) });
    const first = await start();
    const url = first.server.url;
    assert.ok(await answers(url));
    await first.stop();

    const second = await start();
    assert.equal(second.server.url, url, 'the same address after a restart');
    assert.ok(await answers(url), 'the page left open is answered again');
    const tokenFile = join(state, 'web-token');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600, 'only the user can read the token');
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), second.server.token);
    await second.stop();

    // someone else took the port meanwhile: a free one, the same token, and a word about it
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(second.server.port, '127.0.0.1', () => r()));
    try {
      const third = await start();
      assert.notEqual(third.server.port, second.server.port);
      assert.equal(third.server.token, second.server.token);
      assert.ok(logs.some((m) => /address has changed/.test(m)));
      assert.ok(
        logs.every((m) => !m.includes(third.server.token)),
        'the token is never logged',
      );
      assert.ok(await answers(third.server.url));
      await third.stop();
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});
