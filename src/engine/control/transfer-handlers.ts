/** The window's transfer controls over every folder the engine syncs (engine.ts hands them on). */
import type { Handlers } from '../dispatch';
import { FerryError } from '../errors';
import type { Folder } from '../folder';

export interface TransferHost {
  folders(): Folder[];
  setPaused(isPaused: boolean): void;
  /** the controls changed: tell the window */
  changed(): void;
  control(): ReturnType<Handlers['listTransfers']> extends Promise<infer R>
    ? R extends { control: infer C }
      ? C
      : never
    : never;
}

type TransferCommands =
  | 'pauseAll'
  | 'resumeAll'
  | 'pauseRemote'
  | 'resumeRemote'
  | 'listTransfers'
  | 'pauseTransfer'
  | 'resumeTransfer'
  | 'cancelTransfer'
  | 'setRateLimit';

export function transferHandlers(host: TransferHost): Pick<Handlers, TransferCommands> {
  const each = (f: (m: Folder) => void): Promise<null> => {
    for (const m of host.folders()) f(m);
    host.changed();
    return Promise.resolve(null);
  };
  return {
    pauseAll: () => {
      host.setPaused(true);
      return each((m) => m.transfers.pause());
    },
    resumeAll: () => {
      host.setPaused(false);
      return each((m) => m.transfers.resume());
    },
    pauseRemote: ({ remote }) => each((m) => m.transfers.pause(remote)),
    resumeRemote: ({ remote }) => each((m) => m.transfers.resume(remote)),
    listTransfers: ({ limit }) =>
      Promise.resolve({
        transfers: host.folders().flatMap((m) => m.transfers.snapshot(limit)),
        control: host.control(),
      }),
    pauseTransfer: ({ id }) =>
      Promise.resolve(host.folders().some((m) => m.transfers.pauseTransfer(id))),
    resumeTransfer: ({ id }) =>
      Promise.resolve(host.folders().some((m) => m.transfers.resumeTransfer(id))),
    cancelTransfer: ({ id }) =>
      Promise.resolve(host.folders().reduce((n, m) => n + m.transfers.cancel(id), 0)),
    setRateLimit: ({ bytesPerSecond, remote }) => {
      if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0)
        throw new FerryError('usage', 'a rate limit is a number of bytes per second, 0 for none');
      return each((m) => m.transfers.setRateLimit(bytesPerSecond, remote));
    },
  };
}
