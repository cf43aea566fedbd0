/**
 * The one check of what arrives over the WebSocket, the Electron IPC and the control socket:
 * each command's arguments against the contract in ipc.ts. Returns a problem in words, or
 * undefined when the arguments are what the command takes. Plain code: no Node, no DOM.
 */
import type { CommandName } from './ipc';

type Shape = Readonly<Record<string, 'string' | 'string?' | 'count' | 'count?' | 'boolean?'>>;

const MAX_TEXT = 4096;

const SHAPES: Readonly<Record<CommandName, Shape | 'none'>> = {
  snapshot: 'none',
  listRepositories: 'none',
  addFolder: { path: 'string', description: 'string?', create: 'boolean?', confirm: 'boolean?' },
  cancelAddFolder: { path: 'string' },
  syncWith: { repository: 'string', path: 'string' },
  addRemote: { repository: 'string', url: 'string', name: 'string?' },
  addSpecialRemote: {
    repository: 'string',
    name: 'string',
    type: 'string',
    params: 'string',
    user: 'string?',
    password: 'string?',
  },
  cloneUrl: { repository: 'string', remote: 'string' },
  recentLog: { limit: 'count?' },
  about: 'none',
  syncNow: 'none',
  pauseAll: 'none',
  resumeAll: 'none',
  removeFolder: { repository: 'string' },
  renameFolder: { repository: 'string', name: 'string' },
  whyNotSynced: { repository: 'string', limit: 'count?' },
  decideDeletion: { repository: 'string', id: 'string', action: 'string' },
  undoSync: { repository: 'string', entry: 'count' },
  keepConflictVersion: { repository: 'string', path: 'string', variant: 'string' },
  openConflictVersion: { repository: 'string', path: 'string', variant: 'string' },
  renameConflictVersion: {
    repository: 'string',
    path: 'string',
    variant: 'string',
    name: 'string',
  },
  pauseRemote: { remote: 'string' },
  resumeRemote: { remote: 'string' },
  listTransfers: { limit: 'count?' },
  pauseTransfer: { id: 'string' },
  resumeTransfer: { id: 'string' },
  cancelTransfer: { id: 'string' },
  setRateLimit: { bytesPerSecond: 'count', remote: 'string?' },
  devices: 'none',
  shareFolder: { repository: 'string' },
  joinShared: { code: 'string', path: 'string', address: 'string?' },
  acceptDevice: { deviceId: 'string' },
  dismissDevice: { deviceId: 'string' },
};

/** A whole number of at least 0 that JSON can carry exactly. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Checks an object's fields against a shape; extra fields are refused too. */
export function shapeProblem(args: unknown, shape: Shape): string | undefined {
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    return 'the arguments must be an object';
  const record = args as Record<string, unknown>;
  for (const name of Object.keys(record))
    if (!(name in shape)) return `unexpected argument "${name.slice(0, 40)}"`;
  for (const [name, kind] of Object.entries(shape)) {
    const v = record[name];
    const optional = kind.endsWith('?');
    if (v === undefined) {
      if (!optional) return `"${name}" is missing`;
      continue;
    }
    if (kind === 'boolean?') {
      if (typeof v !== 'boolean') return `"${name}" must be true or false`;
    } else if (kind.startsWith('string')) {
      if (typeof v !== 'string') return `"${name}" must be text`;
      if (v.length > MAX_TEXT) return `"${name}" is too long`;
      if (v.includes('\0')) return `"${name}" holds a NUL character`;
    } else if (!isCount(v)) return `"${name}" must be a whole number of at least 0`;
  }
  return undefined;
}

export function commandArgsProblem(name: CommandName, args: unknown): string | undefined {
  const shape = SHAPES[name];
  if (shape === 'none')
    return args === undefined || args === null ? undefined : 'this command takes no arguments';
  return shapeProblem(args, shape);
}
