/** A folder's state and reason as the window shows them, from its status and a few facts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repositoryView } from '../../src/engine/repository-view';
import type { RemoteStatus, RepositoryStatus } from '../../src/shared/types';

const remote = (name: string, isAvailable: boolean): RemoteStatus => ({
  name,
  url: `/media/${name}`,
  uuid: name,
  description: null,
  cost: 100,
  isAvailable,
  kind: 'local-repo',
  note: null,
  state: isAvailable ? 'connected' : 'unplugged',
  downSince: null,
  lastSeen: null,
});
const status = (remotes: RemoteStatus[]): RepositoryStatus => ({
  uuid: 'u',
  description: 'laptop',
  top: '/x',
  isBare: false,
  branch: 'master',
  annexedFiles: 1,
  presentFiles: 1,
  presentBytes: 1,
  numcopies: 1,
  pendingJournal: 0,
  held: [],
  conflicts: [],
  remotes,
});
const none = { isPaused: false, failed: [], active: 0, waiting: 0 };

describe('the repository view', () => {
  it('says in sync, or why not, in the order that matters', () => {
    const up = status([remote('usb', true)]);
    assert.deepEqual(
      [repositoryView(up, none).state, repositoryView(up, none).reason],
      ['idle', null],
    );
    assert.equal(repositoryView(up, { ...none, active: 2 }).reason, '2 transfers in progress');
    assert.equal(
      repositoryView(up, { ...none, waiting: 1 }).reason,
      '1 file waits for a remote that is offline',
    );
    const failed = { ...none, failed: [{ remote: 'usb', reason: 'disk full' }], active: 3 };
    assert.equal(repositoryView(up, failed).state, 'error');
    assert.equal(repositoryView(up, { ...failed, isPaused: true }).state, 'paused');
    const down = status([remote('usb', false), remote('nas', false)]);
    assert.equal(repositoryView(down, none).reason, 'no remote is reachable (usb, nas)');
    // no remote: not "in sync" (there is nothing to be in sync with), not an error
    const lonely = repositoryView(status([]), none);
    assert.equal(lonely.state, 'not-shared');
    assert.match(lonely.reason ?? '', /not shared yet/);
  });

  it('a push that failed for a drive that is unplugged waits, and does not hide the transfers', () => {
    const both = status([remote('usb', false), remote('nas', true)]);
    const facts = { ...none, failed: [{ remote: 'usb', reason: 'unplugged' }], active: 3 };
    assert.deepEqual(
      [repositoryView(both, facts).state, repositoryView(both, facts).reason],
      ['syncing', '3 transfers in progress'],
    );
    const quiet = repositoryView(both, { ...facts, active: 0 });
    assert.equal(quiet.state, 'idle');
    assert.equal(quiet.reason, 'changes wait for usb to be back');
    // a remote that is there and still refuses is an error
    const refusing = { ...none, failed: [{ remote: 'nas', reason: 'rejected' }] };
    assert.equal(repositoryView(both, refusing).state, 'error');
  });

  it('an unplugged drive says when it was last synced; a held deletion comes first', () => {
    const both = status([remote('usb', false), remote('nas', true)]);
    const view = repositoryView(both, {
      ...none,
      lastSynced: (r) => (r === 'usb' ? 1234 : undefined),
    });
    assert.equal(view.remotes.find((r) => r.name === 'usb')?.lastSeen, 1234);
    assert.equal(
      view.remotes.find((r) => r.name === 'nas')?.lastSeen,
      null,
      'a connected one needs none',
    );
    const held = {
      ...both,
      held: [{ id: 'c', ref: 'r', from: 'desktop', deleted: 200, total: 300, sample: [], at: 1 }],
    };
    const v = repositoryView(held, { ...none, isPaused: true });
    assert.equal(v.state, 'error');
    assert.equal(
      v.reason,
      'desktop deleted 200 of 300 files: held until you apply it or keep your files',
    );
  });
});
