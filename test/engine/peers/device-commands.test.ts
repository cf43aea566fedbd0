/**
 * The window's device commands on a real engine (this process, a Ferry device on 127.0.0.1)
 * with another device as a real `ferry assistant` process: join with the code through
 * `joinShared`, the paired device and its state in `devices`, content arriving; a device that
 * dials without being paired waits as pending until `acceptDevice`.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../../src/engine/engine';
import { dispatch } from '../../../src/engine/dispatch';
import { PeerService } from '../../../src/engine/peers/peer-service';
import { parcelWatch } from '../../../src/engine/sync/watcher';
import type { EngineEvent } from '../../../src/shared/ipc';
import { bytes } from '../../helpers/data';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { waitFor } from '../../helpers/wait';

const FERRY = resolve('bin/ferry.mjs');

describe('the device commands of the window', () => {
  const tmp = tempDir();
  const laptop = join(tmp.path, 'laptop');
  const desk = join(tmp.path, 'desktop');
  const laptopEnv = {
    ...process.env,
    FERRY_STATE_DIR: join(tmp.path, 'laptop-state'),
    FERRY_PEERS: 'on',
    FERRY_PEER_HOST: '127.0.0.1',
    FERRY_PEER_PORT: '0',
    FERRY_DISCOVERY: 'off',
    FERRY_DEVICE_NAME: 'laptop',
  };
  let assistant: ChildProcess;
  let output = '';
  let port = 0;
  let service: PeerService;
  let engine: Engine;
  const events: EngineEvent[] = [];
  const run = <K extends Parameters<typeof dispatch>[1]>(
    name: K,
    args: Parameters<typeof dispatch<K>>[2],
  ) => dispatch(engine.handlers(), name, args);

  before(async () => {
    git(tmp.path, 'init', '-q', '-b', 'main', laptop);
    writeFileSync(join(laptop, 'photo.jpg'), bytes(200_000, 5));
    await ferryOk(laptop, 'init', 'laptop');
    await ferryOk(laptop, 'add', 'photo.jpg');
    assistant = spawn(process.execPath, [FERRY, 'assistant', '--no-drives'], {
      cwd: laptop,
      env: laptopEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assistant.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    assistant.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor('the laptop assistant', () => /watching /.test(output), 60_000);
    port = Number(/listening on port (\d+)/.exec(output)?.[1]);
    service = new PeerService({
      stateDir: join(tmp.path, 'desktop-state'),
      watch: parcelWatch,
      host: '127.0.0.1',
      port: 0,
      discovery: false,
      deviceName: 'desktop',
    });
    await service.start();
    engine = new Engine({
      watch: parcelWatch,
      peers: service,
      stateDir: join(tmp.path, 'desktop-engine'),
      quietMs: 50,
    });
    engine.on((e) => events.push(e));
    await engine.start();
  });
  after(async () => {
    await engine?.stop();
    await service?.stop();
    assistant?.kill('SIGTERM');
    await new Promise((r) => (assistant?.exitCode === null ? assistant.once('close', r) : r(0)));
    tmp.cleanup();
  });

  it('joins through joinShared and shows the paired device and its state', async () => {
    // the laptop's own `ferry share` (its key, its invites)
    const shared = execFileSync(process.execPath, [FERRY, 'share', '--json'], {
      cwd: laptop,
      env: laptopEnv,
      encoding: 'utf8',
    });
    const code = (JSON.parse(shared) as { code: string }).code;
    const me = await run('devices', undefined);
    assert.ok(me.ok && me.value.me);
    assert.equal(me.value.me.name, 'desktop');
    const wrong = await run('joinShared', {
      code: code.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
      path: join(tmp.path, 'wrong'),
      address: `127.0.0.1:${port}`,
    });
    assert.equal(wrong.ok, false);
    assert.match(wrong.ok ? '' : wrong.error.message, /not one this device made|does not match/);
    const r = await run('joinShared', { code, path: desk, address: `127.0.0.1:${port}` });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.equal(r.value.top, desk);
    assert.deepEqual(engine.folders(), [desk]);
    await waitFor(
      'photo.jpg with its content on the desktop',
      () => {
        try {
          return readFileSync(join(desk, 'photo.jpg')).equals(bytes(200_000, 5));
        } catch {
          return false;
        }
      },
      60_000,
    );
    const d = await run('devices', undefined);
    assert.ok(d.ok);
    const paired = d.value.paired.find((p) => p.remote === 'laptop');
    assert.ok(paired, JSON.stringify(d.value));
    assert.equal(paired.state, 'online');
    assert.equal(paired.address, `127.0.0.1:${port}`);
    assert.ok(events.some((e) => e.type === 'devices-changed'));
    // the map says how the link goes
    const map = await ferryOk(desk, 'map');
    assert.match(map.out, new RegExp(`via "laptop".*direct at 127\\.0\\.0\\.1:${port}`));
  });

  it('keeps an unpaired device waiting until it is accepted', async () => {
    // the desktop forgets the laptop; the laptop still pushes here: it waits as pending
    git(desk, 'remote', 'remove', 'laptop');
    writeFileSync(join(laptop, 'later.txt'), 'after the desktop forgot\n');
    await waitFor(
      'the laptop to wait as pending',
      async () => {
        const d = await run('devices', undefined);
        return d.ok && d.value.pending.some((p) => p.name === 'laptop');
      },
      60_000,
    );
    const d = await run('devices', undefined);
    assert.ok(d.ok);
    const pending = d.value.pending.find((p) => p.name === 'laptop');
    assert.ok(pending);
    assert.equal(pending.repository, git(desk, 'config', 'annex.uuid').trim());
    const accepted = await run('acceptDevice', { deviceId: pending.deviceId });
    assert.ok(accepted.ok, accepted.ok ? '' : accepted.error.message);
    assert.match(git(desk, 'config', '--get-regexp', '^remote\\..*\\.url$'), /ferry::/);
    await waitFor(
      'later.txt on the desktop once accepted',
      () => {
        try {
          return readFileSync(join(desk, 'later.txt'), 'utf8') === 'after the desktop forgot\n';
        } catch {
          return false;
        }
      },
      60_000,
    );
    const after = await run('devices', undefined);
    assert.ok(after.ok);
    assert.equal(after.value.pending.length, 0);
    const unknown = await run('acceptDevice', { deviceId: 'NOPE' });
    assert.equal(unknown.ok, false);
  });
});
