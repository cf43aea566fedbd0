/**
 * A running assistant's control socket (`.git/annex/ferry/control.sock`): the `ferry transfers`,
 * `pause`, `resume`, `cancel` and `ratelimit` commands talk to it with one JSON line each way.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { FerryError } from '../errors';
import type { ErrorCode } from '../../shared/errors';
import type { Transferrer } from '../transfer/transferrer';
import type { TransferControlState, TransferSnapshot } from '../../shared/transfers';
import { shapeProblem } from '../../shared/validate';
import { errorMessage } from '../../shared/errors';

/** A request line longer than this is refused and the connection closed. */
export const MAX_REQUEST_BYTES = 64 * 1024;

/** Checks a parsed request against the contract above; the problem in words, or undefined. */
export function controlRequestProblem(req: unknown): string | undefined {
  if (typeof req !== 'object' || req === null || Array.isArray(req))
    return 'a request is a JSON object';
  const { cmd, ...rest } = req as Record<string, unknown>;
  switch (cmd) {
    case 'transfers':
      return shapeProblem(rest, { limit: 'count?' });
    case 'pause':
    case 'resume':
      return shapeProblem(rest, { remote: 'string?', id: 'string?' });
    case 'cancel':
      return shapeProblem(rest, { target: 'string' });
    case 'ratelimit':
      return shapeProblem(rest, { bytesPerSecond: 'count', remote: 'string?' });
    default:
      return 'unknown command';
  }
}

export type ControlRequest =
  | { readonly cmd: 'transfers'; readonly limit?: number }
  | { readonly cmd: 'pause'; readonly remote?: string; readonly id?: string }
  | { readonly cmd: 'resume'; readonly remote?: string; readonly id?: string }
  | { readonly cmd: 'cancel'; readonly target: string }
  | { readonly cmd: 'ratelimit'; readonly bytesPerSecond: number; readonly remote?: string };

export type ControlResponse =
  | {
      readonly ok: true;
      readonly transfers?: TransferSnapshot[];
      readonly control: TransferControlState;
      readonly affected?: number;
    }
  /** errors as the IPC and WebSocket contract gives them: a stable code and words */
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

export function controlSocketPath(annexdir: string): string {
  return join(annexdir, 'ferry', 'control.sock');
}

export function handleControl(transfers: Transferrer, req: ControlRequest): ControlResponse {
  switch (req.cmd) {
    case 'transfers':
      return {
        ok: true,
        transfers: transfers.snapshot(req.limit ?? 1000),
        control: transfers.controlState(),
      };
    case 'pause':
      if (req.id)
        return {
          ok: true,
          affected: Number(transfers.pauseTransfer(req.id)),
          control: transfers.controlState(),
        };
      transfers.pause(req.remote);
      return { ok: true, control: transfers.controlState() };
    case 'resume':
      if (req.id)
        return {
          ok: true,
          affected: Number(transfers.resumeTransfer(req.id)),
          control: transfers.controlState(),
        };
      transfers.resume(req.remote);
      return { ok: true, control: transfers.controlState() };
    case 'cancel':
      return {
        ok: true,
        affected: transfers.cancel(req.target),
        control: transfers.controlState(),
      };
    case 'ratelimit':
      transfers.setRateLimit(req.bytesPerSecond, req.remote);
      return { ok: true, control: transfers.controlState() };
  }
}

/** `onChange` runs after a request that changed something (all but `transfers`). */
export async function startControlServer(
  annexdir: string,
  transfers: Transferrer,
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
      let response: ControlResponse;
      try {
        if (nl < 0 || nl > MAX_REQUEST_BYTES)
          throw new FerryError('too-large', `a request is at most ${MAX_REQUEST_BYTES} bytes`);
        const parsed: unknown = JSON.parse(buffer.slice(0, nl));
        buffer = '';
        const problem = controlRequestProblem(parsed);
        if (problem) throw new FerryError('usage', problem);
        const req = parsed as ControlRequest;
        response = handleControl(transfers, req);
        if (req.cmd !== 'transfers') onChange?.();
      } catch (e) {
        response = {
          ok: false,
          error: {
            code: e instanceof FerryError ? e.code : 'usage',
            message: errorMessage(e),
          },
        };
      }
      socket.end(`${JSON.stringify(response)}\n`);
    });
    socket.on('error', () => undefined);
  });
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

/** Sends one request to a running assistant; undefined when none is running. */
export function sendControl(
  annexdir: string,
  req: ControlRequest,
): Promise<ControlResponse | undefined> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(controlSocketPath(annexdir));
    let data = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
    socket.on('data', (c: string) => (data += c));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(data) as ControlResponse);
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
