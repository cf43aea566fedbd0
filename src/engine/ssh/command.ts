/**
 * Running a command on an ssh host through the system's OpenSSH client, as git and git-annex
 * run it: `~/.ssh/config`, the agent and `known_hosts` apply; `GIT_SSH_COMMAND`,
 * `core.sshCommand` and `GIT_SSH` replace the program. Background work never prompts
 * (`BatchMode=yes`) and gives up on a dead network (`ConnectTimeout`, keepalives). One shared
 * connection per host: a ControlMaster socket under `.git/annex/ssh/`, named as git-annex
 * names it (so both share it), started by a `true` command first so that no long-lived
 * session holds the master's stdio.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { destination, type SshTarget } from './url';

export interface SshSettings {
  /** `core.sshCommand` */
  readonly sshCommand?: string;
  /** `annex.sshcaching` is not false */
  readonly caching: boolean;
}

export interface SshContext {
  /** the repository's top (ssh runs there; the control socket path is relative to it) */
  readonly top: string;
  readonly annexdir: string;
  readonly settings: SshSettings;
  readonly env: NodeJS.ProcessEnv;
}

/** Seconds a shared connection stays up after its last session ends. */
export const PERSIST_S = 60;

/** Seconds ssh waits for a host before giving up. */
export const CONNECT_TIMEOUT_S = 10;

/** git-annex's control socket name for a host: `user@host`, `!port` added, md5 when long. */
export function controlSocketName(t: SshTarget): string {
  const name = `${destination(t)}${t.port ? `!${t.port}` : ''}`;
  return name.length > 32 ? createHash('md5').update(name).digest('hex') : name;
}

/** The control socket's path relative to the repository's top, or undefined when it cannot be used. */
export function controlSocketPath(ctx: SshContext, t: SshTarget): string | undefined {
  if (!ctx.settings.caching) return undefined;
  const path = join(relative(ctx.top, ctx.annexdir) || '.', 'ssh', controlSocketName(t));
  // a unix socket path is short; ssh adds a suffix of up to 17 bytes while it sets one up
  return path.length + 17 < 100 ? path : undefined;
}

/** The program (and its leading arguments) that runs ssh, and whether it is OpenSSH. */
function program(ctx: SshContext): { head: string[]; isOpenSsh: boolean } {
  const command = ctx.env.GIT_SSH_COMMAND ?? ctx.settings.sshCommand;
  if (command) {
    const first = command.trim().split(/\s+/)[0] ?? '';
    // as git runs it: through the shell, with the arguments after it
    return {
      head: ['sh', '-c', `${command} "$@"`, 'ssh'],
      isOpenSsh: /^ssh$/.test(basename(first)),
    };
  }
  const gitSsh = ctx.env.GIT_SSH;
  if (gitSsh) return { head: [gitSsh], isOpenSsh: /^ssh$/.test(basename(gitSsh)) };
  return { head: ['ssh'], isOpenSsh: true };
}

/** The full argv running `remoteCommand` (already quoted for the host's shell) on the host. */
export function sshArgv(
  ctx: SshContext,
  t: SshTarget,
  remoteCommand: string,
  options: { noStdin?: boolean } = {},
): string[] {
  const { head, isOpenSsh } = program(ctx);
  const args: string[] = [];
  if (isOpenSsh) {
    args.push('-o', 'BatchMode=yes', '-o', `ConnectTimeout=${CONNECT_TIMEOUT_S}`);
    args.push('-o', 'ServerAliveInterval=15', '-o', 'ServerAliveCountMax=3');
    const socket = controlSocketPath(ctx, t);
    // the shared connection outlives its last session by a minute, never a stopped Ferry by long
    if (socket)
      args.push('-S', socket, '-o', 'ControlMaster=auto', '-o', `ControlPersist=${PERSIST_S}`);
  }
  if (t.port) args.push('-p', String(t.port));
  if (options.noStdin) args.push('-n');
  args.push('-T', destination(t), remoteCommand);
  return [...head, ...args];
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** What a child may print before it is cut off (a command's answer is small). */
const OUTPUT_KEPT = 256 * 1024;

/**
 * Runs a short command on the host (configlist, `true` to start the shared connection) and
 * returns its output. Resolves on exit, not on the pipes closing: a ControlMaster started here
 * keeps the pipes open in the background.
 */
export function runSsh(
  ctx: SshContext,
  t: SshTarget,
  remoteCommand: string,
  timeoutMs = (CONNECT_TIMEOUT_S + 20) * 1000,
): Promise<RunResult> {
  const socket = controlSocketPath(ctx, t);
  if (socket) mkdirSync(join(ctx.top, socket, '..'), { recursive: true, mode: 0o700 });
  const [cmd, ...args] = sshArgv(ctx, t, remoteCommand, { noStdin: true });
  return new Promise((resolve) => {
    const child = spawn(cmd ?? 'ssh', args, {
      cwd: ctx.top,
      env: ctx.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      if (stdout.length < OUTPUT_KEPT) stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-8192);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += '\nConnection timed out';
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}\n${e.message}` });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      // what was already written to the pipes arrives before the next turn
      setImmediate(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, stdout, stderr });
      });
    });
  });
}

/** Stops the shared connection to a host, if one runs (when a folder stops syncing). */
export async function stopMaster(ctx: SshContext, t: SshTarget): Promise<void> {
  const socket = controlSocketPath(ctx, t);
  if (!socket || program(ctx).isOpenSsh === false) return;
  const args = [
    '-S',
    socket,
    '-O',
    'exit',
    ...(t.port ? ['-p', String(t.port)] : []),
    destination(t),
  ];
  const { head } = program(ctx);
  await new Promise<void>((resolve) => {
    const [cmd, ...rest] = [...head, ...args];
    const child = spawn(cmd ?? 'ssh', rest, { cwd: ctx.top, env: ctx.env, stdio: 'ignore' });
    child.on('error', () => resolve());
    child.on('exit', () => resolve());
  });
}
