/**
 * A git service (`git-upload-pack` / `git-receive-pack`) run on an ssh host over the shared
 * connection, as the pack protocol clients of engine/git/ take it.
 */
import { spawn } from 'node:child_process';
import type { GitService, ServiceConnection, ServiceConnector } from '../git/pack-service';
import { sshArgv, type SshContext } from './command';
import { shellQuote, type SshTarget } from './url';

/**
 * `programs` replaces a service's program on the host, as git's `remote.<name>.uploadpack` and
 * `receivepack` do (a host serving through `ferry shell git-upload-pack`).
 */
export function sshServiceConnector(
  ctx: SshContext,
  t: SshTarget,
  programs: Partial<Record<GitService, string>> = {},
): ServiceConnector {
  return (service: GitService): ServiceConnection => {
    const program = programs[service] ?? service;
    const [cmd, ...args] = sshArgv(ctx, t, `${program} ${shellQuote(t.path)}`);
    const child = spawn(cmd ?? 'ssh', args, {
      cwd: ctx.top,
      env: ctx.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-4096);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => (stderr += `\n${e.message}`));
    return {
      input: child.stdout,
      write: (bytes) =>
        new Promise((resolve, reject) => {
          child.stdin.write(bytes, (e) => (e ? reject(e) : resolve()));
        }),
      end: () => child.stdin.end(),
      close: () => {
        child.stdin.destroy();
        if (child.exitCode === null) child.kill('SIGTERM');
      },
      problem: () => stderr,
    };
  };
}
