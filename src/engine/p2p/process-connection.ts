/**
 * A P2P connection carried by a child process's stdio (`ssh host git-annex-shell p2pstdio ...`,
 * or git-annex-shell itself): its stdout in, its stdin out, the last words of its stderr kept
 * (bounded) to explain a failure.
 */
import { spawn } from 'node:child_process';
import type { P2PConnection } from './client';

/** How much of a carrier's stderr is kept for messages. */
const STDERR_KEPT = 4096;

export function processConnection(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): P2PConnection {
  const [program, ...args] = argv;
  if (!program) throw new Error('no program to run');
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], env, cwd });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    stderr = (stderr + c).slice(-STDERR_KEPT);
  });
  child.stdin.on('error', () => undefined); // a carrier that exited: reads see the close
  child.on('error', (e) => {
    stderr += `\n${e.message}`;
  });
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  return {
    exited,
    input: child.stdout,
    output: child.stdin,
    close: () => {
      child.stdin.end();
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    problem: () => stderr,
    hold: (isHeld) => {
      for (const h of [child, child.stdin, child.stdout, child.stderr] as {
        ref?: () => void;
        unref?: () => void;
      }[])
        if (isHeld) h.ref?.();
        else h.unref?.();
    },
  };
}
