/**
 * What needs the user, in jsdom against an in-memory API: a held mass deletion on its card with
 * both answers, the conflict inbox with its versions, the tab title and count, and Undo in the
 * history (asked twice).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { act } from 'react';
import { FakeApi, repoView, snapshot } from './fake-api';
import { byText, click, render } from './render';

const held = {
  id: '0123456789abcdef0123456789abcdef01234567',
  ref: 'refs/remotes/laptop/master',
  from: 'laptop',
  deleted: 1200,
  total: 5000,
  sample: ['photos/a.jpg', 'photos/b.jpg'],
  at: 1,
};

describe('what needs the user, in the window', () => {
  it('shows a held deletion with its files and sends the answer the user picks', async () => {
    const fake = new FakeApi(
      snapshot({ repositories: [repoView({ held: [held], state: 'error' })] }),
    );
    const c = await render(fake);
    const box = c.querySelector('.held');
    assert.ok(box);
    assert.match(box.textContent ?? '', /laptop deleted 1,200 of 5,000 files\./);
    assert.match(box.textContent ?? '', /photos\/a\.jpg/);
    await click(byText(box, 'button', 'Keep my files'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'decideDeletion',
      args: { repository: repoView().uuid, id: held.id, action: 'keep' },
    });
    await click(byText(box, 'button', 'Delete them here too'));
    assert.equal((fake.calls.at(-1)?.args as { action: string }).action, 'apply');
    assert.equal(document.title, '(1) Ferry: needs you');
  });

  it('lists each conflict with its versions, keeps one, or names one', async () => {
    const conflicts = [
      {
        path: 'notes.txt',
        variants: [
          { path: 'notes.variant-1a2b.txt', size: 2048, modifiedAt: 1 },
          { path: 'notes.variant-3c4d.txt', size: null, modifiedAt: null },
        ],
      },
    ];
    const fake = new FakeApi(
      snapshot({ repositories: [repoView({ conflicts })], isHeadless: false }),
    );
    const c = await render(fake);
    assert.equal(c.querySelector('.badge.conflicts')?.textContent, '1 conflict');
    assert.equal(c.querySelector('[role="tab"] .count')?.textContent, '1');
    const inbox = c.querySelector('details.conflicts');
    assert.ok(inbox);
    assert.match(inbox.textContent ?? '', /notes\.variant-1a2b\.txt/);
    await click(inbox.querySelector('button[aria-label^="Keep notes.variant-3c4d.txt"]'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'keepConflictVersion',
      args: { repository: repoView().uuid, path: 'notes.txt', variant: 'notes.variant-3c4d.txt' },
    });
    assert.match(inbox.textContent ?? '', /2\.0 KB|2 KB|2\.0 KiB/);
    assert.match(inbox.textContent ?? '', /content not here/);
    // the desktop app opens a version with its program
    await click(inbox.querySelector('button[aria-label="Open notes.variant-1a2b.txt"]'));
    assert.deepEqual(fake.calls.at(-1)?.command, 'openConflictVersion');
    await click(
      inbox.querySelector(
        'button[aria-label="Keep notes.variant-1a2b.txt under a name of its own"]',
      ),
    );
    const input = inbox.querySelector('input');
    assert.ok(input);
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set?.call(
        input,
        'notes from the laptop.txt',
      );
      input.dispatchEvent(new window.Event('input', { bubbles: true }));
    });
    await click(byText(inbox, 'button', 'Save'));
    assert.deepEqual(fake.calls.at(-1)?.args, {
      repository: repoView().uuid,
      path: 'notes.txt',
      variant: 'notes.variant-1a2b.txt',
      name: 'notes from the laptop.txt',
    });
  });

  it('undoes a sync batch from the history only after asking', async () => {
    const fake = new FakeApi(
      snapshot({
        activity: [
          {
            id: 7,
            at: 1,
            repository: repoView().uuid,
            kind: 'sync',
            text: 'merged changes from laptop/master',
            undo: { before: 'a'.repeat(40), after: 'b'.repeat(40) },
          },
          { id: 8, at: 2, repository: repoView().uuid, kind: 'sync', text: 'committed 1 change' },
        ],
      }),
    );
    const c = await render(fake);
    await click(byText(c, '[role="tab"]', 'Activity'));
    const entries = [...c.querySelectorAll('.activity li')];
    assert.equal(entries.filter((e) => byText(e, 'button', 'Undo')).length, 1);
    await click(byText(c, '.activity button', 'Undo'));
    assert.ok(!fake.calls.some((x) => x.command === 'undoSync'), 'not before the second click');
    await click(byText(c, '.activity button', 'Undo this sync'));
    assert.deepEqual(fake.calls.at(-1), {
      command: 'undoSync',
      args: { repository: repoView().uuid, entry: 7 },
    });
    assert.match(c.querySelector('.activity')?.textContent ?? '', /undone/);
  });
});
