/**
 * Syncthing (Debian's `syncthing`) as the peers bench's yardstick: one instance per namespace,
 * its config generated and made LAN-only (no global discovery, relays, NAT or reporting), then
 * the other device and a shared folder added through its REST API, from inside its namespace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../test/helpers/netns';

export interface SyncthingNode {
  readonly machine: Machine;
  readonly id: string;
  readonly folder: string;
  rest(method: string, path: string, body?: unknown): string;
  stop(): Promise<void>;
}

export function hasSyncthing(): boolean {
  try {
    execFileSync('syncthing', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const GUI_PORT = 8384;

export async function startSyncthing(m: Machine, root: string): Promise<SyncthingNode> {
  const home = join(root, `st-${m.name}`);
  const folder = join(root, `st-${m.name}-folder`);
  mkdirSync(folder, { recursive: true });
  execFileSync('syncthing', ['generate', `--home=${home}`, '--no-default-folder'], {
    stdio: 'ignore',
  });
  const id = execFileSync('syncthing', ['serve', `--home=${home}`, '--device-id'], {
    encoding: 'utf8',
  }).trim();
  const configPath = join(home, 'config.xml');
  let xml = readFileSync(configPath, 'utf8');
  const set = (tag: string, value: string): void => {
    xml = xml.replace(new RegExp(`<${tag}>[^<]*</${tag}>`), `<${tag}>${value}</${tag}>`);
  };
  set('listenAddress', 'tcp://0.0.0.0:22000');
  set('globalAnnounceEnabled', 'false');
  set('relaysEnabled', 'false');
  set('natEnabled', 'false');
  set('startBrowser', 'false');
  set('urAccepted', '-1');
  set('crashReportingEnabled', 'false');
  set('autoUpgradeIntervalH', '0');
  writeFileSync(configPath, xml);
  const apiKey = /<apikey>([^<]+)<\/apikey>/.exec(xml)?.[1] ?? '';
  const child: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      m.ns,
      'syncthing',
      'serve',
      `--home=${home}`,
      '--no-browser',
      '--no-restart',
      `--gui-address=127.0.0.1:${GUI_PORT}`,
    ],
    { stdio: 'ignore', env: { ...process.env, STNODEFAULTFOLDER: '1', HOME: home } },
  );
  const rest = (method: string, path: string, body?: unknown): string =>
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        m.ns,
        'curl',
        '-sf',
        '-X',
        method,
        '-H',
        `X-API-Key: ${apiKey}`,
        ...(body === undefined
          ? []
          : ['-H', 'Content-Type: application/json', '-d', JSON.stringify(body)]),
        `http://127.0.0.1:${GUI_PORT}${path}`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      rest('GET', '/rest/system/ping');
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`syncthing on ${m.name} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    machine: m,
    id,
    folder,
    rest,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    },
  };
}

/** Pairs two instances and shares one folder between them; resolves when they are connected. */
export async function pairSyncthing(a: SyncthingNode, b: SyncthingNode): Promise<void> {
  for (const [me, other] of [
    [a, b],
    [b, a],
  ] as const) {
    me.rest('POST', '/rest/config/devices', {
      deviceID: other.id,
      name: other.machine.name,
      addresses: [`tcp://${other.machine.address}:22000`],
    });
    me.rest('POST', '/rest/config/folders', {
      id: 'bench',
      label: 'bench',
      path: me.folder,
      type: 'sendreceive',
      devices: [{ deviceID: me.id }, { deviceID: other.id }],
      fsWatcherEnabled: true,
      fsWatcherDelayS: 10,
      rescanIntervalS: 3600,
    });
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    const c = JSON.parse(a.rest('GET', '/rest/system/connections')) as {
      connections: Record<string, { connected: boolean }>;
    };
    if (c.connections[b.id]?.connected) return;
    if (Date.now() > deadline) throw new Error('the two syncthing instances did not connect');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Sets the folder's watcher delay (seconds) on both. */
export function watcherDelay(nodes: readonly SyncthingNode[], seconds: number): void {
  for (const n of nodes)
    n.rest('PATCH', '/rest/config/folders/bench', { fsWatcherDelayS: seconds });
}
