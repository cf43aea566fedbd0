/** The window's views rendered in jsdom against an in-memory API: what a person sees and can do. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { act } from 'react';
import { FakeApi, repoView, snapshot, transfer } from './fake-api';
import { byText, click, flushFrames, render } from './render';

describe('the window', () => {
  it('shows each repository with its state and the reason it is not in sync', async () => {
    const fake = new FakeApi(
      snapshot({
        repositories: [
          repoView(),
          repoView({
            uuid: 'u-music',
            description: 'music',
            state: 'offline',
            reason: 'no remote is reachable (nas)',
          }),
        ],
      }),
    );
    const c = await render(fake);
    const cards = c.querySelectorAll('ul[aria-label="Repositories"] > li');
    assert.equal(cards.length, 2);
    assert.match(cards[1]?.textContent ?? '', /Offline/);
    assert.match(cards[1]?.textContent ?? '', /no remote is reachable \(nas\)/);
    assert.match(cards[0]?.textContent ?? '', /8 of 10 files here \(123 MB\)/);
    // remotes by their description, with the remote's name beside it
    assert.match(cards[0]?.textContent ?? '', /usb stick \(remote "usb", connected/);
  });

  it('adds a typed folder through addFolder and shows the error the engine gives', async () => {
    const fake = new FakeApi();
    const c = await render(fake);
    const input = c.querySelector<HTMLInputElement>('#folder-path');
    assert.ok(input);
    assert.equal(c.querySelector('label[for="folder-path"]')?.textContent, 'Folder path');
    act(() => {
      const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
      descriptor?.set?.call(input, '/srv/photos');
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    });
    fake.addFolderResult = {
      ok: false,
      error: { code: 'io-error', message: '/srv/photos is not writable' },
    };
    await click(byText(c, 'button', 'Sync this folder'));
    assert.deepEqual(fake.calls.at(-1), { command: 'addFolder', args: { path: '/srv/photos' } });
    assert.equal(c.querySelector('[role="alert"]')?.textContent, '/srv/photos is not writable');
  });

  it('cancels a folder being added, and says it is not synced', async () => {
    const fake = new FakeApi();
    let answer = (): void => undefined;
    fake.addFolderGate = new Promise((resolve) => (answer = resolve));
    const c = await render(fake);
    const input = c.querySelector<HTMLInputElement>('#folder-path');
    assert.ok(input);
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(
        input,
        '/mnt/share/photos',
      );
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    });
    await click(byText(c, 'button', 'Sync this folder'));
    assert.match(c.querySelector('.drop [role="status"]')?.textContent ?? '', /Adding/);
    await click(byText(c, '.drop button', 'Cancel'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'cancelAddFolder',
      args: { path: '/mnt/share/photos' },
    });
    fake.addFolderResult = {
      ok: false,
      error: {
        code: 'cancelled',
        message: 'adding /mnt/share/photos was cancelled: it is not synced',
      },
    };
    await act(async () => {
      answer();
      await new Promise((r) => setTimeout(r, 0));
    });
    assert.match(
      c.querySelector('[role="alert"]')?.textContent ?? '',
      /cancelled: it is not synced/,
    );
    assert.equal(byText(c, '.drop button', 'Cancel'), undefined);
  });

  it("offers the engine's better choice: a repository's top, creating a missing folder", async () => {
    const fake = new FakeApi();
    const c = await render(fake);
    const input = c.querySelector<HTMLInputElement>('#folder-path');
    assert.ok(input);
    act(() => {
      const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
      descriptor?.set?.call(input, '/srv/photos/2024');
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    });
    fake.addFolderResult = {
      ok: false,
      error: {
        code: 'inside-repository',
        message:
          '/srv/photos/2024 is inside the repository at /srv/photos; sync that folder instead',
        suggestion: { path: '/srv/photos' },
      },
    };
    await click(byText(c, 'button', 'Sync this folder'));
    fake.addFolderResult = {
      ok: false,
      error: {
        code: 'needs-confirmation',
        message: '/srv/photos does not exist; create it and sync it?',
        suggestion: { path: '/srv/photos', create: true },
      },
    };
    await click(byText(c, 'button', 'Sync /srv/photos instead'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'addFolder',
      args: { path: '/srv/photos', create: undefined, confirm: undefined },
    });
    fake.addFolderResult = { ok: true, value: repoView() };
    await click(byText(c, 'button', 'Create it and sync'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'addFolder',
      args: { path: '/srv/photos', create: true, confirm: undefined },
    });
    assert.equal(c.querySelector('[role="alert"]'), null);
  });

  it('stops syncing a folder only after asking, and its card goes', async () => {
    const fake = new FakeApi();
    const c = await render(fake);
    const card = c.querySelector('ul[aria-label="Repositories"] li');
    assert.ok(card);
    await click(byText(c, 'button', 'Stop syncing'));
    assert.equal(
      fake.calls.some((x) => x.command === 'removeFolder'),
      false,
      'nothing before the second click',
    );
    const group = c.querySelector('[role="group"]');
    assert.match(group?.textContent ?? '', /Its files stay as they are/);
    const uuid = fake.state.repositories[0]?.uuid ?? '';
    const description = fake.state.repositories[0]?.description ?? '';
    await click(byText(c, 'button', `Stop syncing ${description}`));
    assert.deepEqual(fake.calls.at(-1), { command: 'removeFolder', args: { repository: uuid } });
    fake.emit({ type: 'repository-removed', repository: uuid, at: Date.now() });
    await flushFrames();
    assert.equal(
      [...c.querySelectorAll('ul[aria-label="Repositories"] > li')].some((li) =>
        (li.textContent ?? '').includes(fake.state.repositories[0]?.top ?? '\0'),
      ),
      false,
    );
  });

  it('says how each remote is, and adds an ssh host through addRemote', async () => {
    const remote = (
      name: string,
      state: string,
      note: string | null,
      downSince: number | null,
    ) => ({
      name,
      url: `me@${name}:/srv/photos`,
      uuid: `u-${name}`,
      description: null,
      cost: 200,
      isAvailable: state === 'connected',
      kind: 'ssh',
      note,
      state: state as 'connected',
      downSince,
      lastSeen: null,
    });
    const fake = new FakeApi(
      snapshot({
        repositories: [
          repoView({
            remotes: [
              remote('nas', 'connected', null, null),
              remote(
                'cabin',
                'offline',
                'cabin cannot be reached: Connection timed out',
                Date.UTC(2026, 0, 1, 9, 30),
              ),
              remote('work', 'auth-needed', "work did not accept this computer's ssh keys", null),
            ],
          }),
        ],
      }),
    );
    const c = await render(fake);
    const list = c.querySelector('ul[aria-label^="Remotes of"]');
    assert.match(list?.textContent ?? '', /nas \(connected, cost 200\)/);
    assert.match(list?.textContent ?? '', /cabin \(offline since /);
    assert.match(list?.textContent ?? '', /Connection timed out/);
    assert.match(list?.textContent ?? '', /work \(authentication needed, cost 200\)/);
    const input = c.querySelector<HTMLInputElement>('.add-remote input');
    assert.ok(input);
    act(() => {
      const descriptor = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
      descriptor?.set?.call(input, 'me@nas2:/srv/photos');
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    });
    await click(byText(c, '.add-remote button', 'Add'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'addRemote',
      args: { repository: 'u-laptop', url: 'me@nas2:/srv/photos' },
    });
    assert.equal(
      c.querySelector('.add-remote [role="status"]')?.textContent,
      'Now syncing with me@nas2:/srv/photos',
    );
  });

  it('offers the repositories a folder could sync with, and syncs with one on request', async () => {
    const fake = new FakeApi(
      snapshot({
        offers: {
          'u-laptop': [
            { path: '/media/usb/annex', uuid: 'u-usb2', description: 'old usb', source: 'drive' },
          ],
        },
      }),
    );
    const c = await render(fake);
    const offer = c.querySelector('button[aria-label="Sync laptop with old usb"]');
    assert.match(offer?.parentElement?.textContent ?? '', /on a drive · \/media\/usb\/annex/);
    await click(offer);
    assert.deepEqual(fake.calls.at(-1), {
      command: 'syncWith',
      args: { repository: 'u-laptop', path: '/media/usb/annex' },
    });
    assert.equal(
      c.querySelector('.repositories p[role="status"]')?.textContent,
      'Now syncing with old usb',
    );
  });

  it('moves between tabs with the arrow keys', async () => {
    const c = await render(new FakeApi());
    const tab = c.querySelector<HTMLButtonElement>('#tab-repositories');
    assert.equal(tab?.getAttribute('aria-selected'), 'true');
    act(() => {
      tab?.focus();
      tab?.dispatchEvent(new window.KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    });
    const next = c.querySelector('#tab-transfers');
    assert.equal(next?.getAttribute('aria-selected'), 'true');
    assert.equal(document.activeElement, next);
    assert.equal(
      c.querySelector('[role="tabpanel"]')?.getAttribute('aria-labelledby'),
      'tab-transfers',
    );
  });

  it('groups transfers by state with progress, and pauses one', async () => {
    const fake = new FakeApi(
      snapshot({
        transfers: [
          transfer(1, {
            state: 'running',
            bytesDone: 250_000,
            rate: 50_000,
            etaSeconds: 15,
            nextHops: ['backup'],
          }),
          transfer(2),
          transfer(3, { state: 'failed', reason: 'disk full' }),
          transfer(4, { state: 'done', bytesDone: 0 }),
          transfer(5, { state: 'running', bytesDone: 0, rate: 0, etaSeconds: null }),
        ],
      }),
    );
    const c = await render(fake);
    await click(c.querySelector('#tab-transfers'));
    assert.match(
      c.querySelector('.summary')?.textContent ?? '',
      /2 moving now · 1 queued · 1 failed, will retry · 1 done/,
    );
    await click(byText(c, '.group button', 'Show'));
    // a done transfer is complete, also when the content was there before it started
    assert.ok(c.querySelector('progress[aria-label="photos/img4.jpg: 100%"]'));
    assert.match(
      byText(c, '.transfer', 'img4')?.textContent ?? '',
      /100% of .* · it was already there/,
    );
    // no dangling separators when there is nothing more to say
    assert.match(
      byText(c, '.transfer', 'img5')?.textContent ?? '',
      /0% of [\d.]+ [KMG]?B(Pause|$)/,
    );
    const bar = c.querySelector('progress[aria-label="photos/img1.jpg: 25%"]');
    assert.ok(bar, 'a labelled progress bar');
    assert.match(byText(c, '.transfer', 'img1')?.textContent ?? '', /50 KB\/s · 15 s left/);
    assert.match(byText(c, '.transfer', 'img1')?.textContent ?? '', /here → usb → backup/);
    await click(c.querySelector('button[aria-label="Pause photos/img1.jpg"]'));
    assert.deepEqual(fake.calls.at(-1), { command: 'pauseTransfer', args: { id: transfer(1).id } });
    assert.ok(c.querySelector('button[aria-label="Resume photos/img3.jpg"]'));
    // progress arrives as events, applied per frame
    fake.emit({
      type: 'transfers-progressed',
      progress: [{ id: transfer(1).id, bytesDone: 750_000, rate: 50_000, etaSeconds: 5 }],
      at: 2,
    });
    await flushFrames();
    assert.ok(c.querySelector('progress[aria-label="photos/img1.jpg: 75%"]'));
  });

  it('renders only the visible rows of 10,000 transfers', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => transfer(i));
    const c = await render(new FakeApi(snapshot({ transfers: many })));
    await click(c.querySelector('#tab-transfers'));
    const rows = c.querySelectorAll('[role="listitem"]');
    assert.ok(rows.length > 5 && rows.length < 40, `${rows.length} rows in the DOM`);
    const row = c.querySelector('[role="list"] [role="listitem"]');
    assert.equal(row?.getAttribute('aria-setsize'), '10001');
    assert.equal(row?.getAttribute('aria-posinset'), '1');
    assert.match(c.querySelector('.summary')?.textContent ?? '', /10000 queued/);
  });

  it('lists what finished newest first, so a transfer that just ended is in view', async () => {
    const done = Array.from({ length: 40 }, (_, i) =>
      transfer(i, { state: 'done', bytesDone: 1_000_000, finishedAt: 1000 + i }),
    );
    const c = await render(new FakeApi(snapshot({ transfers: done })));
    await click(c.querySelector('#tab-transfers'));
    assert.equal(c.querySelectorAll('.transfer').length, 0, 'what finished is folded');
    await click(byText(c, '.group button', 'Show'));
    const files = [...c.querySelectorAll('.transfer')].map(
      (r) => /img\d+/.exec(r.textContent ?? '')?.[0],
    );
    assert.deepEqual(files.slice(0, 3), ['img39', 'img38', 'img37']);
    assert.ok(!files.includes('img0'), 'the oldest is out of view');
  });

  it('draws the network map with the least-cost routes highlighted', async () => {
    const edge = (from: string, to: string, cost: number, isUp = true) => ({
      from,
      to,
      cost,
      remote: to,
      isUp,
      path: `/r/${to}`,
    });
    const map = {
      root: 'u-laptop',
      nodes: [
        { uuid: 'u-laptop', description: 'laptop', path: '/a', isHere: true, isReachable: true },
        { uuid: 'u-usb', description: 'usb', path: '/b', isHere: false, isReachable: true },
        { uuid: 'u-nas', description: 'nas', path: '/c', isHere: false, isReachable: true },
        { uuid: 'u-old', description: 'old phone', path: null, isHere: false, isReachable: false },
      ],
      edges: [
        edge('u-laptop', 'u-usb', 100),
        edge('u-laptop', 'u-nas', 1000),
        edge('u-usb', 'u-nas', 100, false),
      ],
      arborescence: [edge('u-laptop', 'u-usb', 100), edge('u-laptop', 'u-nas', 1000)],
    };
    const c = await render(new FakeApi(snapshot({ maps: { 'u-laptop': map } })));
    await click(c.querySelector('#tab-network'));
    const svg = c.querySelector('svg[role="img"]');
    assert.match(
      svg?.getAttribute('aria-label') ?? '',
      /4 repositories, 3 links, 2 on least-cost routes/,
    );
    assert.equal(c.querySelectorAll('g.node').length, 4);
    assert.equal(c.querySelectorAll('g.edge.tree').length, 2);
    assert.equal(c.querySelectorAll('g.edge.down').length, 1);
    assert.ok(c.querySelector('g.node.unreachable[data-name="old phone"]'));
  });
});
