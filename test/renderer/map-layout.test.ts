/** The network map's layout, a pure function: this repository at the top, route order, inside the box. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { layoutMap } from '../../src/renderer/map-layout';
import type { NetworkMap } from '../../src/shared/network';

function map(nodes: string[], arborescence: [string, string][]): NetworkMap {
  return {
    root: nodes[0] ?? '',
    nodes: nodes.map((uuid, i) => ({
      uuid,
      description: uuid,
      path: null,
      isHere: i === 0,
      isReachable: true,
    })),
    edges: [],
    arborescence: arborescence.map(([from, to]) => ({ from, to, cost: 100, remote: to })),
  } as unknown as NetworkMap;
}

describe('the map layout', () => {
  it('puts this repository at the top centre and every other one on the circle, inside the box', () => {
    const pos = layoutMap(
      map(
        ['here', 'a', 'b', 'c'],
        [
          ['here', 'a'],
          ['a', 'b'],
        ],
      ),
      800,
      600,
    );
    const here = pos.get('here');
    assert.ok(here);
    assert.equal(Math.round(here.x), 400);
    assert.ok(here.y < 300, 'above the centre');
    const r = Math.min(800, 600) / 2 - 60;
    for (const [uuid, p] of pos) {
      assert.ok(p.x >= 0 && p.x <= 800 && p.y >= 0 && p.y <= 600, `${uuid} inside`);
      assert.ok(Math.abs(Math.hypot(p.x - 400, p.y - 300) - r) < 1e-6, `${uuid} on the circle`);
    }
  });

  it('follows the routes: a child comes right after its parent, unrouted repositories last', () => {
    const pos = layoutMap(
      map(
        ['here', 'x', 'child', 'parent'],
        [
          ['here', 'parent'],
          ['parent', 'child'],
        ],
      ),
      600,
      600,
    );
    const angle = (u: string): number => {
      const p = pos.get(u) ?? { x: 0, y: 0 };
      return (Math.atan2(p.y - 300, p.x - 300) + 2.5 * Math.PI) % (2 * Math.PI);
    };
    assert.ok(angle('parent') < angle('child'), 'parent before child');
    assert.ok(angle('child') < angle('x'), 'the unrouted one last');
    assert.deepEqual(layoutMap(map(['solo'], []), 300, 200).get('solo'), { x: 150, y: 100 });
  });
});
