/**
 * A folder card's parts in jsdom against an in-memory API: adding a cloud remote, copying a clone
 * address, a remote's pause and limit, "why isn't it synced?", renaming, and the footer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { act } from 'react';
import { FakeApi, repoView, snapshot } from './fake-api';
import { byText, click, flushFrames, render } from './render';
import { remoteStateText } from '../../src/renderer/views/remotes';

describe('a folder card and the footer', () => {
  it('adds an encrypted S3 bucket with a login that is not kept in the window', async () => {
    const fake = new FakeApi(snapshot({ repositories: [repoView({})] }));
    const c = await render(fake);
    const form = c.querySelector('.add-cloud form');
    assert.ok(form);
    const type = (label: string, value: string): void => {
      const input = [...form.querySelectorAll('label')]
        .find((l) => (l.textContent ?? '').startsWith(label))
        ?.querySelector('input');
      assert.ok(input, label);
      act(() => {
        Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(
          input,
          value,
        );
        input.dispatchEvent(new window.Event('input', { bubbles: true }));
      });
    };
    type('Bucket', 'family-photos');
    type('Access key ID', 'AKIAEXAMPLE');
    type('Secret access key', 'secret-key-123');
    await click(byText(c, '.add-cloud button', 'Add'));
    const call = fake.calls.at(-1) as {
      command: string;
      args: { type: string; name: string; params: string; user: string; password: string };
    };
    assert.equal(call.command, 'addSpecialRemote');
    assert.equal(call.args.type, 'S3');
    assert.equal(call.args.name, 'cloud');
    assert.deepEqual(call.args.params.split('\n'), [
      'encryption=shared',
      'chunk=8MiB',
      'bucket=family-photos',
    ]);
    assert.equal(call.args.password, 'secret-key-123');
    const secret = [...form.querySelectorAll('input')].find((i) => i.type === 'password');
    assert.equal(secret?.value, '', 'the secret is cleared once sent');
    assert.equal(
      c.querySelector('.add-cloud [role="status"]')?.textContent,
      'Now syncing with cloud',
    );
    assert.ok(!(c.textContent ?? '').includes('secret-key-123'));
  });

  it("copies a bucket's clone address on request without showing it", async () => {
    const fake = new FakeApi(
      snapshot({
        repositories: [
          repoView({
            remotes: [
              {
                name: 'cloud',
                url: 'annex::00000000-0000-4000-8000-000000000001',
                uuid: '00000000-0000-4000-8000-000000000001',
                description: 'cloud',
                cost: 200,
                isAvailable: true,
                kind: 'S3',
                note: null,
                state: 'connected',
                downSince: null,
                lastSeen: null,
                lacks: { files: 2, bytes: 5004 },
              },
            ],
          }),
        ],
      }),
    );
    const c = await render(fake);
    assert.match(
      c.querySelector('ul[aria-label^="Remotes of"]')?.textContent ?? '',
      /S3 bucket, connected, lacks 2 files \(5\.0 KB\), cost 200/,
    );
    await click(byText(c, 'button', 'Copy clone address of cloud'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'cloneUrl',
      args: { repository: 'u-laptop', remote: 'cloud' },
    });
    assert.ok(!(c.textContent ?? '').includes('?type=S3'), 'the address itself is never shown');
    assert.match(
      c.querySelector('.copy-url [role="status"]')?.textContent ?? '',
      /clipboard|Copied/,
    );
  });

  it('shows who this Ferry is and its recent log when asked', async () => {
    const fake = new FakeApi(snapshot({ repositories: [repoView({})] }));
    const c = await render(fake);
    const open = async (summary: string): Promise<void> => {
      const details = [...c.querySelectorAll('footer details')].find(
        (d) => d.querySelector('summary')?.textContent === summary,
      );
      assert.ok(details, summary);
      await act(async () => {
        (details as HTMLDetailsElement).open = true;
        details.dispatchEvent(new window.Event('toggle'));
        await Promise.resolve();
      });
      await flushFrames();
    };
    await open('About Ferry');
    assert.match(
      c.querySelector('footer .about')?.textContent ?? '',
      /Ferry 0\.1\.0.*Node v20\.20\.2/,
    );
    await open('Log');
    const lines = [...c.querySelectorAll('ol[aria-label="Log"] li')].map(
      (li) => li.textContent ?? '',
    );
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /cabin cannot be reached: Connection timed out/);
    assert.deepEqual(fake.calls.at(-1), { command: 'recentLog', args: { limit: 500 } });
  });

  it("says why files are not in sync when asked, from the folder's card", async () => {
    const fake = new FakeApi(snapshot({ repositories: [repoView({})] }));
    const c = await render(fake);
    const details = c.querySelector('details.why');
    assert.ok(details);
    await act(async () => {
      (details as HTMLDetailsElement).open = true;
      details.dispatchEvent(new window.Event('toggle'));
      await Promise.resolve();
    });
    await flushFrames();
    assert.deepEqual(fake.calls.at(-1), {
      command: 'whyNotSynced',
      args: { repository: 'u-laptop', limit: 200 },
    });
    assert.match(
      c.querySelector('ul[aria-label^="Not in sync in"]')?.textContent ?? '',
      /photos\/a\.jpg → nas: nas is offline: Connection timed out/,
    );
  });

  it("shows a remote's paused transfers and its rate limit", async () => {
    const remote = {
      name: 'nas',
      url: 'me@nas:/srv/photos',
      uuid: 'u-nas',
      description: null,
      cost: 200,
      isAvailable: true,
      kind: 'ssh',
      note: null,
      state: 'connected' as const,
      downSince: null,
      lastSeen: null,
    };
    const fake = new FakeApi(
      snapshot({
        repositories: [repoView({ remotes: [remote, { ...remote, name: 'usb', uuid: 'u-usb' }] })],
        control: {
          isPaused: false,
          pausedRemotes: ['nas'],
          rateLimit: 0,
          remoteRateLimits: { usb: 5_000_000 },
        },
      }),
    );
    const c = await render(fake);
    const text = c.querySelector('ul[aria-label^="Remotes of"]')?.textContent ?? '';
    assert.match(text, /nas \(connected, transfers paused, cost 200\)/);
    assert.match(text, /usb \(connected, limited to 5\.0 MB\/s, cost 200\)/);
  });

  it('renames a folder from its card', async () => {
    const fake = new FakeApi(snapshot({ repositories: [repoView({})] }));
    const c = await render(fake);
    await click(byText(c, 'button', 'Rename'));
    const input = c.querySelector<HTMLInputElement>('input[id^="rename-"]');
    assert.ok(input);
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(
        input,
        'Photos',
      );
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    });
    await click(byText(c, 'button', 'Save'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'renameFolder',
      args: { repository: 'u-laptop', name: 'Photos' },
    });
  });

  it('says an unplugged drive waits, and when it was last synced', () => {
    const at = new Date(2026, 11, 4, 18, 39).getTime();
    const usb = {
      name: 'usb',
      url: '/media/usb',
      uuid: 'u-usb',
      description: 'USB stick',
      cost: 100,
      isAvailable: false,
      kind: 'local-repo',
      note: null,
      state: 'unplugged' as const,
      downSince: null,
      lastSeen: at,
    };
    assert.match(
      remoteStateText(usb),
      /^waiting for it to be plugged in, last synced 18:39$|^waiting for it to be plugged in, last synced 06:39 PM$/,
    );
    assert.equal(remoteStateText({ ...usb, lastSeen: null }), 'waiting for it to be plugged in');
  });
});
