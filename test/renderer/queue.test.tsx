/**
 * The transfer queue a person can read, in jsdom: totals and what is left per destination with
 * each folder named, a rate never shown above its limit, transfers of other programs apart and
 * not counted as ours, a file relayed through two repositories counted once, what finished
 * folded and cleared.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeApi, repoView, snapshot, transfer } from './fake-api';
import { byText, click, render } from './render';

describe('the transfer queue, readable', () => {
  it('sums up, names folders, keeps rates under the limit, and folds what finished', async () => {
    const laptop = repoView();
    const camera = repoView({ uuid: 'u-camera', description: 'camera', top: '/home/me/DCIM' });
    const fake = new FakeApi(
      snapshot({
        repositories: [laptop, camera],
        control: {
          isPaused: false,
          pausedRemotes: [],
          rateLimit: 0,
          remoteRateLimits: { usb: 100_000 },
        },
        transfers: [
          transfer(1, {
            state: 'running',
            bytesDone: 500_000,
            rate: 180_000,
            repository: 'u-laptop',
          }),
          transfer(2, { repository: 'u-laptop' }),
          transfer(3, {
            repository: 'u-camera',
            remote: 'nas',
            direction: 'download',
            id: 'down:3',
          }),
          transfer(4, {
            state: 'running',
            isExternal: true,
            rate: 9_000,
            repository: 'u-laptop',
            id: 'ext:4',
          }),
          // one file relayed: here -> usb, then usb -> backup
          transfer(5, {
            state: 'done',
            bytesDone: 1_000_000,
            finishedAt: 5,
            repository: 'u-laptop',
          }),
          transfer(5, {
            id: 'fwd:5',
            remote: 'backup',
            via: 'usb',
            state: 'done',
            bytesDone: 1_000_000,
            finishedAt: 6,
            repository: 'u-laptop',
          }),
        ],
      }),
    );
    const c = await render(fake);
    await click(c.querySelector('#tab-transfers'));
    const summary = c.querySelector('.summary')?.textContent ?? '';
    // ours only: the other program's transfer is apart
    assert.match(summary, /3 files to move: 2\.5 MB, about 25 s left · 1 moved by other programs/);
    assert.match(summary, /1 moving now · 1 moved by other programs · 2 queued · 1 done/);
    const destinations = [...c.querySelectorAll('.destinations li')].map((l) => l.textContent);
    assert.deepEqual(destinations, [
      'laptop → usb: 2 files, 1.5 MB',
      'nas → camera: 1 file, 1.0 MB',
    ]);
    // rows of one destination together, under its name
    const queued = [...c.querySelectorAll('.virtual h3.group, .virtual h4.destination')].map(
      (h) => h.textContent,
    );
    assert.deepEqual(queued.slice(0, 7), [
      'Moving now (1)',
      'laptop → usb (1)',
      'Moved by other programs (1)',
      'laptop → usb (1)',
      'Queued (2)',
      'laptop → usb (1)',
      'nas → camera (1)',
    ]);
    // 180 KB/s measured over a burst; the limit is 100 KB/s
    assert.match(byText(c, '.transfer', 'img1')?.textContent ?? '', /100 KB\/s/);
    assert.match(byText(c, '.transfer', 'img1')?.textContent ?? '', /laptop → usb/);
    assert.match(byText(c, '.transfer', 'img4')?.textContent ?? '', /by another program/);
    assert.equal(c.querySelector('button[aria-label="Cancel photos/img4.jpg"]'), null);
    const done = byText(c, '.group', 'Done');
    assert.match(done?.textContent ?? '', /Done \(1 file, 2 copies\)/);
    assert.equal(byText(c, '.transfer', 'img5'), undefined, 'folded');
    await click(byText(c, '.group button', 'Show'));
    assert.ok(byText(c, '.transfer', 'img5'));
    await click(byText(c, '.group button', 'Clear'));
    assert.equal(byText(c, '.group', 'Done'), undefined);
    assert.equal(byText(c, '.transfer', 'img5'), undefined);
  });
});
