/**
 * The headless UI: the renderer's built files served on 127.0.0.1, and a WebSocket that
 * implements the IPC contract (requests with ids, replies, and every engine event). Only someone
 * holding the random token in the printed URL gets in: the page, its assets and the socket all
 * check it; the Host and Origin headers must name this server (no DNS rebinding, no other site's
 * page talking to the socket).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { WebSocket } from 'ws';
import { dispatch, type Engine } from '../engine';
import { COMMAND_NAMES, type BridgeMessage, type CommandName } from '../shared/ipc';

export interface WebServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** the built renderer (out/renderer) */
  readonly staticDir: string;
  readonly port?: number;
  readonly token?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** Beyond this much unsent data a slow browser misses progress ticks (later ones supersede them). */
const MAX_BUFFERED = 8 << 20;

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startWebServer(
  engine: Engine,
  options: WebServerOptions,
): Promise<WebServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = options.port ?? 0;
  const allowedHosts = (): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];
  const csp = (): string =>
    `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

  const deny = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${text}\n`);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts().includes(req.headers.host ?? '')) return deny(res, 421, 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? ''}`);
    const cookieToken = /(?:^|;\s*)ferry_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1] ?? null;
    const given = url.searchParams.get('token') ?? cookieToken;
    if (!sameToken(given, token))
      return deny(res, 403, 'Open the address Ferry printed when it started (it carries the key).');
    let path = url.pathname === '/' ? '/index.html' : url.pathname;
    try {
      path = normalize(decodeURIComponent(path)).replace(/^(\.\.(\/|\\|$))+/, '');
    } catch {
      return deny(res, 400, 'bad path');
    }
    const file = join(options.staticDir, path);
    if (!file.startsWith(options.staticDir + sep) || !existsSync(file) || !statSync(file).isFile())
      return deny(res, 404, 'not found');
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': csp(),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': path === '/index.html' ? 'no-store' : 'private, max-age=300',
      // the assets the page loads carry no token in their URLs
      'Set-Cookie': `ferry_token=${token}; HttpOnly; SameSite=Strict; Path=/`,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });

  // loaded here, not by every `ferry` command (ws costs about 30 ms and 15 MB to load)
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? ''}`);
    const origin = req.headers.origin ?? '';
    const okOrigin = allowedHosts().some((h) => origin === `http://${h}`);
    if (
      url.pathname !== '/ws' ||
      !allowedHosts().includes(req.headers.host ?? '') ||
      !okOrigin ||
      !sameToken(url.searchParams.get('token'), token)
    ) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });

  const handlers = engine.handlers();
  const serve = (ws: WebSocket): void => {
    const send = (m: BridgeMessage, droppable = false): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (droppable && ws.bufferedAmount > MAX_BUFFERED) return;
      ws.send(JSON.stringify(m));
    };
    const unsubscribe = engine.on((event) =>
      send({ event }, event.type === 'transfers-progressed'),
    );
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', (data) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(
          (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer)).toString(
            'utf8',
          ),
        );
      } catch {
        return;
      }
      // `null`, a number, an array: not a request, and never a reason to stop serving
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return;
      const req = parsed as { id?: unknown; command?: unknown; args?: unknown };
      const id = typeof req.id === 'number' ? req.id : -1;
      if (typeof req.command !== 'string' || !COMMAND_NAMES.includes(req.command as CommandName)) {
        send({
          id,
          result: {
            ok: false,
            error: { code: 'usage', message: 'unknown command' },
          },
        });
        return;
      }
      void dispatch(handlers, req.command as CommandName, req.args as never).then((result) =>
        send({ id, result }),
      );
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
