/**
 * Content and history through an S3 bucket (s3rver on 127.0.0.1, its own process): `ferry copy
 * --to` and `ferry get --from` beside `git annex copy --to/--from` on the same server and data
 * (one big file, many 1 MiB files), the S3 client's own raw put and get of the big file in the
 * same run, and a saved file's trip A -> bucket -> B between two Ferry assistants that share
 * only the bucket (history and content, polling at the default 5 s). Sizes: BENCH_CLOUD_MB
 * (default 1024) and BENCH_CLOUD_FILES (default 1000).
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Engine } from '../src/engine/engine';
import { parcelWatch } from '../src/engine/sync/watcher';
import { s3Params } from '../test/helpers/s3';
import { discard, env, ferry, ferryBin, git, timeIt } from './common';
import { trips, median } from './trips';
import { writeFile } from './transfer';

const bigMB = Number(process.env.BENCH_CLOUD_MB ?? 1024);
const files = Number(process.env.BENCH_CLOUD_FILES ?? 1000);
const mbps = (mb: number, s: number): number => Math.round(mb / s);
const ratio = (a: number, b: number): number => Number((a / b).toFixed(2));

async function startServer(dir: string): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['bench/s3-server.mjs', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once('exit', () => reject(new Error('the S3 server did not start')));
  });
  return { port, stop: () => child.kill() };
}

/** The client's own speed: one PUT and one GET of the big file. */
async function raw(port: number, file: string): Promise<{ put: number; get: number }> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const { CreateBucketCommand } = await import('@aws-sdk/client-s3');
  await client.send(new CreateBucketCommand({ Bucket: 'raw-bench' }));
  let t = Date.now();
  await client.send(
    new PutObjectCommand({
      Bucket: 'raw-bench',
      Key: 'big',
      Body: createReadStream(file),
      ContentLength: statSync(file).size,
    }),
  );
  const put = (Date.now() - t) / 1000;
  t = Date.now();
  const got = await client.send(new GetObjectCommand({ Bucket: 'raw-bench', Key: 'big' }));
  await pipeline(got.Body as Readable, createWriteStream(join(file, '..', 'raw-copy.bin')));
  const get = (Date.now() - t) / 1000;
  client.destroy();
  return { put, get };
}

export async function benchCloud(): Promise<Record<string, unknown>> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const root = mkdtempSync(join(tmpdir(), 'ferry-bench-cloud-'));
  Object.assign(env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' });
  const server = await startServer(join(root, 's3'));
  try {
    const f = join(root, 'ferry');
    const g = join(root, 'annex');
    for (const [dir, tool] of [
      [f, 'ferry'],
      [g, 'annex'],
    ] as const) {
      git(root, 'init', '-q', dir);
      writeFile(join(dir, 'big.bin'), bigMB);
      mkdirSync(join(dir, 'many'));
      for (let i = 0; i < files; i++) writeFile(join(dir, 'many', `f${i}.bin`), 1);
      if (tool === 'ferry') {
        ferry(dir, 'init', 'ferry');
        ferry(dir, 'add', '.');
        ferry(
          dir,
          'initremote',
          'cloud',
          ...s3Params(server.port, 'ferry-bench'),
          'encryption=none',
        );
      } else {
        git(dir, 'annex', 'init', '-q', 'annex');
        git(dir, 'config', 'annex.security.allowed-ip-addresses', '127.0.0.1');
        git(dir, 'annex', 'add', '--quiet', '.');
        git(dir, 'commit', '-qm', 'data');
        git(
          dir,
          'annex',
          'initremote',
          'cloud',
          ...s3Params(server.port, 'annex-bench'),
          'encryption=none',
        );
      }
    }
    const rawSpeed = await raw(server.port, join(f, 'big.bin'));
    const ferryUpBig = ferry(f, 'copy', '--to', 'cloud', 'big.bin');
    const annexUpBig = timeIt('git', ['annex', 'copy', '--quiet', '--to', 'cloud', 'big.bin'], g);
    const ferryUpMany = ferry(f, 'copy', '--to', 'cloud', 'many');
    const annexUpMany = timeIt('git', ['annex', 'copy', '--quiet', '--to', 'cloud', 'many'], g);
    ferry(f, 'drop', '.');
    git(g, 'annex', 'drop', '--quiet', '.');
    const ferryDownBig = ferry(f, 'get', '--from', 'cloud', 'big.bin');
    const annexDownBig = timeIt(
      'git',
      ['annex', 'get', '--quiet', '--from', 'cloud', 'big.bin'],
      g,
    );
    const ferryDownMany = ferry(f, 'get', '--from', 'cloud', 'many');
    const annexDownMany = timeIt('git', ['annex', 'get', '--quiet', '--from', 'cloud', 'many'], g);

    // A -> bucket -> B: B cloned from the bucket alone, both assistants running
    const a = join(root, 'prop-A');
    const b = join(root, 'prop-B');
    git(root, 'init', '-q', a);
    ferry(a, 'init', 'A');
    ferry(
      a,
      'initremote',
      'cloud',
      ...s3Params(server.port, 'prop-bench'),
      'encryption=shared',
      'chunk=8MiB',
    );
    ferry(a, 'sync');
    const url = (
      JSON.parse(
        (await import('node:child_process')).execFileSync(
          process.execPath,
          [ferryBin, 'info', 'cloud', '--json'],
          { cwd: a, env, encoding: 'utf8' },
        ),
      ) as { cloneUrl: string }
    ).cloneUrl;
    ferry(root, 'clone', url, b);
    const engines = [a, b].map(
      (d) => new Engine({ watch: parcelWatch, folders: [d], quietMs: 50 }),
    );
    for (const e of engines) await e.start();
    await new Promise((r) => setTimeout(r, 3000));
    let samples: number[];
    try {
      samples = await trips(a, b, 7, 30_000, 6_000);
    } finally {
      for (const e of engines) await e.stop();
    }
    return {
      sizes: { bigMB, files, fileMB: 1 },
      rawClient: { putMBps: mbps(bigMB, rawSpeed.put), getMBps: mbps(bigMB, rawSpeed.get) },
      copyBig: {
        ferryMBps: mbps(bigMB, ferryUpBig.seconds),
        gitAnnexMBps: mbps(bigMB, annexUpBig),
        ratioVsGitAnnex: ratio(annexUpBig, ferryUpBig.seconds),
        shareOfRawPut: ratio(rawSpeed.put, ferryUpBig.seconds),
        ferryPeakRssMB: ferryUpBig.maxRssMB,
      },
      copyMany: {
        ferrySeconds: ferryUpMany.seconds,
        gitAnnexSeconds: annexUpMany,
        ratioVsGitAnnex: ratio(annexUpMany, ferryUpMany.seconds),
        ferryPeakRssMB: ferryUpMany.maxRssMB,
      },
      getBig: {
        ferryMBps: mbps(bigMB, ferryDownBig.seconds),
        gitAnnexMBps: mbps(bigMB, annexDownBig),
        ratioVsGitAnnex: ratio(annexDownBig, ferryDownBig.seconds),
        shareOfRawGet: ratio(rawSpeed.get, ferryDownBig.seconds),
        ferryPeakRssMB: ferryDownBig.maxRssMB,
      },
      getMany: {
        ferrySeconds: ferryDownMany.seconds,
        gitAnnexSeconds: annexDownMany,
        ratioVsGitAnnex: ratio(annexDownMany, ferryDownMany.seconds),
        ferryPeakRssMB: ferryDownMany.maxRssMB,
      },
      propagation: {
        savedInAToBWithContentMs: samples,
        medianMs: median(samples),
        pollIntervalMs: 5000,
      },
      targets:
        'bulk >= 80 % of the raw client; many small files >= 2x git-annex; propagation < poll interval + 2 s; peak RSS < 200 MB',
    };
  } finally {
    server.stop();
    discard(root);
  }
}
