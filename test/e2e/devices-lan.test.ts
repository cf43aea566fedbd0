/**
 * Ferry devices on a LAN: three "machines" (network namespaces on one bridge, each with its own
 * HOME, identity and `ferry assistant`). The laptop shares a folder; the desktop finds it by
 * LAN discovery and joins with the code; files with their content travel both ways; a used or
 * wrong code is refused; a device announcing the laptop's ID with another key is refused and
 * reported while sync goes on; an edit on both sides while unplugged ends as both variants on
 * both; a third device joins and gets what the others made; a transfer cut by an unplugged
 * link finishes after it comes back; a device that moves to another address is found again.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { bytes } from '../helpers/data';
import {
  makeLan,
  netnsUnavailable,
  type Assistant,
  type Lan,
  type Machine,
} from '../helpers/netns';
import { git, gitStatus, tempDir } from '../helpers/repos';
import { waitFor } from '../helpers/wait';

const WAIT = 60_000;

function holds(path: string, expected: Buffer | string): boolean {
  try {
    return readFileSync(path).equals(Buffer.from(expected));
  } catch {
    return false;
  }
}

function variants(dir: string, stem: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(stem) && f !== stem)
    .sort();
}

async function started(a: Assistant, list?: Assistant[]): Promise<void> {
  list?.push(a);
  await waitFor('the assistant to start', () => /watching /.test(a.output()), WAIT);
  assert.match(a.output(), /listening on port 22151/);
}

async function shareCode(m: Machine, folder: string): Promise<string> {
  const { out } = await m.ferry(folder, 'share', '--json');
  return (JSON.parse(out) as { code: string }).code;
}

describe(
  'Ferry devices on a LAN of three machines',
  { skip: netnsUnavailable() ?? false, timeout: 600_000 },
  () => {
    const tmp = tempDir();
    let lan: Lan;
    let laptop: Machine;
    let desktop: Machine;
    let tablet: Machine;
    let onLaptop: string;
    let onDesktop: string;
    let desktopAssistant: Assistant;
    let code: string;
    const first = bytes(300_000, 7);

    const assistants: Assistant[] = [];
    /** waitFor, with what each assistant printed lately when it gives up */
    const until = async (what: string, check: () => boolean, ms = WAIT): Promise<void> => {
      try {
        await waitFor(what, check, ms);
      } catch (e) {
        const tails = assistants.map((a) => a.output().split('\n').slice(-25).join('\n'));
        const sockets = lan.machines.map(
          (m) => spawnSync('ip', ['netns', 'exec', m.ns, 'ss', '-tn'], { encoding: 'utf8' }).stdout,
        );
        throw new Error(
          `${(e as Error).message}\n${tails.join('\n---\n')}\n${sockets.join('\n---\n')}`,
          { cause: e },
        );
      }
    };

    before(async () => {
      lan = makeLan(tmp.path, ['laptop', 'desktop', 'tablet']);
      [laptop, desktop, tablet] = lan.machines as [Machine, Machine, Machine];
      onLaptop = join(laptop.home, 'Photos');
      onDesktop = join(desktop.home, 'Photos');
      git(laptop.home, 'init', '-q', '-b', 'main', onLaptop);
      writeFileSync(join(onLaptop, 'first.jpg'), first);
      await laptop.ferry(onLaptop, 'init', 'laptop');
      await laptop.ferry(onLaptop, 'add', 'first.jpg');
      await started(laptop.assistant(onLaptop), assistants);
    });
    after(async () => {
      await lan?.cleanup();
      tmp.cleanup();
    });

    it('joins by code, finding the laptop on the LAN, and syncs content both ways', async () => {
      code = await shareCode(laptop, onLaptop);
      const joined = await desktop.ferry(desktop.home, 'join', code, 'Photos');
      assert.match(joined.err, /looking for the device on this network/);
      assert.match(joined.out, /joined: .*Photos syncs with laptop/);
      assert.equal(
        git(onDesktop, 'config', 'remote.laptop.ferry-lastaddress').trim(),
        `${laptop.address}:22151`,
      );
      desktopAssistant = desktop.assistant(onDesktop);
      await started(desktopAssistant, assistants);
      await until(
        'first.jpg with content on the desktop',
        () => holds(join(onDesktop, 'first.jpg'), first),
        WAIT,
      );
      writeFileSync(join(onDesktop, 'from-desktop.txt'), 'written on the desktop\n');
      await until(
        'from-desktop.txt on the laptop',
        () => holds(join(onLaptop, 'from-desktop.txt'), 'written on the desktop\n'),
        WAIT,
      );
      writeFileSync(join(onLaptop, 'from-laptop.bin'), bytes(120_000, 9));
      await until(
        'from-laptop.bin on the desktop',
        () => holds(join(onDesktop, 'from-laptop.bin'), bytes(120_000, 9)),
        WAIT,
      );
    });

    it('refuses a used code and a wrong one, and makes no folder', async () => {
      await assert.rejects(desktop.ferry(desktop.home, 'join', code, 'Again'), /used already/);
      const fresh = await shareCode(laptop, onLaptop);
      const wrong = `${fresh.slice(0, -1)}${fresh.endsWith('a') ? 'b' : 'a'}`;
      await assert.rejects(
        desktop.ferry(desktop.home, 'join', wrong, 'Wrong'),
        /not one this device made|does not match/,
      );
      assert.equal(existsSync(join(desktop.home, 'Again')), false);
      assert.equal(existsSync(join(desktop.home, 'Wrong')), false);
    });

    it('refuses a device that announces the laptop with another key, and goes on syncing', async () => {
      // the tablet runs Ferry with its own key and claims, on the LAN, to be the laptop
      const decoy = join(tablet.home, 'decoy');
      git(tablet.home, 'init', '-q', '-b', 'main', decoy);
      await tablet.ferry(decoy, 'init', 'decoy');
      const impostor = tablet.assistant(decoy);
      await started(impostor);
      const laptopId = (
        JSON.parse((await laptop.ferry(onLaptop, 'share', '--json')).out) as {
          device: string;
        }
      ).device;
      const spoof = spawn(
        'ip',
        [
          'netns',
          'exec',
          tablet.ns,
          process.execPath,
          '-e',
          `const s=require('dgram').createSocket('udp4');s.bind(()=>{s.setBroadcast(true);` +
            `const m=Buffer.from('FERRY-ANNOUNCE 1 ${laptopId} 22151 0badc0de\\n');` +
            `const t=setInterval(()=>s.send(m,21127,'${tablet.address.replace(/\d+$/, '255')}'),300);` +
            `setTimeout(()=>{clearInterval(t);s.close()},60000)})`,
        ],
        { stdio: 'ignore' },
      );
      try {
        await sleep(1500); // the desktop now sees "the laptop" at the tablet's address
        writeFileSync(join(onDesktop, 'during-spoof.txt'), 'still synced\n');
        await until(
          'during-spoof.txt on the laptop',
          () => holds(join(onLaptop, 'during-spoof.txt'), 'still synced\n'),
          WAIT,
        );
        await until(
          'the desktop to report the other key',
          () =>
            new RegExp(`${tablet.address}:22151 is .*not the paired`).test(
              desktopAssistant.output(),
            ),
          WAIT,
        );
      } finally {
        spoof.kill();
        await impostor.stop();
      }
      // the tablet's key was never recorded for the laptop
      assert.match(git(onDesktop, 'config', 'remote.laptop.url'), new RegExp(laptopId));
    });

    it('keeps both edits made while unplugged, on both sides', async () => {
      desktop.setLink(false);
      try {
        writeFileSync(join(onLaptop, 'plan.txt'), 'the laptop plan\n');
        writeFileSync(join(onDesktop, 'plan.txt'), 'the desktop plan\n');
        for (const dir of [onLaptop, onDesktop])
          await until(
            `plan.txt committed in ${dir}`,
            () => git(dir, 'log', '--oneline', '-1', '--', 'plan.txt').trim() !== '',
            WAIT,
          );
      } finally {
        desktop.setLink(true);
      }
      for (const dir of [onLaptop, onDesktop])
        await until(
          `both variants with content in ${dir}`,
          () => {
            const v = variants(dir, 'plan');
            const texts = v.map((f) => readFileSync(join(dir, f), 'utf8')).sort();
            return (
              v.length === 2 &&
              texts[0] === 'the desktop plan\n' &&
              texts[1] === 'the laptop plan\n'
            );
          },
          WAIT,
        );
      assert.deepEqual(variants(onLaptop, 'plan'), variants(onDesktop, 'plan'));
    });

    it('lets a third device join and brings it what the others made', async () => {
      const onTablet = join(tablet.home, 'Photos');
      await tablet.ferry(tablet.home, 'join', await shareCode(laptop, onLaptop), 'Photos');
      await started(tablet.assistant(onTablet), assistants);
      await until(
        "the desktop's files on the tablet",
        () =>
          holds(join(onTablet, 'from-desktop.txt'), 'written on the desktop\n') &&
          holds(join(onTablet, 'first.jpg'), first),
        WAIT,
      );
      writeFileSync(join(onDesktop, 'for-everyone.txt'), 'from the desktop to all\n');
      await until(
        'for-everyone.txt on the tablet, through the laptop',
        () => holds(join(onTablet, 'for-everyone.txt'), 'from the desktop to all\n'),
        WAIT,
      );
    });

    it('finishes a transfer cut by an unplugged link once it is back', async () => {
      git(onDesktop, 'config', 'ferry.ratelimit', String(4 << 20));
      const big = bytes(24 << 20, 11);
      const want = createHash('sha256').update(big).digest('hex');
      writeFileSync(join(onLaptop, 'video.mp4'), big);
      const partial = join(
        onDesktop,
        '.git',
        'annex',
        'tmp',
        `SHA256E-s${big.length}--${want}.mp4`,
      );
      await until(
        'the download to be under way on the desktop',
        () => existsSync(partial) && statSync(partial).size > 0,
        WAIT,
      );
      desktop.setLink(false);
      await sleep(3000);
      assert.equal(holds(join(onDesktop, 'video.mp4'), big), false, 'arrived with the link down');
      desktop.setLink(true);
      await until(
        'video.mp4 whole on the desktop',
        () => holds(join(onDesktop, 'video.mp4'), big),
        WAIT * 2,
      );
      assert.equal(
        createHash('sha256')
          .update(readFileSync(join(onDesktop, 'video.mp4')))
          .digest('hex'),
        want,
      );
      git(onDesktop, 'config', '--unset', 'ferry.ratelimit');
      const key = git(onDesktop, 'annex', 'lookupkey', 'video.mp4').trim();
      const fsck = gitStatus(onDesktop, 'annex', 'fsck', '--key', key);
      assert.equal(fsck.status, 0, fsck.stdout + fsck.stderr);
    });

    it('finds the desktop again after it moves to another address', async () => {
      desktop.renumber(40);
      writeFileSync(join(onLaptop, 'after-move.txt'), 'found you\n');
      await until(
        'after-move.txt on the desktop at its new address',
        () => holds(join(onDesktop, 'after-move.txt'), 'found you\n'),
        WAIT,
      );
      writeFileSync(join(onDesktop, 'reply.txt'), 'moved, still here\n');
      await until(
        'reply.txt on the laptop',
        () => holds(join(onLaptop, 'reply.txt'), 'moved, still here\n'),
        WAIT,
      );
      await until(
        'the laptop to record the new address',
        () =>
          git(onLaptop, 'config', '--get-regexp', 'ferry-lastaddress').includes(
            `${desktop.address}:22151`,
          ),
        WAIT,
      );
      for (const dir of [onLaptop, onDesktop]) {
        const fsck = gitStatus(dir, 'annex', 'fsck', '--fast', '--quiet');
        assert.equal(fsck.status, 0, fsck.stdout + fsck.stderr);
      }
    });
  },
);
