/**
 * Minimum-cost arborescence (Chu-Liu/Edmonds): the cheapest set of directed edges by which
 * content can reach every node reachable from `root`, each node entered exactly once. Pure;
 * O(V·E), plenty for the tens of repositories a user has. Ties go to the earlier edge, so the
 * result is deterministic. Nodes not reachable from the root are left out.
 */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly cost: number;
}

interface IEdge {
  u: number;
  v: number;
  w: number;
  id: number;
}

function reachable(root: string, edges: readonly Edge[]): Set<string> {
  const seen = new Set([root]);
  const stack = [root];
  while (stack.length > 0) {
    const x = stack.pop() as string;
    for (const e of edges) {
      if (e.from === x && !seen.has(e.to)) {
        seen.add(e.to);
        stack.push(e.to);
      }
    }
  }
  return seen;
}

function solve(n: number, root: number, edges: IEdge[]): number[] {
  // cheapest incoming edge for every node but the root
  const best: (IEdge | undefined)[] = new Array<IEdge | undefined>(n).fill(undefined);
  for (const e of edges) {
    if (e.u === e.v || e.v === root) continue;
    const b = best[e.v];
    if (!b || e.w < b.w || (e.w === b.w && e.id < b.id)) best[e.v] = e;
  }
  // find a cycle among the chosen edges
  const mark = new Array<number>(n).fill(-1);
  const comp = new Array<number>(n).fill(-1);
  let cycles = 0;
  for (let s = 0; s < n; s++) {
    let x = s;
    while (x !== root && mark[x] === -1 && comp[x] === -1) {
      mark[x] = s;
      x = best[x]?.u ?? root;
    }
    if (x !== root && mark[x] === s && comp[x] === -1) {
      // x is on a new cycle
      let y = x;
      do {
        comp[y] = cycles;
        y = best[y]?.u ?? root;
      } while (y !== x);
      cycles++;
    }
  }
  if (cycles === 0) return best.filter((e): e is IEdge => e !== undefined).map((e) => e.id);
  // contract each cycle into one node; other nodes keep their own
  let next = cycles;
  for (let x = 0; x < n; x++) if (comp[x] === -1) comp[x] = next++;
  const inCycle = (x: number): boolean => (comp[x] ?? 0) < cycles;
  const contracted: IEdge[] = [];
  const origin = new Map<number, IEdge>();
  for (const e of edges) {
    const cu = comp[e.u] ?? 0;
    const cv = comp[e.v] ?? 0;
    if (cu === cv) continue;
    const w = inCycle(e.v) ? e.w - (best[e.v]?.w ?? 0) : e.w;
    const ce = { u: cu, v: cv, w, id: contracted.length };
    contracted.push(ce);
    origin.set(ce.id, e);
  }
  const chosen = solve(next, comp[root] ?? 0, contracted).map((id) => origin.get(id) as IEdge);
  // expand: keep every cycle edge except the one into the node the chosen entering edge reaches
  const result = new Set<number>(chosen.map((e) => e.id));
  const entered = new Set<number>();
  for (const e of chosen) if (inCycle(e.v)) entered.add(e.v);
  for (let x = 0; x < n; x++) {
    if (x === root || !inCycle(x) || entered.has(x)) continue;
    const b = best[x];
    if (b) result.add(b.id);
  }
  return [...result];
}

/** The minimum-cost arborescence rooted at `root`, as a subset of `edges` (same objects). */
export function minimumArborescence<E extends Edge>(root: string, edges: readonly E[]): E[] {
  const live = reachable(root, edges);
  const names = [...live];
  const index = new Map(names.map((n, i) => [n, i]));
  const internal: IEdge[] = [];
  edges.forEach((e, id) => {
    const u = index.get(e.from);
    const v = index.get(e.to);
    if (u !== undefined && v !== undefined) internal.push({ u, v, w: e.cost, id });
  });
  const ids = solve(names.length, index.get(root) ?? 0, internal);
  return ids.map((id) => edges[id] as E).sort((a, b) => edges.indexOf(a) - edges.indexOf(b));
}

export function totalCost(edges: readonly Edge[]): number {
  return edges.reduce((s, e) => s + e.cost, 0);
}
