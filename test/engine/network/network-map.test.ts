/** The map of repositories and `ferry map` in its three forms, on real clones. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRepository } from '../../../src/engine/annex/repository';
import type { NetworkMap } from '../../../src/engine/network/network-map';
import { ferryOk, git, tempDir } from '../../helpers/repos';
import { routeSentences } from '../../../src/shared/route-text';

describe('the network map', () => {
  const tmp = tempDir();
  const [a, b, c] = ['A', 'B', 'C'].map((n) => join(tmp.path, n)) as [string, string, string];
  after(() => tmp.cleanup());
  before(async () => {
    mkdirSync(a);
    writeFileSync(join(a, 'f.txt'), 'f\n');
    await ferryOk(a, 'init', 'laptop');
    await ferryOk(a, 'add', '.');
    git(tmp.path, 'clone', '-q', a, b);
    git(tmp.path, 'clone', '-q', b, c);
    await ferryOk(b, 'init', 'usb drive');
    await ferryOk(c, 'init', 'backup');
    git(a, 'remote', 'add', 'B', b);
    git(a, 'remote', 'add', 'C', c);
    git(a, 'config', 'remote.C.annex-cost', '1000');
    git(b, 'remote', 'add', 'C', c);
    await ferryOk(c, 'sync');
    await ferryOk(b, 'sync');
    await ferryOk(a, 'sync');
  });

  it('follows remotes of remotes and routes through the cheap link', async () => {
    const map = JSON.parse((await ferryOk(a, 'map', '--json')).out) as NetworkMap;
    const [ra, rb, rc] = await Promise.all([a, b, c].map((p) => openRepository(p)));
    assert.deepEqual(map.nodes.map((n) => n.description).sort(), ['backup', 'laptop', 'usb drive']);
    assert.ok(map.edges.some((e) => e.from === rb?.uuid && e.to === rc?.uuid && e.cost === 100));
    assert.deepEqual(
      map.arborescence.map((e) => [e.from, e.to]),
      [
        [ra?.uuid, rb?.uuid],
        [rb?.uuid, rc?.uuid],
      ],
      'the backup is reached through the drive (100 + 100), not the direct 1000 link',
    );
    const text = (await ferryOk(a, 'map')).out;
    assert.match(text, /laptop -> backup via "C", cost 1000, up/);
    assert.match(
      text,
      /least-cost routes from here:\n {4}laptop -> usb drive \(100\)\n {4}usb drive -> backup \(100\)/,
    );
  });

  it('ferry route shows the path a file takes, against what flooding would cost', async () => {
    const text = (await ferryOk(a, 'route', 'f.txt')).out;
    assert.match(text, /has it: laptop\n/);
    assert.match(
      text,
      /route: 2 transfers, .*link cost 200 \(flooding: 2 transfers, .*link cost 1100\)/,
    );
    assert.match(text, / {4}laptop -> usb drive -> backup {2}\(via "C", cost 100\)/);
    const plan = JSON.parse((await ferryOk(a, 'route', '--json', 'f.txt')).out) as {
      cost: number;
      flooding: { cost: number };
      hops: unknown[];
    };
    assert.equal(plan.cost, 200);
    assert.equal(plan.flooding.cost, 1100);
    assert.equal(plan.hops.length, 2);
  });

  it('writes Graphviz that dot accepts', async () => {
    const dot = (await ferryOk(a, 'map', '--dot')).out;
    assert.match(dot, /^digraph map \{\n\tsubgraph "cluster_localhost" \{/);
    const r = spawnSync('dot', ['-Tsvg'], { input: dot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /<svg/);
  });

  it('re-routes when the cheap link goes away, and marks links down', async () => {
    renameSync(b, `${b}.away`);
    try {
      const map = JSON.parse((await ferryOk(a, 'map', '--json')).out) as NetworkMap;
      const rc = await openRepository(c);
      assert.deepEqual(
        map.arborescence.map((e) => e.to),
        [rc.uuid],
        'straight to the backup',
      );
      assert.ok(map.edges.some((e) => e.remote === 'B' && !e.isUp));
    } finally {
      renameSync(`${b}.away`, b);
    }
  });

  it('shows repositories known only from the log as unreachable, and leaves out dead ones', async () => {
    const lost = join(tmp.path, 'lost');
    git(tmp.path, 'clone', '-q', a, lost);
    await ferryOk(lost, 'init', 'old phone');
    await ferryOk(lost, 'sync');
    const gone = join(tmp.path, 'gone');
    git(tmp.path, 'clone', '-q', a, gone);
    await ferryOk(gone, 'init', 'broken disk');
    await ferryOk(gone, 'sync');
    await ferryOk(a, 'sync');
    const goneUuid = (await openRepository(gone)).uuid;
    await ferryOk(a, 'dead', goneUuid);
    const map = JSON.parse((await ferryOk(a, 'map', '--json')).out) as NetworkMap;
    const phone = map.nodes.find((n) => n.description === 'old phone');
    assert.equal(phone?.isReachable, false);
    assert.equal(
      map.nodes.some((n) => n.description === 'broken disk'),
      false,
    );
  });

  it('shows a remote never reached (a drive never plugged in), and says in words how content travels', async () => {
    git(a, 'remote', 'add', 'stick', join(tmp.path, 'media', 'stick', 'annex'));
    try {
      const map = JSON.parse((await ferryOk(a, 'map', '--json')).out) as NetworkMap;
      const stick = map.nodes.find((n) => n.description === 'stick');
      assert.ok(stick?.neverReached, 'shown, as never reached');
      assert.equal(stick.isReachable, false);
      assert.ok(map.edges.some((e) => e.to === stick.uuid && !e.isUp));
      assert.ok(!map.arborescence.some((e) => e.to === stick.uuid), 'never on a route');
      const words = routeSentences(map).map((x) => x.text);
      assert.ok(
        words.includes(
          'content for backup goes laptop → usb drive → backup, cost 200, instead of laptop → backup, 1000',
        ),
        words.join('\n'),
      );
      assert.ok(words.includes('content for usb drive goes laptop → usb drive, cost 100'));
      assert.ok(
        words.some((w) => w.startsWith('stick was never reached: plug it in')),
        words.join('\n'),
      );
    } finally {
      git(a, 'remote', 'remove', 'stick');
    }
  });
});
