/** The renderer's store: snapshots, each event kind, and batching. */
import './dom';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchEvents, createFerryStore } from '../../src/renderer/store';
import { repoView, snapshot, transfer } from './fake-api';

describe('the store', () => {
  it('is seeded from a snapshot and follows repository, transfer and progress events', () => {
    const store = createFerryStore();
    store.getState().seed(snapshot({ transfers: [transfer(1)] }));
    assert.equal(store.getState().isSeeded, true);
    store.getState().apply({
      type: 'repository-changed',
      status: repoView({ state: 'syncing', reason: '1 transfer in progress' }),
      at: 1,
    });
    assert.equal(store.getState().repositories.length, 1);
    assert.equal(store.getState().repositories[0]?.state, 'syncing');
    store.getState().apply({
      type: 'transfers-progressed',
      progress: [{ id: transfer(1).id, bytesDone: 500_000, rate: 1000, etaSeconds: 500 }],
      at: 2,
    });
    const t = store.getState().transfers.get(transfer(1).id);
    assert.equal(t?.state, 'running');
    assert.equal(t?.bytesDone, 500_000);
    store
      .getState()
      .apply({ type: 'transfer-changed', transfer: transfer(1, { state: 'done' }), at: 3 });
    assert.equal(store.getState().transfers.get(transfer(1).id)?.state, 'done');
  });

  it("drops another program's transfer once it is gone", () => {
    const store = createFerryStore();
    const ext = transfer(1, { id: 'external:up:u-usb:KEY1', isExternal: true, state: 'running' });
    store.getState().seed(snapshot({ transfers: [ext, transfer(2)] }));
    store.getState().apply({ type: 'transfer-gone', id: ext.id, at: 2 });
    assert.deepEqual([...store.getState().transfers.keys()], [transfer(2).id]);
    const before = store.getState();
    store.getState().apply({ type: 'transfer-gone', id: 'nothing', at: 3 });
    assert.equal(store.getState().transfers, before.transfers, 'an unknown one changes nothing');
  });

  it('keeps maps by root, drives by mount point, and a bounded activity list', () => {
    const store = createFerryStore();
    store.getState().seed(snapshot());
    store.getState().apply({
      type: 'map-changed',
      map: { root: 'u-laptop', nodes: [], edges: [], arborescence: [] },
      at: 1,
    });
    assert.deepEqual(Object.keys(store.getState().maps), ['u-laptop']);
    store
      .getState()
      .apply({ type: 'drive-syncing', mountPoint: '/media/usb', remote: 'usb', at: 1 });
    store.getState().apply({
      type: 'drive-safe-to-unplug',
      mountPoint: '/media/usb',
      remote: 'usb',
      failed: 0,
      at: 2,
    });
    assert.deepEqual(
      store.getState().drives.map((d) => d.state),
      ['safe-to-unplug'],
    );
    store.getState().apply({
      type: 'drive-removed',
      mountPoint: '/media/usb',
      remote: 'usb',
      interrupted: 0,
      at: 3,
    });
    assert.equal(store.getState().drives.length, 0);
    for (let i = 0; i < 250; i++)
      store.getState().apply({
        type: 'activity',
        entry: { at: i, repository: null, kind: 'sync', text: `entry ${i}` },
        at: i,
      });
    assert.equal(store.getState().activity.length, 200);
    assert.equal(store.getState().activity.at(-1)?.text, 'entry 249');
    // a repeat folded into a shown entry replaces it, it is not added again
    const shown = {
      id: 7,
      at: 300,
      repository: null,
      kind: 'sync' as const,
      text: 'sent changes to usb',
    };
    store.getState().apply({ type: 'activity', entry: shown, at: 300 });
    store.getState().apply({
      type: 'activity',
      entry: { ...shown, at: 301, text: 'sent changes to usb, backup' },
      at: 301,
    });
    assert.equal(store.getState().activity.length, 200);
    assert.equal(store.getState().activity.at(-1)?.text, 'sent changes to usb, backup');
  });

  it('applies a burst of events as one state change', () => {
    const store = createFerryStore();
    store.getState().seed(snapshot({ transfers: [transfer(1), transfer(2)] }));
    let changes = 0;
    store.subscribe(() => changes++);
    let flush: (() => void) | undefined;
    const push = batchEvents(store, (f) => {
      flush = f;
    });
    for (let i = 0; i < 100; i++)
      push({
        type: 'transfers-progressed',
        progress: [
          { id: transfer(1).id, bytesDone: i * 1000, rate: 5, etaSeconds: 1 },
          { id: transfer(2).id, bytesDone: i * 2000, rate: 5, etaSeconds: 1 },
        ],
        at: i,
      });
    assert.equal(changes, 0, 'nothing applied before the frame');
    flush?.();
    assert.equal(changes, 1);
    assert.equal(store.getState().transfers.get(transfer(2).id)?.bytesDone, 198_000);
  });
});
