/**
 * Change notices from an ssh host: a long-lived `git-annex-shell notifychanges <dir>` over the
 * shared connection, which prints `READY`, then `CHANGED <sha>...` whenever the host's refs move
 * (the new values, coalesced within 50 ms). When the connection ends (network gone, host
 * rebooted) it is started again with a backoff from 1 s to 30 s, and at once when asked (the
 * host was reached again by other work: a transfer, or the probe ssh/health.ts runs every 15 s
 * for a host marked down, as this watch marks it when it cannot connect).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { FrameReader } from '../p2p/framing';
import { runSsh, sshArgv, type SshContext } from './command';
import { markDown, markUp } from './health';
import { classifySsh } from './problems';
import { shellQuote, type SshTarget } from './url';

import type {
  ChangeCallbacks as NoticeCallbacks,
  ChangeWatch as NoticeWatch,
} from '../remotes/remote';

const MAX_BACKOFF_MS = 30_000;

export function watchNotifyChanges(
  ctx: SshContext,
  t: SshTarget,
  cb: NoticeCallbacks,
  shell = 'git-annex-shell',
  /** the remote's URL: what the watch learns of the host is recorded for it (ssh/health.ts) */
  url?: string,
): NoticeWatch {
  let child: ChildProcess | undefined;
  let timer: NodeJS.Timeout | undefined;
  let backoff = 1000;
  let isClosed = false;

  const schedule = (): void => {
    if (isClosed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void start();
    }, backoff);
    backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
  };

  const start = async (): Promise<void> => {
    if (isClosed || child) return;
    // the shared connection first: a long-lived session must not become its master
    const warm = await runSsh(ctx, t, 'true');
    if (isClosed) return;
    if (warm.code !== 0) {
      const problem = classifySsh(warm.stderr, t);
      if (url) markDown(url, problem.kind, problem.message);
      cb.state(false, problem.message);
      schedule();
      return;
    }
    const command = `${shell} ${shellQuote('notifychanges')} ${shellQuote(t.path)}`;
    const [cmd, ...args] = sshArgv(ctx, t, command);
    const proc = spawn(cmd ?? 'ssh', args, {
      cwd: ctx.top,
      env: ctx.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child = proc;
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-4096);
    });
    proc.stdin.on('error', () => undefined);
    proc.on('error', () => undefined);
    const reader = new FrameReader(proc.stdout, t.host);
    let readyAt = 0;
    try {
      for (;;) {
        const line = await reader.line();
        if (line === 'READY') {
          readyAt = Date.now();
          if (url) markUp(url);
          cb.state(true);
        } else if (line.startsWith('CHANGED')) {
          const shas = line
            .split(' ')
            .slice(1)
            .filter((s) => /^[0-9a-f]{40}$/.test(s));
          cb.changed(shas);
        }
      }
    } catch {
      // the session ended
    }
    if (child === proc) child = undefined;
    if (proc.exitCode === null) proc.kill('SIGTERM');
    if (isClosed) return;
    if (readyAt > 0 && Date.now() - readyAt > MAX_BACKOFF_MS) backoff = 1000;
    cb.state(
      false,
      stderr.trim() ? classifySsh(stderr, t).message : `${t.host} closed the connection`,
    );
    schedule();
  };

  void start();
  return {
    retryNow: () => {
      if (isClosed || child) return;
      if (timer) clearTimeout(timer);
      timer = undefined;
      backoff = 1000;
      void start();
    },
    close: () => {
      isClosed = true;
      if (timer) clearTimeout(timer);
      child?.stdin?.end();
      child?.kill('SIGTERM');
    },
  };
}
