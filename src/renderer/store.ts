/**
 * The renderer's zustand store, in typed slices (repositories, transfers, network, drives,
 * activity, connection), seeded from the `snapshot` command and kept current by engine events.
 * Events are applied in batches: the bridge queues them and `applyMany` folds a whole batch into
 * one state change, so a burst of progress ticks renders once.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  ActivityEntry,
  DriveView,
  EngineEvent,
  EngineSnapshot,
  RepositoryView,
  SyncOffer,
} from '../shared/ipc';
import type { NetworkMap } from '../shared/network';
import type { TransferControlState, TransferSnapshot } from '../shared/transfers';

export interface RepositoriesSlice {
  readonly repositories: readonly RepositoryView[];
  /** what each folder could sync with, by its UUID */
  readonly offers: Readonly<Record<string, readonly SyncOffer[]>>;
}
export interface TransfersSlice {
  /** by id, in arrival order */
  readonly transfers: ReadonlyMap<string, TransferSnapshot>;
  readonly control: TransferControlState;
}
export interface NetworkSlice {
  readonly maps: Readonly<Record<string, NetworkMap>>;
}
export interface DrivesSlice {
  readonly drives: readonly DriveView[];
}
export interface ActivitySlice {
  readonly activity: readonly ActivityEntry[];
  readonly lastError: string | null;
}
export interface ConnectionSlice {
  readonly connection: 'connecting' | 'open' | 'closed';
  readonly isHeadless: boolean;
  readonly isSeeded: boolean;
}

export interface FerryState
  extends
    RepositoriesSlice,
    TransfersSlice,
    NetworkSlice,
    DrivesSlice,
    ActivitySlice,
    ConnectionSlice {
  seed(snapshot: EngineSnapshot): void;
  apply(event: EngineEvent): void;
  applyMany(events: readonly EngineEvent[]): void;
  setConnection(state: ConnectionSlice['connection']): void;
  dismissError(): void;
  /** forgets the finished transfers shown (the queue's "Clear") */
  clearFinished(): void;
}

const MAX_ACTIVITY = 200;
const MAX_FINISHED = 500;

type Data = Omit<FerryState, 'seed' | 'apply' | 'applyMany' | 'setConnection' | 'dismissError'>;

/** Pure: the state after one event (returns the same object when nothing changed). */
export function reduce(s: Data, e: EngineEvent): Data {
  switch (e.type) {
    case 'repository-changed': {
      const i = s.repositories.findIndex((r) => r.uuid === e.status.uuid);
      const repositories =
        i < 0
          ? [...s.repositories, e.status]
          : s.repositories.map((r, j) => (j === i ? e.status : r));
      return { ...s, repositories };
    }
    case 'repository-removed':
      return { ...s, repositories: s.repositories.filter((r) => r.uuid !== e.repository) };
    case 'transfer-changed': {
      const transfers = new Map(s.transfers);
      transfers.set(e.transfer.id, e.transfer);
      // keep finished transfers bounded
      const finished = [...transfers.values()].filter(
        (t) => t.state === 'done' || t.state === 'cancelled',
      );
      for (const t of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED)))
        transfers.delete(t.id);
      return { ...s, transfers };
    }
    case 'transfer-gone': {
      if (!s.transfers.has(e.id)) return s;
      const transfers = new Map(s.transfers);
      transfers.delete(e.id);
      return { ...s, transfers };
    }
    case 'transfers-progressed': {
      let transfers: Map<string, TransferSnapshot> | undefined;
      for (const p of e.progress) {
        const t = (transfers ?? s.transfers).get(p.id);
        if (!t) continue;
        transfers ??= new Map(s.transfers);
        transfers.set(p.id, {
          ...t,
          state: 'running',
          bytesDone: p.bytesDone,
          rate: p.rate,
          etaSeconds: p.etaSeconds,
        });
      }
      return transfers ? { ...s, transfers } : s;
    }
    case 'control-changed':
      return { ...s, control: e.control };
    case 'offers-changed':
      return { ...s, offers: { ...s.offers, [e.repository]: e.offers } };
    case 'map-changed':
      return { ...s, maps: { ...s.maps, [e.map.root]: e.map } };
    case 'drive-syncing':
    case 'drive-safe-to-unplug': {
      const others = s.drives.filter((d) => d.mountPoint !== e.mountPoint);
      const repository = s.drives.find((d) => d.mountPoint === e.mountPoint)?.repository ?? '';
      return {
        ...s,
        drives: [
          ...others,
          {
            mountPoint: e.mountPoint,
            remote: e.remote,
            repository,
            state: e.type === 'drive-syncing' ? 'syncing' : 'safe-to-unplug',
          },
        ],
      };
    }
    case 'drive-removed':
      return { ...s, drives: s.drives.filter((d) => d.mountPoint !== e.mountPoint) };
    case 'activity': {
      // a repeat folded into an entry already shown replaces it
      const at = e.entry.id === undefined ? -1 : s.activity.findIndex((a) => a.id === e.entry.id);
      const activity =
        at >= 0
          ? s.activity.map((a, i) => (i === at ? e.entry : a))
          : [...s.activity, e.entry].slice(-MAX_ACTIVITY);
      return { ...s, activity };
    }
    case 'error-raised':
      return { ...s, lastError: e.message };
    default:
      return s;
  }
}

export function createFerryStore(): StoreApi<FerryState> {
  return createStore<FerryState>()((set) => ({
    repositories: [],
    offers: {},
    transfers: new Map(),
    control: { isPaused: false, pausedRemotes: [], rateLimit: 0, remoteRateLimits: {} },
    maps: {},
    drives: [],
    activity: [],
    lastError: null,
    connection: 'connecting',
    isHeadless: false,
    isSeeded: false,
    seed: (snap) =>
      set({
        repositories: snap.repositories,
        offers: snap.offers ?? {},
        transfers: new Map(snap.transfers.map((t) => [t.id, t])),
        control: snap.control,
        maps: snap.maps,
        drives: snap.drives,
        activity: snap.activity.slice(-MAX_ACTIVITY),
        isHeadless: snap.isHeadless,
        isSeeded: true,
      }),
    apply: (event) => set((s) => reduce(s, event)),
    applyMany: (events) =>
      set((s) => {
        let next: Data = s;
        for (const e of events) next = reduce(next, e);
        return next;
      }),
    setConnection: (connection) => set({ connection }),
    dismissError: () => set({ lastError: null }),
    clearFinished: () =>
      set((s) => ({
        transfers: new Map(
          [...s.transfers].filter(([, t]) => t.state !== 'done' && t.state !== 'cancelled'),
        ),
      })),
  }));
}

/** Queues events and applies them once per animation frame (or `flushMs` without one). */
export function batchEvents(
  store: StoreApi<FerryState>,
  schedule: (flush: () => void) => void = (f) => {
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(f);
    else setTimeout(f, 16);
  },
): (e: EngineEvent) => void {
  let pending: EngineEvent[] = [];
  return (e) => {
    pending.push(e);
    if (pending.length > 1) return;
    schedule(() => {
      const batch = pending;
      pending = [];
      store.getState().applyMany(batch);
    });
  };
}
