/** The Devices view in jsdom: share with a code and a QR code, join, accept a waiting device, state per device. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { act } from 'react';
import { FakeApi, repoView } from './fake-api';
import { byText, click, flushFrames, render } from './render';

const ID = 'AAAAAAA-BBBBBBB-CCCCCCC-DDDDDDD-EEEEEEE-FFFFFFF-GGGGGGG-HHHHHHH';

function type(input: HTMLInputElement | null | undefined, value: string): void {
  assert.ok(input, 'the field is there');
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(input, value);
    input.dispatchEvent(new window.Event('input', { bubbles: true }));
  });
}

async function openDevices(fake: FakeApi): Promise<HTMLElement> {
  const c = await render(fake);
  await click(byText(c, '[role="tab"]', 'Devices'));
  await flushFrames();
  return c;
}

describe('the Devices view', () => {
  it('shares a folder: the code, the command and a QR code of it', async () => {
    const fake = new FakeApi();
    fake.devices = { me: { id: ID, name: 'laptop', port: 22151 }, paired: [], pending: [] };
    const c = await openDevices(fake);
    assert.match(
      c.textContent ?? '',
      new RegExp(`laptop, device ID ${ID}, reachable on port 22151`),
    );
    await click(byText(c, 'button', 'Share this folder'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'shareFolder',
      args: { repository: repoView().uuid },
    });
    assert.equal(c.querySelector('output.code')?.textContent, 'abcd-efgh-ijkl-mnop-qrst-uvwx');
    assert.match(c.querySelector('pre.command')?.textContent ?? '', /ferry join abcd-efgh/);
    const qr = c.querySelector('svg.qr');
    assert.ok(qr, 'a QR code is drawn');
    assert.match(qr.getAttribute('aria-label') ?? '', /QR code of the code for laptop/);
    assert.ok((qr.querySelector('path')?.getAttribute('d') ?? '').length > 100);
  });

  it('joins with a code and a folder, and shows why it failed', async () => {
    const fake = new FakeApi();
    fake.devices = { me: { id: ID, name: 'desktop', port: 22151 }, paired: [], pending: [] };
    const c = await openDevices(fake);
    const form = c.querySelector('form[aria-label="Join a shared folder"]');
    const inputs = form?.querySelectorAll<HTMLInputElement>('input');
    type(inputs?.[0], ' abcd-efgh-ijkl-mnop-qrst-uvwx ');
    type(inputs?.[1], '~/Photos');
    fake.joinResult = {
      ok: false,
      error: { code: 'auth-failed', message: 'this code was used already: ask for a new one' },
    };
    await click(byText(form ?? c, 'button', 'Join'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'joinShared',
      args: { code: 'abcd-efgh-ijkl-mnop-qrst-uvwx', path: '~/Photos' },
    });
    assert.match(form?.querySelector('[role="status"]')?.textContent ?? '', /used already/);
  });

  it('lists a waiting device to accept, and each paired device with its state', async () => {
    const fake = new FakeApi();
    fake.devices = {
      me: { id: ID, name: 'laptop', port: 22151 },
      paired: [
        {
          deviceId: ID,
          remote: 'desktop',
          repository: repoView().uuid,
          state: 'offline',
          address: '10.0.0.7:22151',
          since: Date.UTC(2026, 11, 2, 18, 39),
          message: 'did not answer',
        },
      ],
      pending: [
        {
          deviceId: 'ZZZZZZZ-YYYYYYY',
          name: 'tablet',
          address: '10.0.0.9:40000',
          repository: repoView().uuid,
          at: Date.UTC(2026, 11, 2, 18, 40),
        },
      ],
    };
    const c = await openDevices(fake);
    assert.match(c.textContent ?? '', /tablet \(ZZZZZZZ, at 10\.0\.0\.9:40000\) asks for laptop/);
    const row = byText(c, 'tbody tr', 'desktop');
    assert.match(
      row?.textContent ?? '',
      /offline since .*\(did not answer\); last at 10\.0\.0\.7:22151/,
    );
    await click(byText(c, 'button', 'Accept tablet'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'acceptDevice',
      args: { deviceId: 'ZZZZZZZ-YYYYYYY' },
    });
    // the engine says devices changed: the view asks again
    const asked = fake.calls.filter((x) => x.command === 'devices').length;
    act(() => fake.emit({ type: 'devices-changed', at: Date.now() }));
    await flushFrames();
    assert.equal(fake.calls.filter((x) => x.command === 'devices').length, asked + 1);
  });
});
