/**
 * "Machines" on a LAN of the test's own: one network namespace per machine, each with an
 * `eth0` (a veth pair) plugged into a bridge that lives in a hub namespace of its own. Addresses
 * are the test's choosing (10.231.<n>.x/24) and exist only inside those namespaces, so nothing
 * reaches the host's networks. Each machine has its own HOME and Ferry state folder; the Ferry
 * CLI and `ferry assistant` run inside its namespace. Needs root (CI runs as root).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FERRY_BIN = resolve(import.meta.dirname, '../../bin/ferry.mjs');

/** Why the namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const name = `ferry-probe-${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns add failed: ${r.stderr || r.error?.message}`;
  spawnSync('ip', ['netns', 'del', name]);
  return undefined;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface Machine {
  readonly name: string;
  readonly ns: string;
  address: string;
  readonly home: string;
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  /** runs `ferry ...` inside this machine; returns its output (throws on a non-zero exit) */
  ferry(cwd: string, ...argv: string[]): Promise<{ out: string; err: string }>;
  /** starts `ferry assistant` in a folder; stopped by the LAN's cleanup */
  assistant(folder: string): Assistant;
  /** the link to the LAN: down (unplugged) or up again */
  setLink(isUp: boolean): void;
  /** moves this machine to another address on the same LAN */
  renumber(host: number): void;
}

export interface Assistant {
  readonly child: ChildProcess;
  /** everything it printed so far */
  output(): string;
  stop(): Promise<void>;
}

export interface Lan {
  readonly machines: Machine[];
  cleanup(): Promise<void>;
}

/** Builds the LAN: machine i is 10.231.<net>.(10+i). */
export function makeLan(root: string, names: readonly string[]): Lan {
  const tag = `f${process.pid % 100000}`;
  const net = 100 + (process.pid % 100);
  const hub = `${tag}-hub`;
  const assistants: Assistant[] = [];
  const made: string[] = [];
  const cleanupNs = (): void => {
    for (const ns of made.reverse()) spawnSync('ip', ['netns', 'del', ns]);
  };
  try {
    ip('netns', 'add', hub);
    made.push(hub);
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
    const machines = names.map((name, i): Machine => {
      const ns = `${tag}-${name}`;
      ip('netns', 'add', ns);
      made.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', hub);
      ip('-n', hub, 'link', 'set', `p${i}`, 'master', 'br0');
      ip('-n', hub, 'link', 'set', `p${i}`, 'up');
      const m = machine(root, name, ns, `10.231.${net}`, 10 + i, assistants);
      ip('-n', ns, 'addr', 'add', `${m.address}/24`, 'brd', '+', 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      return m;
    });
    return {
      machines,
      async cleanup() {
        await Promise.all(assistants.map((a) => a.stop()));
        cleanupNs();
      },
    };
  } catch (e) {
    cleanupNs();
    throw e;
  }
}

function machine(
  root: string,
  name: string,
  ns: string,
  prefix: string,
  host: number,
  assistants: Assistant[],
): Machine {
  const home = join(root, `${name}-home`);
  const stateDir = join(home, '.config', 'ferry');
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(
    join(home, '.gitconfig'),
    `[user]\n\tname = ${name}\n\temail = ${name}@ferry.invalid\n[safe]\n\tdirectory = *\n[init]\n\tdefaultBranch = main\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, FERRY_DEVICE_NAME: name };
  for (const k of ['FERRY_PEERS', 'FERRY_PEER_HOST', 'FERRY_PEER_PORT', 'FERRY_DISCOVERY'])
    delete env[k];
  delete env.FERRY_STATE_DIR;
  delete env.XDG_CONFIG_HOME;
  const m: Machine = {
    name,
    ns,
    address: `${prefix}.${host}`,
    home,
    stateDir,
    env,
    ferry(cwd, ...argv) {
      return new Promise((res, rej) => {
        const child = spawn('ip', ['netns', 'exec', ns, process.execPath, FERRY_BIN, ...argv], {
          cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        child.on('close', (code) => {
          clearTimeout(timer);
          if (code === 0) res({ out, err });
          else rej(new Error(`${name}: ferry ${argv.join(' ')} exited ${code}\n${out}\n${err}`));
        });
      });
    },
    assistant(folder) {
      const child = spawn(
        'ip',
        [
          'netns',
          'exec',
          ns,
          process.execPath,
          ...assistantNodeArgs(),
          FERRY_BIN,
          'assistant',
          '--no-drives',
        ],
        { cwd: folder, env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let text = '';
      child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
      const exited = new Promise<void>((r) => child.once('close', () => r()));
      const a: Assistant = {
        child,
        output: () => text,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(t);
          }
        },
      };
      assistants.push(a);
      return a;
    },
    setLink(isUp) {
      ip('-n', ns, 'link', 'set', 'eth0', isUp ? 'up' : 'down');
    },
    renumber(next) {
      const address = `${prefix}.${next}`;
      // as a new lease does it: the old address goes (deleting a primary address takes its
      // secondaries with it, so the new one is added after)
      ip('-n', ns, 'addr', 'del', `${m.address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'brd', '+', 'dev', 'eth0');
      m.address = address;
    },
  };
  return m;
}

/** Extra Node arguments for the assistants (FERRY_ASSISTANT_NODE_ARGS, as `--cpu-prof` for profiling a bench). */
function assistantNodeArgs(): string[] {
  return (process.env.FERRY_ASSISTANT_NODE_ARGS ?? '').split(' ').filter(Boolean);
}
