/**
 * The web UI's address across restarts: its token (kept private in the state folder, mode 0600)
 * and the port it last listened on, so an open page reconnects after Ferry restarts. When the
 * port is taken meanwhile, a free one is used and the new address printed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TOKEN_FILE = 'web-token';
const PORT_FILE = 'web-port';

/** The kept token, made on first use (only the user can read it). */
export function webToken(stateDir: string): string {
  const path = join(stateDir, TOKEN_FILE);
  try {
    const kept = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(kept)) {
      // a copy others could read is made private again
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
      return kept;
    }
  } catch {
    // none yet
  }
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}

/** The port the web UI last listened on, if any. */
export function lastWebPort(stateDir: string): number | undefined {
  try {
    const port = Number(readFileSync(join(stateDir, PORT_FILE), 'utf8').trim());
    return Number.isInteger(port) && port > 1024 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

export function keepWebPort(stateDir: string, port: number): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(stateDir, PORT_FILE), `${port}\n`, { mode: 0o600 });
}
