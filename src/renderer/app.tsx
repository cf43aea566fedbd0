/**
 * The main window: a header with the overall state and the global controls, tabs for folders
 * (with drives and the drop area), transfers, the network map and the activity list. Seeded by
 * the `snapshot` command, kept current by events (applied once per frame).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { FerryApi } from '../shared/ipc';
import { batchEvents, createFerryStore, type FerryState } from './store';
import { Footer } from './views/about';
import { needsYou, useBrowserNotifications, useTabTitle } from './notify';
import {
  ActivityView,
  DevicesView,
  NetworkView,
  RepositoriesView,
  Tabs,
  TransfersView,
  type Tab,
} from './views';

export function App({
  api,
  store: given,
  pathForFile,
}: {
  api: FerryApi;
  store?: StoreApi<FerryState>;
  pathForFile?: (file: File) => string;
}) {
  const store = useMemo(() => given ?? createFerryStore(), [given]);
  const [tab, setTab] = useState<Tab>('repositories');
  const isSeeded = useStore(store, (s) => s.isSeeded);
  const connection = useStore(store, (s) => s.connection);
  const lastError = useStore(store, (s) => s.lastError);
  const control = useStore(store, (s) => s.control);
  const transfers = useStore(store, (s) => s.transfers);
  const repositories = useStore(store, (s) => s.repositories);
  const isHeadless = useStore(store, (s) => s.isHeadless);
  useTabTitle(repositories);
  const notifications = useBrowserNotifications(api, isHeadless);

  useEffect(() => {
    const push = batchEvents(store);
    const off = api.on(push);
    void api.snapshot(undefined).then((r) => {
      if (r.ok) store.getState().seed(r.value);
      else
        store.getState().apply({
          type: 'error-raised',
          code: r.error.code,
          message: r.error.message,
          at: Date.now(),
        });
    });
    return off;
  }, [api, store]);

  // after a reconnect (headless), fetch everything again
  const wasClosed = useRef(false);
  useEffect(() => {
    if (connection === 'closed') wasClosed.current = true;
    if (connection !== 'open' || !wasClosed.current) return;
    wasClosed.current = false;
    void api.snapshot(undefined).then((r) => {
      if (r.ok) store.getState().seed(r.value);
    });
  }, [connection, api, store]);

  // ours: what other programs move is not ours to wait for
  const active = [...transfers.values()].filter(
    (t) => !t.isExternal && (t.state === 'running' || t.state === 'queued'),
  ).length;
  const overall = control.isPaused
    ? 'Paused'
    : repositories.some((r) => r.state === 'error')
      ? 'Needs attention'
      : needsYou(repositories) > 0
        ? `${needsYou(repositories)} ${needsYou(repositories) === 1 ? 'thing needs' : 'things need'} you: see Folders`
        : active > 0
          ? `Syncing: ${active} ${active === 1 ? 'transfer' : 'transfers'}`
          : repositories.length === 0
            ? 'No folders yet'
            : 'Everything is in sync';

  return (
    <div className="app">
      <header>
        <h1>Ferry</h1>
        <p className="overall" role="status">
          {overall}
          {connection === 'closed' && <span className="error"> · disconnected, reconnecting…</span>}
        </p>
        <div className="controls">
          {control.isPaused ? (
            <button type="button" onClick={() => void api.resumeAll(undefined)}>
              Resume all
            </button>
          ) : (
            <button type="button" onClick={() => void api.pauseAll(undefined)}>
              Pause all
            </button>
          )}
          <button
            type="button"
            onClick={() => void api.syncNow(undefined)}
            disabled={repositories.length === 0}
          >
            Sync now
          </button>
          {notifications.canAsk && (
            <button type="button" className="quiet" onClick={notifications.ask}>
              Turn on notifications
            </button>
          )}
        </div>
      </header>
      {lastError !== null && (
        <div role="alert" className="banner error">
          {lastError}{' '}
          <button
            type="button"
            onClick={() => store.getState().dismissError()}
            aria-label="Dismiss the error"
          >
            Dismiss
          </button>
        </div>
      )}
      <Tabs
        tab={tab}
        onChange={setTab}
        counts={{ transfers: active, repositories: needsYou(repositories) }}
      />
      <main id={`panel-${tab}`} role="tabpanel" aria-labelledby={`tab-${tab}`} tabIndex={0}>
        {!isSeeded ? (
          <p aria-busy="true">Loading…</p>
        ) : tab === 'repositories' ? (
          <RepositoriesView store={store} api={api} pathForFile={pathForFile} />
        ) : tab === 'transfers' ? (
          <TransfersView store={store} api={api} />
        ) : tab === 'network' ? (
          <NetworkView store={store} />
        ) : tab === 'devices' ? (
          <DevicesView api={api} repositories={repositories} />
        ) : (
          <ActivityView store={store} api={api} />
        )}
      </main>
      <Footer api={api} />
    </div>
  );
}
