/**
 * A running assistant's control socket (`.git/annex/ferry/control.sock`): the `ferry transfers`,
 * `pause`, `resume`, `cancel` and `ratelimit` commands talk to it with one JSON line each way,
 * in the window's command contract (see folder-handlers.ts for what a folder serves).
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { FerryError } from '../errors';
import type { CommandName, CommandResult, Commands } from '../../shared/ipc';
import { isCount } from '../../shared/validate';
import { dispatch, type Handlers } from '../dispatch';
import { errorMessage } from '../../shared/errors';

/** A request line longer than this is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * One request line: the WebSocket bridge's frame (`{ id, command, args }`, see ipc.ts); the
 * answer line is its reply, `{ id, result }` with the contract's result or `{ code, message }`.
 */
export type ControlRequest = {
  readonly [K in CommandName]: Commands[K]['args'] extends void
    ? { readonly command: K; readonly args?: undefined }
    : { readonly command: K; readonly args: Commands[K]['args'] };
}[CommandName];

/** The frame's own shape; the command's arguments are checked by `dispatch`. */
function frameProblem(req: unknown): string | undefined {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return 'a request is a JSON object';
  const { id, command, ...rest } = req as Record<string, unknown>;
  if (id !== undefined && !isCount(id)) return '"id" must be a whole number';
  if (typeof command !== 'string') return '"command" must be text';
  for (const name of Object.keys(rest))
    if (name !== 'args') return `unexpected field "${name.slice(0, 40)}"`;
  return undefined;
}

export function controlSocketPath(annexdir: string): string {
  return join(annexdir, 'ferry', 'control.sock');
}

/** `onChange` runs after a command that may have changed something (all but `listTransfers`). */
export async function startControlServer(
  annexdir: string,
  handlers: Partial<Handlers>,
  onChange?: () => void,
): Promise<Server> {
  const path = controlSocketPath(annexdir);
  // Only this user may reach the socket, whatever the umask: a 0700 folder and a 0600 socket.
  const dir = join(annexdir, 'ferry');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (await isAnswering(path))
    throw new FerryError('lock-busy', 'another Ferry process is already syncing this folder', {
      path,
    });
  rmSync(path, { force: true }); // left by a process that stopped without closing it
  const server = createServer((socket) => {
    let buffer = '';
    let answered = false;
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (chunk: string) => {
      if (answered) return;
      buffer += chunk;
      const nl = buffer.indexOf('\n');
      if (nl < 0 && buffer.length <= MAX_REQUEST_BYTES) return;
      answered = true;
      void answer(buffer, nl).then((reply) => socket.end(`${JSON.stringify(reply)}\n`));
    });
    socket.on('error', () => undefined);
  });
  const answer = async (buffer: string, nl: number): Promise<ControlReply> => {
    let id = 0;
    try {
      if (nl < 0 || nl > MAX_REQUEST_BYTES)
        throw new FerryError('too-large', `a request is at most ${MAX_REQUEST_BYTES} bytes`);
      const parsed: unknown = JSON.parse(buffer.slice(0, nl));
      const problem = frameProblem(parsed);
      if (problem) throw new FerryError('usage', problem);
      const frame = parsed as { id?: number; command: CommandName; args?: unknown };
      id = frame.id ?? 0;
      const result = await dispatch(handlers, frame.command, frame.args as never);
      if (result.ok && frame.command !== 'listTransfers') onChange?.();
      return { id, result };
    } catch (e) {
      const code = e instanceof FerryError ? e.code : 'usage';
      return { id, result: { ok: false, error: { code, message: errorMessage(e) } } };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  server.on('close', () => rmSync(path, { force: true }));
  return server;
}

function isAnswering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

export interface ControlReply {
  readonly id: number;
  readonly result: CommandResult<CommandName>;
}

/** Sends one command to a running assistant; its result, or undefined when none is running. */
export function sendControl<K extends CommandName>(
  annexdir: string,
  command: K,
  args?: Commands[K]['args'],
): Promise<CommandResult<K> | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlSocketPath(annexdir));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, command, args })}\n`));
    socket.on('data', (c: string) => (data += c));
    socket.on('end', () => {
      try {
        resolve((JSON.parse(data) as ControlReply).result);
      } catch (e) {
        reject(new FerryError('io-error', `the assistant sent an unreadable answer: ${String(e)}`));
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') resolve(undefined);
      else reject(e);
    });
  });
}
