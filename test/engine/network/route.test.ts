/** Route planning for one key: unit cases and a property test against flooding. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MapEdge, NetworkMap } from '../../../src/shared/network';
import { floodTransfers, planRoute } from '../../../src/engine/network/route';

function mapOf(root: string, nodes: string[], edges: [string, string, number][]): NetworkMap {
  return {
    root,
    nodes: nodes.map((uuid) => ({
      uuid,
      description: uuid,
      path: `/r/${uuid}`,
      isHere: uuid === root,
      isReachable: true,
    })),
    edges: edges.map(([from, to, cost]): MapEdge => ({
      from,
      to,
      cost,
      remote: to,
      isUp: true,
      path: `/r/${to}`,
    })),
    arborescence: [],
  };
}
const hopsOf = (p: { hops: readonly { from: string; to: string }[] }): string[] =>
  p.hops.map((h) => `${h.from}>${h.to}`);

describe('planRoute', () => {
  it('reaches the end of a chain through the middle', () => {
    const map = mapOf(
      'A',
      ['A', 'B', 'C'],
      [
        ['A', 'B', 100],
        ['B', 'C', 100],
      ],
    );
    const plan = planRoute(map, new Set(['A']), new Set(['A', 'B', 'C']));
    assert.deepEqual(hopsOf(plan), ['A>B', 'B>C']);
    assert.equal(plan.cost, 200);
    assert.deepEqual(plan.unreachable, []);
  });

  it('takes the cheap branch of a diamond and costs less than flooding', () => {
    const map = mapOf(
      'A',
      ['A', 'B', 'C', 'D'],
      [
        ['A', 'B', 10],
        ['A', 'C', 500],
        ['B', 'D', 10],
        ['C', 'D', 500],
        ['B', 'C', 10],
      ],
    );
    const all = new Set(['A', 'B', 'C', 'D']);
    const plan = planRoute(map, new Set(['A']), all);
    assert.deepEqual(hopsOf(plan), ['A>B', 'B>C', 'B>D']);
    const flood = floodTransfers(map, new Set(['A']), all);
    assert.equal(plan.cost, 30);
    assert.ok(flood.reduce((s, h) => s + h.cost, 0) > plan.cost);
    assert.ok(flood.length >= plan.hops.length);
  });

  it('never passes content through a repository that does not want it', () => {
    const map = mapOf(
      'A',
      ['A', 'B', 'C', 'D'],
      [
        ['A', 'B', 1],
        ['B', 'D', 1],
        ['A', 'C', 50],
        ['C', 'D', 50],
      ],
    );
    const plan = planRoute(map, new Set(['A']), new Set(['C', 'D']));
    assert.deepEqual(hopsOf(plan), ['A>C', 'C>D']);
  });

  it('uses a copy elsewhere as a free source and reports what it cannot reach', () => {
    const map = mapOf(
      'A',
      ['A', 'B', 'C', 'E'],
      [
        ['A', 'B', 100],
        ['B', 'C', 100],
      ],
    );
    const plan = planRoute(map, new Set(['B']), new Set(['A', 'B', 'C', 'E']));
    assert.deepEqual(hopsOf(plan), ['B>C']);
    assert.deepEqual(plan.unreachable, ['E']);
  });

  it('routes around a link that is down', () => {
    const map = mapOf(
      'A',
      ['A', 'B', 'C'],
      [
        ['A', 'B', 1],
        ['B', 'C', 1],
        ['A', 'C', 9],
      ],
    );
    const down = {
      ...map,
      edges: map.edges.map((e) => (e.to === 'C' && e.from === 'B' ? { ...e, isUp: false } : e)),
    };
    assert.deepEqual(hopsOf(planRoute(down, new Set(['A']), new Set(['B', 'C']))), ['A>B', 'A>C']);
  });

  it("does not route through a host's own links: a repository elsewhere is not driven from here", () => {
    const map = mapOf(
      'A',
      ['A', 'H', 'C'],
      [
        ['A', 'H', 200],
        ['H', 'C', 100],
        ['A', 'C', 400],
      ],
    );
    // H is an ssh host (not on this machine): its link to C is drawn, but C gets the content from A
    const remote = {
      ...map,
      nodes: map.nodes.map((n) => (n.uuid === 'H' ? { ...n, path: null } : n)),
    };
    assert.deepEqual(hopsOf(planRoute(map, new Set(['A']), new Set(['H', 'C']))), ['A>H', 'H>C']);
    assert.deepEqual(hopsOf(planRoute(remote, new Set(['A']), new Set(['H', 'C']))), [
      'A>H',
      'A>C',
    ]);
    // and a copy on the host is no source for links it would have to drive
    const fromHost = planRoute(remote, new Set(['H']), new Set(['C']));
    assert.deepEqual(hopsOf(fromHost), []);
    assert.deepEqual(fromHost.unreachable, ['C']);
  });

  it('on random graphs delivers everywhere flooding does, with no more transfers and no more cost', () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 500; round++) {
      const size = 2 + rnd(6);
      const names = Array.from({ length: size }, (_, i) => `n${i}`);
      const edges: [string, string, number][] = [];
      for (const u of names)
        for (const v of names) if (u !== v && rnd(3) === 0) edges.push([u, v, 1 + rnd(5) * 50]);
      const map = mapOf('n0', names, edges);
      const holders = new Set(names.filter((n, i) => i === 0 || rnd(6) === 0));
      const wanting = new Set(names.filter(() => rnd(4) !== 0));
      const plan = planRoute(map, holders, wanting);
      const flood = floodTransfers(map, holders, wanting);
      const floodReached = new Set(flood.map((h) => h.to));
      const planReached = new Set(plan.hops.map((h) => h.to));
      for (const r of floodReached)
        assert.ok(planReached.has(r), `round ${round}: flooding reaches ${r}, routing does not`);
      for (const h of plan.hops)
        assert.ok(
          holders.has(h.from) || planReached.has(h.from),
          `round ${round}: ${h.from} sends before it has the content`,
        );
      assert.ok(plan.hops.length <= flood.length, `round ${round}: more transfers than flooding`);
      assert.ok(
        plan.cost <= flood.reduce((s, h) => s + h.cost, 0),
        `round ${round}: costlier than flooding`,
      );
    }
  });
});
