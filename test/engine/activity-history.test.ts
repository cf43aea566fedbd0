/**
 * The activity history: the remotes of one push round joined into one line, the same line again
 * counted, other folders and other kinds left apart; each folder's history written to its
 * repository and read back by a new engine (the history survives a restart), bounded.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ActivityHistory, fold } from '../../src/engine/activity-history';
import { Engine } from '../../src/engine/engine';
import { parcelWatch } from '../../src/engine/sync/watcher';
import { ferryOk, tempDir } from '../helpers/repos';

describe('the activity history', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('folds a push round and repeats, and keeps folders and kinds apart', () => {
    const h = new ActivityHistory(() => undefined);
    const sent = (to: string) =>
      h.add({ repository: 'u-a', kind: 'sync', text: `sent changes to ${to}` });
    const first = sent('backup');
    sent('usb');
    const round = sent('phone');
    assert.equal(round.id, first.id, 'one entry');
    assert.equal(round.text, 'sent changes to backup, usb, phone');
    assert.equal(h.lastSent('u-a', 'usb'), round.at, 'when usb last got changes');
    assert.equal(h.lastSent('u-a', 'nas'), undefined);
    assert.equal(h.lastSent('u-b', 'usb'), undefined);
    h.add({ repository: 'u-a', kind: 'sync', text: 'committed 1 change' });
    h.add({ repository: 'u-a', kind: 'sync', text: 'committed 1 change' });
    const third = h.add({ repository: 'u-a', kind: 'sync', text: 'committed 1 change' });
    assert.equal(third.count, 3);
    h.add({ repository: 'u-b', kind: 'sync', text: 'committed 1 change' });
    h.add({ repository: 'u-a', kind: 'conflict', text: 'committed 1 change' });
    assert.deepEqual(
      h.all().map((e) => [e.repository, e.kind, e.text, e.count ?? 1]),
      [
        ['u-a', 'sync', 'sent changes to backup, usb, phone', 1],
        ['u-a', 'sync', 'committed 1 change', 3],
        ['u-b', 'sync', 'committed 1 change', 1],
        ['u-a', 'conflict', 'committed 1 change', 1],
      ],
    );
    // counted repeats are not joined with other lines, and old entries do not fold
    const last = {
      id: 1,
      at: 0,
      repository: 'u-a',
      kind: 'sync' as const,
      text: 'sent changes to usb',
    };
    assert.equal(
      fold(last, { repository: 'u-a', kind: 'sync', text: 'sent changes to usb' }, 11 * 60_000),
      undefined,
    );
  });

  it('names the files, and folds merges in a row into one batch that undoes them all', () => {
    const h = new ActivityHistory(() => undefined);
    const merged = (files: string[], before: string, after: string) =>
      h.add({
        repository: 'u-a',
        kind: 'sync',
        text: 'merged changes from desktop/master',
        files,
        undo: { before, after },
      });
    merged(['a.jpg', 'b.jpg'], 'c0', 'c1');
    merged(['b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg'], 'c1', 'c2');
    const batch = merged(['g.jpg'], 'c2', 'c3');
    assert.equal(batch.count, 3);
    assert.deepEqual(
      batch.files,
      ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg'],
      'five names, once each',
    );
    assert.deepEqual(batch.undo, { before: 'c0', after: 'c3' }, 'back to before the first');
    assert.equal(h.find('u-a', batch.id ?? -1), batch);
    assert.equal(h.find('u-b', batch.id ?? -1), undefined, "another folder's entry is not found");
  });

  it('is kept in the folder and read back after a restart, its newest 300', async () => {
    const a = join(tmp.path, 'A');
    mkdirSync(a);
    writeFileSync(join(a, 'f.txt'), 'f\n');
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    const state = join(tmp.path, 'state');
    const first = new Engine({ watch: parcelWatch, stateDir: state, quietMs: 50 });
    await first.start();
    const view = await first.handlers().addFolder({ path: a });
    const before = (await first.handlers().snapshot()).activity.filter(
      (e) => e.repository === view.uuid,
    );
    assert.ok(before.length > 0);
    await first.stop();
    const saved = JSON.parse(
      readFileSync(join(a, '.git', 'annex', 'ferry', 'activity.json'), 'utf8'),
    ) as unknown[];
    assert.ok(saved.length >= before.length);
    const second = new Engine({ watch: parcelWatch, stateDir: state, quietMs: 50 });
    await second.start();
    const after = (await second.handlers().snapshot()).activity.map((e) => e.text);
    for (const e of before) assert.ok(after.includes(e.text), `"${e.text}" is still there`);
    await second.stop();

    const h = new ActivityHistory((u) => (u === 'u-x' ? join(tmp.path, 'x.git') : undefined));
    for (let i = 0; i < 400; i++) h.add({ repository: 'u-x', kind: 'sync', text: `line ${i}` });
    h.flush();
    const kept = JSON.parse(
      readFileSync(join(tmp.path, 'x.git', 'annex', 'ferry', 'activity.json'), 'utf8'),
    ) as { text: string }[];
    assert.equal(kept.length, 300);
    assert.equal(kept.at(-1)?.text, 'line 399');
  });
});
