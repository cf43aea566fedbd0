/**
 * `ferry webapp` (and `npm start` where Electron is not installed): the engine syncing every
 * folder it knows, with the desktop window's UI served on 127.0.0.1 behind a random token.
 * Folders: those given, the current folder when it is a repository, and those added in the UI
 * (kept in the state directory: $FERRY_STATE_DIR, else $XDG_CONFIG_HOME/ferry or ~/.config/ferry).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createNodeEngine,
  errnoCode,
  FerryError,
  findRepository,
  openRepository,
  type Engine,
} from '../engine';
import { startWebServer, type WebServer } from './web-server';
import { keepWebPort, lastWebPort, webToken } from './web-address';

/** The folder holding package.json: the source tree or the installed package. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find Ferry’s package.json');
    dir = up;
  }
  return dir;
}

export function stateDir(): string {
  return (
    process.env.FERRY_STATE_DIR ??
    join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'ferry')
  );
}

export interface Webapp {
  readonly engine: Engine;
  readonly server: WebServer;
  stop(): Promise<void>;
}

export async function startWebapp(options: {
  cwd: string;
  folders: readonly string[];
  port?: number;
  drives?: boolean;
  log: (message: string) => void;
  quietMs?: number;
}): Promise<Webapp> {
  const staticDir = join(packageRoot(), 'out', 'renderer');
  if (!existsSync(join(staticDir, 'index.html')))
    throw new FerryError('io-error', `the web UI is not built (${staticDir}); run "npm run build"`);
  const folders = options.folders.map((f) => resolve(options.cwd, f));
  // the current folder, when it is a Ferry (git-annex) repository
  if (folders.length === 0 && findRepository(options.cwd)) {
    const here = await openRepository(options.cwd).catch(() => undefined);
    if (here) folders.push(here.top);
  }
  const node = await createNodeEngine({
    folders,
    stateDir: stateDir(),
    drives: options.drives,
    log: options.log,
    isHeadless: true,
    quietMs: options.quietMs,
    peers: process.env.FERRY_PEERS !== 'off',
  });
  const { engine } = node;
  await engine.start();
  // the same address as last time when it is free, so an open page reconnects
  const state = stateDir();
  const token = webToken(state);
  const wanted = options.port ?? lastWebPort(state);
  const server = await startWebServer(engine, { staticDir, port: wanted, token }).catch(
    (e: unknown) => {
      if (options.port !== undefined || wanted === undefined || errnoCode(e) !== 'EADDRINUSE')
        throw e;
      options.log(`port ${wanted} is taken now; the address has changed`);
      return startWebServer(engine, { staticDir, port: 0, token });
    },
  );
  if (options.port === undefined) keepWebPort(state, server.port);
  return {
    engine,
    server,
    stop: async () => {
      await server.close();
      await node.stop();
    },
  };
}

/** Resolves at the first SIGINT or SIGTERM (Ctrl-C, a service manager stopping Ferry). */
export function untilStopped(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Runs until SIGINT/SIGTERM, printing the address to open. */
export async function runWebapp(options: {
  cwd: string;
  folders: readonly string[];
  port?: number;
  drives?: boolean;
  out: (text: string) => void;
}): Promise<number> {
  const log = (m: string): void => options.out(`${new Date().toLocaleTimeString()} ${m}\n`);
  const app = await startWebapp({ ...options, log });
  options.out(
    `Ferry is running. Open this address in a browser on this machine:\n\n  ${app.server.url}\n\n`,
  );
  options.out('Press Ctrl-C to stop.\n');
  await untilStopped();
  await app.stop();
  options.out('stopped\n');
  return 0;
}
