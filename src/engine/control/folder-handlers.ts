/**
 * The commands a folder's control socket serves, on that folder alone: its transfers and their
 * controls, and "sync now". The same contract (names, arguments, results, errors) as the
 * window's IPC and WebSocket; commands about the whole app (adding folders, the snapshot) are
 * not served here and answer with a usage error.
 */
import type { Handlers } from '../dispatch';
import type { Transferrer } from '../transfer/transferrer';

export function folderHandlers(transfers: Transferrer, syncNow: () => void): Partial<Handlers> {
  const done = (): Promise<null> => Promise.resolve(null);
  return {
    listTransfers: ({ limit }) =>
      Promise.resolve({
        transfers: transfers.snapshot(limit ?? 1000),
        control: transfers.controlState(),
      }),
    syncNow: () => {
      syncNow();
      return done();
    },
    pauseAll: () => {
      transfers.pause();
      return done();
    },
    resumeAll: () => {
      transfers.resume();
      return done();
    },
    pauseRemote: ({ remote }) => {
      transfers.pause(remote);
      return done();
    },
    resumeRemote: ({ remote }) => {
      transfers.resume(remote);
      return done();
    },
    pauseTransfer: ({ id }) => Promise.resolve(transfers.pauseTransfer(id)),
    resumeTransfer: ({ id }) => Promise.resolve(transfers.resumeTransfer(id)),
    cancelTransfer: ({ id }) => Promise.resolve(transfers.cancel(id)),
    setRateLimit: ({ bytesPerSecond, remote }) => {
      transfers.setRateLimit(bytesPerSecond, remote);
      return done();
    },
  };
}
