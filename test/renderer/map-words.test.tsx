/**
 * The network map explains itself, in jsdom: a sentence per repository with its route, what it
 * holds, a forwarded transfer lit on the link it really uses (not the direct one beside it),
 * names kept inside the picture, and the links as a table.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeApi, repoView, snapshot, transfer } from './fake-api';
import { byText, click, render } from './render';

const edge = (from: string, to: string, cost: number, remote: string, isUp = true) => ({
  from,
  to,
  cost,
  remote,
  isUp,
  path: null,
});

describe('a map that explains itself', () => {
  it('says how content travels, marks the link used, and lists every link in a table', async () => {
    const map = {
      root: 'u-laptop',
      nodes: [
        { uuid: 'u-laptop', description: 'laptop', path: '/a', isHere: true, isReachable: true },
        { uuid: 'u-usb', description: 'usb', path: '/b', isHere: false, isReachable: true },
        {
          uuid: 'u-nas',
          description: 'a network attached storage box in the cellar',
          path: null,
          isHere: false,
          isReachable: true,
        },
        {
          uuid: 'never-reached:stick',
          description: 'stick',
          path: '/media/stick',
          isHere: false,
          isReachable: false,
          neverReached: true,
        },
      ],
      edges: [
        edge('u-laptop', 'u-usb', 100, 'usb'),
        edge('u-laptop', 'u-nas', 300, 'nas'),
        edge('u-usb', 'u-nas', 100, 'nas'),
        edge('u-laptop', 'never-reached:stick', 100, 'stick', false),
      ],
      arborescence: [edge('u-laptop', 'u-usb', 100, 'usb'), edge('u-usb', 'u-nas', 100, 'nas')],
    };
    const here = repoView({
      presentFiles: 3,
      annexedFiles: 5,
      remotes: [
        {
          name: 'usb',
          url: '/b',
          uuid: 'u-usb',
          description: 'usb',
          cost: 100,
          isAvailable: true,
          kind: 'local',
          note: null,
          state: 'connected',
          downSince: null,
          lastSeen: null,
          lacks: { files: 2, bytes: 2048 },
        },
      ],
    });
    // content for the nas, forwarded by the usb drive
    const forwarded = transfer(1, {
      state: 'running',
      remote: 'a network attached storage box in the cellar',
      remoteUuid: 'u-nas',
      via: 'usb',
      rate: 1000,
    });
    const c = await render(
      new FakeApi(
        snapshot({ repositories: [here], maps: { 'u-laptop': map }, transfers: [forwarded] }),
      ),
    );
    await click(c.querySelector('#tab-network'));
    const routes = [...c.querySelectorAll('.routes li')].map((l) => l.textContent);
    assert.deepEqual(routes, [
      'content for usb goes laptop → usb, cost 100 · lacks 2 files (2.0 KB)',
      'content for a network attached storage box in the cellar goes laptop → usb → a network attached storage box in the cellar, cost 200, instead of laptop → a network attached storage box in the cellar, 300',
      'stick was never reached: plug it in or check its address (remote "stick")',
    ]);
    // moving now on usb -> nas, the link the forwarded copy uses; not on laptop -> nas
    const active = [...c.querySelectorAll('g.edge.active')].map(
      (g) => `${g.getAttribute('data-from')} ${g.getAttribute('data-to')}`,
    );
    assert.deepEqual(active, ['usb a network attached storage box in the cellar']);
    assert.ok(c.querySelector('g.node.never[data-name="stick"]'));
    // every name inside the 720-wide picture
    for (const t of c.querySelectorAll('g.node text')) {
      const x = Number(t.getAttribute('x'));
      const width = (t.textContent ?? '').length * 8;
      const anchor = t.getAttribute('text-anchor');
      const left = anchor === 'start' ? x : anchor === 'end' ? x - width : x - width / 2;
      assert.ok(left >= 0 && left + width <= 720, `${t.textContent} at ${left}..${left + width}`);
    }
    const table = c.querySelector('.map-table table');
    assert.ok(table);
    const rows = [...table.querySelectorAll('tbody tr')].map((r) =>
      [...r.querySelectorAll('td')].map((d) => d.textContent).join('|'),
    );
    assert.ok(
      rows.includes('usb|a network attached storage box in the cellar|nas|100|up, moving now|yes'),
    );
    assert.ok(rows.includes('laptop|stick|stick|100|down|no'));
    assert.ok(
      byText(c, 'g.node', 'laptop')
        ?.querySelector('title')
        ?.textContent?.includes('3 of 5 files here'),
    );
  });
});
