/**
 * `npm run bench -- peers`: two Ferry devices on a LAN of two network namespaces (a veth pair
 * each, on one bridge), paired with a code found by LAN discovery, beside Syncthing on the same
 * pair and the same data, and raw TLS 1.3 between the namespaces as the limit, in one run:
 *   - propagation: a saved small file until it is in the other work tree with its content
 *     (Syncthing with its default 10 s watcher delay and with its minimum, 1 s);
 *   - a 1,000-file burst until every file is there with its content;
 *   - bulk: one file (BENCH_PEERS_BULK_MIB, default 1024) until it is there, every byte checked;
 *   - raw TLS: the same bytes over one TLS 1.3 connection between the namespaces.
 * BENCH_PEERS=tls,ferry,syncthing picks parts (or ferry-trips, ferry-bulk, ferry-burst). Needs root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeLan, netnsUnavailable, type Machine } from '../test/helpers/netns';
import { hasSyncthing, pairSyncthing, startSyncthing, watcherDelay } from './syncthing';
import { median, trips } from './trips';
import { discard } from './common';
import { phases, timeline } from './trace-summary';

const BULK_MIB = Number(process.env.BENCH_PEERS_BULK_MIB ?? 1024);
const BURST = 1000;
/** which parts to run: BENCH_PEERS=tls,ferry,syncthing (all by default) */
const parts = new Set((process.env.BENCH_PEERS ?? 'tls,ferry,syncthing').split(','));
/** Ferry's parts: `ferry` is all three, or `ferry-trips`, `ferry-bulk`, `ferry-burst` */
const ferryPart = (p: string): boolean => parts.has('ferry') || parts.has(`ferry-${p}`);

const pct = (xs: readonly number[], p: number): number | undefined =>
  [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

function summary(xs: readonly number[]): Record<string, number | undefined> {
  return {
    n: xs.length,
    min: Math.min(...xs),
    median: median(xs),
    p95: pct(xs, 0.95),
    max: Math.max(...xs),
  };
}

async function until(check: () => boolean, limitMs: number): Promise<number | null> {
  const t = Date.now();
  while (Date.now() - t < limitMs) {
    try {
      if (check()) return Date.now() - t;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return null;
}

/** A 1,000-file burst from `a` to `b`: seconds until all are there with content, or how many. */
async function burst(a: string, b: string, tag: string): Promise<Record<string, unknown>> {
  const body = (i: number): string => `${tag} burst file ${i} ${'x'.repeat(i % 900)}\n`;
  const t = Date.now();
  for (let i = 0; i < BURST; i++) writeFileSync(join(a, `${tag}-burst-${i}.txt`), body(i));
  let next = 0;
  const ms = await until(() => {
    while (next < BURST) {
      if (readFileSync(join(b, `${tag}-burst-${next}.txt`), 'utf8') !== body(next)) return false;
      next++;
    }
    return true;
  }, 300_000);
  return ms === null
    ? { files: BURST, complete: false, arrivedIn300s: next }
    : { files: BURST, seconds: (Date.now() - t) / 1000 };
}

/**
 * The disk's limit for the bulk figure: MiB/s writing `BULK_MIB` and making it durable (both
 * "machines" share this disk). A sync of a file writes it again on the other side at least
 * once; Ferry's unlocked files are written three times (the sender's object, the receiver's
 * object and its work-tree copy), so on a slow disk the bulk figure is bound by writes.
 */
function diskWrite(dir: string): number {
  const path = join(dir, 'disk-limit.bin');
  const chunk = randomBytes(16 << 20);
  execFileSync('sync');
  const t = Date.now();
  const fd = openSync(path, 'w');
  for (let i = 0; i < BULK_MIB; i += 16) writeSync(fd, chunk, 0, Math.min(16, BULK_MIB - i) << 20);
  fdatasyncSync(fd);
  closeSync(fd);
  const ms = Date.now() - t;
  rmSync(path, { force: true });
  execFileSync('sync');
  return Math.round(BULK_MIB / (ms / 1000));
}

/** Writes the bulk file (random bytes, so nothing deduplicates); its SHA-256. */
function writeBulk(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'w');
  for (let i = 0; i < BULK_MIB; i += 16) {
    const chunk = randomBytes(Math.min(16, BULK_MIB - i) << 20);
    h.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return h.digest('hex');
}

async function bulk(a: string, b: string, name: string): Promise<Record<string, unknown>> {
  const hash = writeBulk(join(a, name));
  const size = BULK_MIB << 20;
  const ms = await until(() => statSync(join(b, name)).size === size, 600_000);
  if (ms === null) return { mib: BULK_MIB, complete: false };
  const got = createHash('sha256')
    .update(readFileSync(join(b, name)))
    .digest('hex');
  return {
    mib: BULK_MIB,
    seconds: ms / 1000,
    mibPerSecond: Math.round(BULK_MIB / (ms / 1000)),
    verified: got === hash,
  };
}

/** Raw TLS 1.3 from `a` to `b` (Node, as Ferry's link uses it): MiB/s of `BULK_MIB`. */
async function rawTls(a: Machine, b: Machine, dir: string): Promise<number> {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ed25519',
      '-nodes',
      '-subj',
      '/CN=bench',
      '-days',
      '1',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
    ],
    { stdio: 'ignore' },
  );
  const server =
    `const tls=require('tls'),fs=require('fs');const chunk=require('crypto').randomBytes(1<<20);` +
    `const s=tls.createServer({key:fs.readFileSync('${dir}/k.pem'),cert:fs.readFileSync('${dir}/c.pem'),minVersion:'TLSv1.3'},(c)=>{let n=0;const go=()=>{while(n<${BULK_MIB}){n++;if(!c.write(chunk))return c.once('drain',go)}c.end();s.close()};go()});` +
    `s.listen(22999,'${a.address}',()=>console.log('ready'));setTimeout(()=>process.exit(1),120000).unref()`;
  const client =
    `const tls=require('tls');let n=0;const t=Date.now();const c=tls.connect({host:'${a.address}',port:22999,rejectUnauthorized:false,minVersion:'TLSv1.3'});` +
    `c.on('data',(d)=>n+=d.length);c.on('end',()=>{console.log(JSON.stringify({n,ms:Date.now()-t}));process.exit(0)})`;
  const srv = await startIn(a.ns, server);
  try {
    const out = execFileSync('ip', ['netns', 'exec', b.ns, process.execPath, '-e', client], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const r = JSON.parse(out) as { n: number; ms: number };
    return Math.round(r.n / (1 << 20) / (r.ms / 1000));
  } finally {
    srv.kill();
  }
}

/** Starts a script in a namespace and waits for its first line (it is ready). */
async function startIn(ns: string, script: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the TLS server did not start')), 10_000);
    child.stdout?.once('data', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return child;
}

export async function benchPeers(): Promise<Record<string, unknown>> {
  const why = netnsUnavailable();
  if (why) return { skipped: why };
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-peers-'));
  const lan = makeLan(root, ['a', 'b']);
  const [a, b] = lan.machines as [Machine, Machine];
  const out: Record<string, unknown> = { bulkMiB: BULK_MIB, burstFiles: BURST };
  const logs: Record<string, { output(): string }> = {};
  try {
    if (parts.has('tls')) {
      process.stderr.write('  raw TLS...\n');
      out.rawTlsMiBPerSecond = [
        await rawTls(a, b, root),
        await rawTls(a, b, root),
        await rawTls(a, b, root),
      ];
      process.stderr.write('  disk...\n');
      out.diskWriteMiBPerSecond = [diskWrite(root), diskWrite(root), diskWrite(root)];
    }
    if ([...parts].some((p) => p.startsWith('ferry'))) {
      process.stderr.write('  Ferry: share, join, assistants...\n');
      const fa = join(a.home, 'Shared');
      const fb = join(b.home, 'Shared');
      // each side's spans (src/engine/trace.ts): where the time of each figure went
      const traces = { a: join(root, 'trace-a.jsonl'), b: join(root, 'trace-b.jsonl') };
      a.env.FERRY_TRACE = traces.a;
      b.env.FERRY_TRACE = traces.b;
      const breakdown = (from: number): Record<string, unknown> => {
        const to = Date.now() + 1000;
        return { a: phases(traces.a, from, to), b: phases(traces.b, from, to) };
      };
      execFileSync('git', ['init', '-q', '-b', 'main', fa], { env: a.env });
      await a.ferry(fa, 'init', 'a');
      logs.a = a.assistant(fa);
      await until(() => existsSync(join(a.stateDir, 'device-key.pem')), 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      const code = (JSON.parse((await a.ferry(fa, 'share', '--json')).out) as { code: string })
        .code;
      const t0 = Date.now();
      await b.ferry(b.home, 'join', code, 'Shared');
      const joinMs = Date.now() - t0;
      const bAssistant = b.assistant(fb);
      logs.b = bAssistant;
      await until(() => /watching /.test(bAssistant.output()), 30_000);
      await new Promise((r) => setTimeout(r, 2000));
      const ferry: Record<string, unknown> = { joinMs };
      out.ferry = ferry;
      if (ferryPart('trips')) {
        const starts: number[] = [];
        const ms = await trips(fa, fb, 20, 30_000, 500, starts);
        ferry.propagationMs = summary(ms);
        // the timeline of the median trip: the first span of each phase on each side
        const mid = ms.indexOf(median(ms) ?? 0);
        const at = starts[mid] ?? 0;
        ferry.medianTripTimeline = timeline(traces, at, at + (ms[mid] ?? 0) + 50);
      }
      if (ferryPart('bulk')) {
        process.stderr.write('  Ferry: bulk...\n');
        const from = Date.now();
        ferry.bulk = await bulk(fa, fb, 'bulk.bin');
        ferry.bulkPhases = breakdown(from);
      }
      if (ferryPart('burst')) {
        process.stderr.write('  Ferry: burst...\n');
        const from = Date.now();
        ferry.burst = await burst(fa, fb, 'ferry');
        ferry.burstPhases = breakdown(from);
      }
    }

    if (!parts.has('syncthing')) out.syncthing = { skipped: 'BENCH_PEERS' };
    else if (!hasSyncthing()) out.syncthing = { skipped: 'syncthing is not installed' };
    else {
      process.stderr.write('  Syncthing: pair...\n');
      const sa = await startSyncthing(a, root);
      const sb = await startSyncthing(b, root);
      try {
        await pairSyncthing(sa, sb);
        await until(() => existsSync(join(sb.folder, '.stfolder')), 30_000);
        await new Promise((r) => setTimeout(r, 3000));
        const byDefault = await trips(sa.folder, sb.folder, 3, 60_000, 500);
        watcherDelay([sa, sb], 1);
        await new Promise((r) => setTimeout(r, 2000));
        const atMinimum = await trips(sa.folder, sb.folder, 10, 60_000, 500);
        process.stderr.write('  Syncthing: bulk and burst (1 s watcher delay)...\n');
        out.syncthing = {
          version: execFileSync('syncthing', ['--version'], { encoding: 'utf8' }).split(' ')[1],
          propagationMsDefaultDelay: summary(byDefault),
          propagationMsMinimumDelay: summary(atMinimum),
          bulk: await bulk(sa.folder, sb.folder, 'bulk.bin'),
          burst: await burst(sa.folder, sb.folder, 'st'),
        };
      } catch (e) {
        out.syncthing = { error: (e as Error).message };
      } finally {
        await sa.stop();
        await sb.stop();
      }
    }
    const tls = median((out.rawTlsMiBPerSecond as number[] | undefined) ?? []) ?? 0;
    const fBulk = (out.ferry as { bulk?: { mibPerSecond?: number } } | undefined)?.bulk
      ?.mibPerSecond;
    const sBulk = (out.syncthing as { bulk?: { mibPerSecond?: number } } | undefined)?.bulk
      ?.mibPerSecond;
    const disk = median((out.diskWriteMiBPerSecond as number[] | undefined) ?? []) ?? 0;
    const ratio = (x: number | undefined, of: number): number | null =>
      x && of ? Math.round((x / of) * 100) / 100 : null;
    out.ratios = {
      ferryBulkOfRawTls: ratio(fBulk, tls),
      syncthingBulkOfRawTls: ratio(sBulk, tls),
      ferryBulkOfDiskWrite: ratio(fBulk, disk),
      syncthingBulkOfDiskWrite: ratio(sBulk, disk),
    };
    return out;
  } finally {
    await lan.cleanup();
    // BENCH_KEEP=1 leaves the repositories, traces and assistants' output to look at
    for (const [side, assistant] of Object.entries(logs))
      if (process.env.BENCH_KEEP)
        writeFileSync(join(root, `assistant-${side}.log`), assistant.output());
    if (process.env.BENCH_KEEP) process.stderr.write(`  kept ${root}\n`);
    else discard(root);
  }
}
