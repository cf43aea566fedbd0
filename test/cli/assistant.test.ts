/**
 * `ferry assistant` as a real process: it syncs the folder, answers `ferry transfers`, `pause`,
 * `ratelimit` and `resume` from another terminal, refuses to run twice on one folder, and
 * stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { controlSocketPath } from '../../src/engine/control/control-server';
import { starClones, lsTree } from '../helpers/clones';
import { bytes } from '../helpers/data';
import { annexWhereisUuids, ferry, ferryOk, git, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

interface Running {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function startAssistant(cwd: string): Running {
  const child = spawn(process.execPath, [resolve('bin/ferry.mjs'), 'assistant', '--no-drives'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, lines, exited };
}

interface TransfersAnswer {
  transfers: { file: string; state: string; remote: string }[];
  control: { isPaused: boolean; rateLimit: number } | null;
}

async function transfers(cwd: string): Promise<TransfersAnswer> {
  return JSON.parse((await ferryOk(cwd, 'transfers', '--json')).out) as TransfersAnswer;
}

describe('ferry assistant', () => {
  const tmp = tempDir();
  const started: Running[] = [];
  after(async () => {
    for (const r of started) if (r.child.exitCode === null) r.child.kill('SIGKILL');
    await Promise.all(started.map((r) => r.exited));
    tmp.cleanup();
  });

  it('syncs, is controlled from another terminal, runs once per folder and stops on SIGTERM', async () => {
    const c = await starClones(tmp.path, ['A', 'B']);
    const [a, b] = [c.A ?? '', c.B ?? ''];
    const bUuid = git(b, 'config', 'annex.uuid').trim();
    const first = startAssistant(a);
    started.push(first);
    await waitFor('the assistant watching', () => first.lines.some((l) => /watching /.test(l)));

    // another terminal: the running assistant answers, nothing is paused
    const idle = await transfers(a);
    assert.ok(idle.control, 'the running assistant answered');
    assert.equal(idle.control.isPaused, false);

    // a second assistant on the same folder is refused, and the first goes on
    const second = startAssistant(a);
    started.push(second);
    assert.notEqual(await second.exited, 0);
    assert.match(second.lines.join('\n'), /another Ferry process is already syncing this folder/);
    assert.ok(existsSync(controlSocketPath(join(a, '.git', 'annex'))));

    // paused: a new file's tree travels, its content waits
    await ferryOk(a, 'pause');
    assert.equal((await transfers(a)).control?.isPaused, true);
    writeFileSync(join(a, 'video.bin'), bytes(2_000_000, 7));
    await waitFor('video.bin committed and pushed to B', () =>
      git(b, 'ls-tree', '-r', '--name-only', 'refs/heads/synced/master').includes('video.bin'),
    );
    await waitFor('the upload queued and held', async () =>
      (await transfers(a)).transfers.some((t) => t.file === 'video.bin' && t.remote === 'B'),
    );
    const held = (await transfers(a)).transfers.filter((t) => t.file === 'video.bin');
    assert.ok(
      held.every((t) => t.state !== 'done' && t.state !== 'running'),
      JSON.stringify(held),
    );
    assert.ok(!annexWhereisUuids(a, 'video.bin').includes(bUuid), 'nothing sent while paused');

    // a rate limit from the terminal is what the assistant applies
    await ferryOk(a, 'ratelimit', '50MB');
    assert.equal((await transfers(a)).control?.rateLimit, 50_000_000);

    // resumed: the content reaches B, and the location logs say so
    await ferryOk(a, 'resume');
    await waitFor(
      'video.bin in B',
      async () =>
        (await transfers(a)).transfers.some(
          (t) => t.file === 'video.bin' && t.remote === 'B' && t.state === 'done',
        ),
      60_000,
    );
    await waitFor('the location log pushed', () =>
      annexWhereisUuids(a, 'video.bin').includes(bUuid),
    );
    assert.ok(lsTree(a).includes('video.bin'));

    // SIGTERM: a clean stop, and the control socket is gone with it
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.ok(first.lines.some((l) => /stopped$/.test(l)));
    assert.ok(!existsSync(controlSocketPath(join(a, '.git', 'annex'))));
    const after = await ferry(a, 'transfers');
    assert.match(after.out, /no assistant is running here/);
  });
});
