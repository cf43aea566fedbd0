/**
 * The WebSocket and the control socket take anything a local process can send: random and
 * malformed frames, wrong types, huge sizes. The process survives, refuses what is not in the
 * contract, changes nothing because of it, and still answers a good request afterwards.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { startWebapp, type Webapp } from '../../src/cli/webapp';
import { controlSocketPath, sendControl } from '../../src/engine/control/control-server';
import { ferryRepository, tempDir } from '../helpers/repos';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** One raw exchange on the control socket: what it answered (or '' when it only closed). */
function rawControl(path: string, payload: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    let data = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(payload);
      socket.end();
    });
    socket.on('data', (c: string) => (data += c));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('error', () => undefined);
  });
}

describe('fuzzed messages', () => {
  const tmp = tempDir();
  let app: Webapp;
  let repo: string;
  const oldUmask = process.umask(0o000);

  before(async () => {
    repo = await ferryRepository(join(tmp.path, 'A'), 'laptop', { 'a.txt': 'a\n' });
    process.env.FERRY_STATE_DIR = join(tmp.path, 'state');
    app = await startWebapp({ cwd: repo, folders: [repo], drives: false, log: () => undefined });
  });
  after(async () => {
    await app?.stop();
    process.umask(oldUmask);
    delete process.env.FERRY_STATE_DIR;
    tmp.cleanup();
  });

  it('the WebSocket survives every frame and still answers', async () => {
    const url = app.server.url.replace('http://', 'ws://').replace('/?', '/ws?');
    const origin = new URL(app.server.url).origin;
    const ws = new WebSocket(url, { origin });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answers: { id?: number; result?: { ok: boolean } }[] = [];
    ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString('utf8')) as { id?: number; result?: { ok: boolean } };
      if (m.id !== undefined) answers.push(m);
    });
    const frames: (string | Buffer)[] = [
      'null',
      '1',
      '"x"',
      '[]',
      '{}',
      '{"id":1}',
      '{"id":2,"command":"constructor"}',
      '{"id":3,"command":"__proto__"}',
      '{"id":4,"command":"setRateLimit","args":"abc"}',
      '{"id":5,"command":"setRateLimit","args":{"bytesPerSecond":"abc"}}',
      '{"id":6,"command":"setRateLimit","args":{"bytesPerSecond":-1}}',
      '{"id":7,"command":"addFolder","args":{"path":123}}',
      '{"id":8,"command":"addFolder","args":null}',
      '{"id":9,"command":"pauseTransfer","args":{"id":{"x":1}}}',
      '{"id":10,"command":"snapshot","args":{"unexpected":true}}',
      '{"id":11,"command":"setRateLimit","args":{"bytesPerSecond":1e400}}',
    ];
    const random = prng(7);
    for (let i = 0; i < 200; i++) frames.push(randomBytes(1 + Math.floor(random() * 300)));
    for (const f of frames) ws.send(f);
    ws.send(JSON.stringify({ id: 99, command: 'snapshot' }));
    const deadline = Date.now() + 10_000;
    while (!answers.some((a) => a.id === 99) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(answers.find((a) => a.id === 99)?.result?.ok, true, 'still answers');
    for (const id of [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
      assert.equal(answers.find((a) => a.id === id)?.result?.ok, false, `request ${id} refused`);
    const snap = await app.engine.handlers().snapshot();
    assert.equal(snap.control.rateLimit, 0, 'no bad request changed the rate limit');
    ws.close();
    // a frame beyond the size limit closes that connection only
    const big = new WebSocket(url, { origin });
    await new Promise((resolve) => big.once('open', resolve));
    const closed = new Promise((resolve) => big.once('close', resolve));
    big.send(Buffer.alloc(2 << 20, 0x7b));
    await closed;
    assert.equal((await app.engine.handlers().snapshot()).control.rateLimit, 0);
  });

  it('the control socket is 0600 in a 0700 folder under umask 000, and survives every request', async () => {
    const annexdir = join(repo, '.git', 'annex');
    const path = controlSocketPath(annexdir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(annexdir, 'ferry')).mode & 0o777, 0o700);
    const bad = [
      'null\n',
      '[]\n',
      '"x"\n',
      '{}\n',
      '{"id":1,"command":"setRateLimit","args":{"bytesPerSecond":"abc"}}\n',
      '{"id":1,"command":"setRateLimit","args":{"bytesPerSecond":-5}}\n',
      '{"id":1,"command":"cancelTransfer"}\n',
      '{"id":1,"command":"listTransfers","args":{"limit":"all"}}\n',
      '{"id":1,"command":"pauseRemote","args":{"remote":7}}\n',
      '{"id":"x","command":"pauseAll"}\n',
      '{"id":1,"command":"pauseAll","extra":1}\n',
      '{"id":1,"command":"nope"}\n',
      // the whole app's commands are not a folder's to serve
      '{"id":1,"command":"addFolder","args":{"path":"/tmp"}}\n',
      'not json\n',
    ];
    for (const line of bad) {
      const answer = JSON.parse(await rawControl(path, line)) as {
        result: { ok: boolean; error?: { code: string; message: string } };
      };
      assert.equal(answer.result.ok, false, line);
      // the same error shape as the IPC and WebSocket contract: a code and words
      assert.equal(answer.result.error?.code, 'usage', line);
      assert.ok((answer.result.error?.message.length ?? 0) > 0);
    }
    const random = prng(11);
    for (let i = 0; i < 50; i++)
      await rawControl(path, randomBytes(1 + Math.floor(random() * 500)));
    const huge = await rawControl(path, Buffer.alloc(300 * 1024, 0x61));
    assert.match(huge, /at most/);
    assert.match(huge, /"code":"too-large"/);
    const good = await sendControl(annexdir, 'listTransfers', {});
    assert.equal(good?.ok, true);
    assert.equal(good?.ok && good.value.control.rateLimit, 0, 'nothing changed the rate limit');
  });
});
