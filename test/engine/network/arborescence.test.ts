import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  minimumArborescence,
  totalCost,
  type Edge,
} from '../../../src/engine/network/arborescence';

/** Brute force: every choice of one incoming edge per reachable non-root node that forms a tree. */
function bruteForce(root: string, nodes: string[], edges: Edge[]): number | undefined {
  const reach = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const e of edges) {
      if (reach.has(e.from) && !reach.has(e.to)) {
        reach.add(e.to);
        grew = true;
      }
    }
  }
  const targets = nodes.filter((n) => n !== root && reach.has(n));
  let best: number | undefined;
  const choose = (i: number, picked: Edge[]): void => {
    if (i === targets.length) {
      // every node must reach the root by following picked parents
      const parent = new Map(picked.map((e) => [e.to, e.from]));
      for (const t of targets) {
        let x: string | undefined = t;
        const seen = new Set<string>();
        while (x !== undefined && x !== root) {
          if (seen.has(x)) return;
          seen.add(x);
          x = parent.get(x);
        }
        if (x !== root) return;
      }
      const c = totalCost(picked);
      if (best === undefined || c < best) best = c;
      return;
    }
    for (const e of edges)
      if (e.to === targets[i] && e.from !== e.to) choose(i + 1, [...picked, e]);
  };
  choose(0, []);
  return best;
}

function isArborescence(root: string, result: Edge[]): boolean {
  const into = new Map<string, number>();
  for (const e of result) into.set(e.to, (into.get(e.to) ?? 0) + 1);
  if ([...into.values()].some((n) => n > 1) || into.has(root)) return false;
  const parent = new Map(result.map((e) => [e.to, e.from]));
  for (const e of result) {
    let x: string | undefined = e.to;
    const seen = new Set<string>();
    while (x !== root) {
      if (x === undefined || seen.has(x)) return false;
      seen.add(x);
      x = parent.get(x);
    }
  }
  return true;
}

let seed = 12345;
function rand(n: number): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
}

describe('minimum-cost arborescence', () => {
  it('picks the cheap branch of a diamond', () => {
    const edges: Edge[] = [
      { from: 'A', to: 'B', cost: 100 },
      { from: 'A', to: 'C', cost: 1000 },
      { from: 'B', to: 'D', cost: 100 },
      { from: 'C', to: 'D', cost: 100 },
      { from: 'B', to: 'C', cost: 100 },
    ];
    const r = minimumArborescence('A', edges);
    assert.equal(totalCost(r), 300);
    assert.ok(!r.some((e) => e.from === 'A' && e.to === 'C'));
  });
  it('reaches a node only through a chain', () => {
    const r = minimumArborescence('A', [
      { from: 'A', to: 'B', cost: 100 },
      { from: 'B', to: 'C', cost: 100 },
    ]);
    assert.deepEqual(
      r.map((e) => `${e.from}${e.to}`),
      ['AB', 'BC'],
    );
  });
  it('breaks cycles (the classic contraction case)', () => {
    const edges: Edge[] = [
      { from: 'R', to: 'A', cost: 10 },
      { from: 'A', to: 'B', cost: 1 },
      { from: 'B', to: 'C', cost: 1 },
      { from: 'C', to: 'A', cost: 1 },
      { from: 'R', to: 'C', cost: 5 },
    ];
    const r = minimumArborescence('R', edges);
    assert.equal(totalCost(r), 7);
    assert.ok(isArborescence('R', r));
  });
  it('leaves out unreachable nodes and ignores edges into the root', () => {
    const r = minimumArborescence('A', [
      { from: 'B', to: 'A', cost: 1 },
      { from: 'C', to: 'D', cost: 1 },
      { from: 'A', to: 'E', cost: 2 },
    ]);
    assert.deepEqual(
      r.map((e) => `${e.from}${e.to}`),
      ['AE'],
    );
  });
  it('matches brute force on 400 random small graphs, with equal costs and cycles', () => {
    for (let trial = 0; trial < 400; trial++) {
      const n = 2 + rand(4);
      const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
      const edges: Edge[] = [];
      const m = rand(n * 3);
      for (let i = 0; i < m; i++) {
        const from = nodes[rand(n)] ?? 'n0';
        const to = nodes[rand(n)] ?? 'n0';
        if (from !== to)
          edges.push({ from, to, cost: [100, 100, 200, 110, 175, 1000][rand(6)] ?? 100 });
      }
      const r = minimumArborescence('n0', edges);
      assert.ok(isArborescence('n0', r), `tree for ${JSON.stringify(edges)}`);
      const reach = new Set(['n0']);
      for (let k = 0; k < n; k++) for (const e of edges) if (reach.has(e.from)) reach.add(e.to);
      assert.deepEqual(
        new Set(r.map((e) => e.to)),
        new Set([...reach].filter((x) => x !== 'n0')),
        'every reachable node is entered',
      );
      assert.equal(totalCost(r), bruteForce('n0', nodes, edges) ?? 0, JSON.stringify(edges));
    }
  });
});
