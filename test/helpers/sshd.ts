/**
 * A real OpenSSH server for tests, on 127.0.0.1 at a free port, with host and user keys made
 * here and a client config (`-F`) naming it as host `ferryhost`: OpenSSH reads ~/.ssh from the
 * passwd entry's home, not $HOME, so tests point ssh at their own config through
 * GIT_SSH_COMMAND (which Ferry honours, and git-annex with GIT_ANNEX_USE_GIT_SSH=1).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { tempDir } from './repos';

export const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  readonly port: number;
  readonly dir: string;
  /** the client config; `ssh -F <config> ferryhost` reaches the server */
  readonly config: string;
  /** environment for Ferry and git-annex clients of this server */
  readonly env: NodeJS.ProcessEnv;
  /** a client config variant (another key, another known_hosts) */
  clientConfig(name: string, options: { identity?: string; knownHosts?: string }): string;
  /** a fresh key pair (private key path) that the server does not accept */
  strangerKey(): string;
  /** ends every open connection (the network went away for a moment); the server keeps listening */
  cutConnections(): void;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function keygen(path: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path]);
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = createConnection(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sshd did not listen on ${port}`);
}

export function hasSshd(): boolean {
  return existsSync(SSHD);
}

export async function startSshd(): Promise<TestSshd> {
  const tmp = tempDir('ferry-sshd-');
  const dir = tmp.path;
  keygen(join(dir, 'host_ed25519'));
  keygen(join(dir, 'id_ed25519'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')));
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'MaxSessions 64',
      'MaxStartups 64',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const hostKey = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim();
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (log = (log + c).slice(-4000)));
  try {
    await waitForPort(port, Date.now() + 10_000);
  } catch (e) {
    child.kill();
    throw new Error(`${String(e)}: ${log}`, { cause: e });
  }
  const clientConfig = (
    name: string,
    o: { identity?: string; knownHosts?: string } = {},
  ): string => {
    const path = join(dir, `ssh_config_${name}`);
    writeFileSync(
      path,
      [
        'Host ferryhost',
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        '  User root',
        `  IdentityFile ${o.identity ?? join(dir, 'id_ed25519')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${o.knownHosts ?? join(dir, 'known_hosts')}`,
        '  StrictHostKeyChecking yes',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    );
    return path;
  };
  const config = clientConfig('main');
  let strangers = 0;
  return {
    port,
    dir,
    config,
    env: {
      ...process.env,
      GIT_SSH_COMMAND: `ssh -F ${config}`,
      GIT_ANNEX_USE_GIT_SSH: '1',
    },
    clientConfig,
    strangerKey: () => {
      const path = join(dir, `stranger_${++strangers}`);
      keygen(path);
      return path;
    },
    cutConnections: () => {
      try {
        execFileSync('pkill', ['-KILL', '-P', String(child.pid)]);
      } catch {
        // none open
      }
    },
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      // the per-connection servers too, so no client's shared connection outlives the test
      try {
        execFileSync('pkill', ['-TERM', '-P', String(child.pid)]);
      } catch {
        // none left
      }
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      tmp.cleanup();
    },
  };
}

/**
 * For a suite: a scratch folder and a server started before its tests, with Ferry's ssh
 * pointed at it (GIT_SSH_COMMAND, which Ferry reads when it runs ssh); all undone after them.
 */
export function sshdSuite(): { readonly tmp: { path: string }; readonly server: () => TestSshd } {
  const tmp = tempDir();
  const saved = process.env.GIT_SSH_COMMAND;
  let sshd: TestSshd | undefined;
  before(async () => {
    sshd = await startSshd();
    process.env.GIT_SSH_COMMAND = sshd.env.GIT_SSH_COMMAND;
  });
  after(async () => {
    process.env.GIT_SSH_COMMAND = saved;
    await sshd?.stop();
    tmp.cleanup();
  });
  return {
    tmp,
    server: () => {
      if (!sshd) throw new Error('the test sshd is not started yet');
      return sshd;
    },
  };
}
