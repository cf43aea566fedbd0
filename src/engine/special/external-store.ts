/**
 * An `external` special remote's storage: any `git-annex-remote-<externaltype>` program (rclone's
 * and every other) driven over git-annex's protocol (`external-protocol.ts`). Files handed to
 * it are named by their key (`.../K`), as git-annex hands them, since programs name the stored
 * object after the file. Up to three programs run at once, or one with ASYNC.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { hashDirLower, hashDirMixed, keyFile } from '../annex/paths';
import type { Repository } from '../annex/repository';
import { FerryError } from '../errors';
import type { SpecialKind } from '../remotes/special-kind';
import { readCreds, writeCreds } from './config';
import { ExternalProcess, type Questions } from './external-protocol';
import { healthOf, networkAvailability, registerProbe, type NetworkHealth } from './network-health';
import type { PutOptions, SpecialStore } from './object-store';

const MAX_PROCESSES = 3;

export interface ExternalSetup {
  readonly repo: Repository;
  readonly name: string;
  readonly uuid: string;
  /** remote.log's fields; SETCONFIG during INITREMOTE adds to them */
  readonly fields: Map<string, string> | ReadonlyMap<string, string>;
}

export class ExternalStore implements SpecialStore {
  private readonly idleProcs: ExternalProcess[] = [];
  private running = 0;
  private readonly program: string;
  private readonly health: NetworkHealth;

  constructor(private readonly s: ExternalSetup) {
    const type = s.fields.get('externaltype') ?? '';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.+-]*$/.test(type))
      throw new FerryError(
        'usage',
        `remote "${s.name}": externaltype=${type} is not a program name`,
        {
          remote: s.name,
        },
      );
    this.program = `git-annex-remote-${type}`;
    this.health = healthOf(s.uuid);
    registerProbe(this.health, () => this.probe());
  }

  get remote(): string {
    return this.s.name;
  }

  /** Answers the program's questions for one request. */
  private questions(progress?: (n: number) => void): Questions {
    const { repo, uuid, name, fields } = this.s;
    return {
      progress,
      answer: async (w) => {
        const [cmd = '', a = '', b = '', c = ''] = w;
        switch (cmd) {
          case 'GETCONFIG':
            return `VALUE ${fields.get(a) ?? ''}`;
          case 'SETCONFIG':
            if ('set' in fields) fields.set(a, b);
            return undefined;
          case 'GETCREDS': {
            const creds = await readCreds(repo, `${uuid}-${a}`);
            return `CREDS ${creds?.user ?? ''} ${creds?.password ?? ''}`;
          }
          case 'SETCREDS':
            await writeCreds(repo, `${uuid}-${a}`, { user: b, password: c });
            return undefined;
          case 'GETUUID':
            return `VALUE ${uuid}`;
          case 'GETGITDIR':
            return `VALUE ${repo.gitdir}`;
          case 'GETGITREMOTENAME':
            return `VALUE ${name}`;
          case 'DIRHASH':
            return `VALUE ${hashDirMixed(a)}`;
          case 'DIRHASH-LOWER':
            return `VALUE ${hashDirLower(a)}`;
          case 'GETWANTED':
          case 'GETSTATE':
          case 'GETURLS':
            return 'VALUE ';
          default:
            return undefined; // DEBUG, INFO, SETWANTED, SETSTATE, SETURL*: nothing to answer
        }
      },
    };
  }

  /** A started, prepared program (PREPARE-SUCCESS), from the idle ones or new. */
  private async take(): Promise<ExternalProcess> {
    for (let p = this.idleProcs.pop(); p; p = this.idleProcs.pop()) if (p.alive) return p;
    const p = new ExternalProcess(this.program, this.s.name, process.env);
    try {
      await p.start();
      const [cmd, why] = await p.request('PREPARE', this.questions(), (w) =>
        ['PREPARE-SUCCESS', 'PREPARE-FAILURE'].includes(w[0] ?? ''),
      );
      if (cmd !== 'PREPARE-SUCCESS') {
        const message = `${this.s.name}: ${this.program} could not get ready (${why ?? ''})`;
        this.health.down('unreachable', message);
        throw new FerryError('remote-unavailable', message, { remote: this.s.name });
      }
      return p;
    } catch (e) {
      p.close();
      if (e instanceof FerryError && /could not be started|stopped/.test(e.message))
        this.health.down('unreachable', e.message);
      throw e;
    }
  }

  private async with<T>(work: (p: ExternalProcess) => Promise<T>): Promise<T> {
    while (this.running >= MAX_PROCESSES) await new Promise((r) => setTimeout(r, 20));
    this.running++;
    let p: ExternalProcess | undefined;
    try {
      p = await this.take();
      const out = await work(p);
      this.health.up();
      return out;
    } finally {
      this.running--;
      if (p?.alive) this.idleProcs.push(p);
    }
  }

  /** Runs INITREMOTE (initremote and enableremote; SETCONFIG lands in the fields). */
  async initRemote(): Promise<void> {
    const p = new ExternalProcess(this.program, this.s.name, process.env);
    try {
      await p.start();
      const [cmd, why] = await p.request('INITREMOTE', this.questions(), (w) =>
        ['INITREMOTE-SUCCESS', 'INITREMOTE-FAILURE'].includes(w[0] ?? ''),
      );
      if (cmd !== 'INITREMOTE-SUCCESS')
        throw new FerryError(
          'remote-unavailable',
          `${this.s.name}: ${this.program} refused to set up (${why ?? ''})`,
          {
            remote: this.s.name,
          },
        );
    } finally {
      p.close();
    }
  }

  availability() {
    return networkAvailability(this.health);
  }

  async probe(): Promise<void> {
    await this.with(() => Promise.resolve());
  }

  async has(name: string): Promise<boolean> {
    const [cmd, , why] = await this.with((p) =>
      p.request(`CHECKPRESENT ${name}`, this.questions(), (w) =>
        (w[0] ?? '').startsWith('CHECKPRESENT-'),
      ),
    );
    if (cmd === 'CHECKPRESENT-SUCCESS') return true;
    if (cmd === 'CHECKPRESENT-FAILURE') return false;
    // the program cannot tell: whether it can still get ready says if the remote is reachable
    await this.close();
    await this.probe().catch(() => undefined);
    throw new FerryError(
      'remote-unavailable',
      `${this.s.name} cannot tell whether it has ${name} (${why ?? ''})`,
      {
        remote: this.s.name,
      },
    );
  }

  private tmpDir(): string {
    return join(this.s.repo.annexdir, 'tmp', 'ferry-external', randomBytes(6).toString('hex'));
  }

  async put(name: string, bytes: AsyncIterable<Buffer>, o: PutOptions): Promise<void> {
    const dir = this.tmpDir();
    const file = join(dir, keyFile(name));
    await fsp.mkdir(dir, { recursive: true });
    try {
      await pipeline(Readable.from(bytes), createWriteStream(file), { signal: o.signal });
      await this.putFile(name, file);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  /** Stores a file whose name is already the key's (an object of the store). */
  async putFile(
    name: string,
    file: string,
    onProgress?: (n: number) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    if (basename(file) !== keyFile(name))
      throw new FerryError('usage', `an external remote is handed files named by their key`);
    const [cmd, , , why] = await this.with((p) => {
      // a stop (pause, cancel) ends the program mid-way: nothing half-stored counts
      const stop = (): void => p.close();
      signal?.addEventListener('abort', stop, { once: true });
      return p
        .request(
          `TRANSFER STORE ${name} ${file}`,
          this.questions(onProgress),
          (w) => (w[0] ?? '').startsWith('TRANSFER-') && w[2] === name,
        )
        .finally(() => signal?.removeEventListener('abort', stop));
    });
    signal?.throwIfAborted();
    if (cmd !== 'TRANSFER-SUCCESS')
      throw new FerryError(
        'io-error',
        `${this.s.name} did not take ${name} (${why ?? 'no reason given'}); nothing was recorded there`,
        {
          remote: this.s.name,
        },
      );
  }

  async get(name: string): Promise<AsyncIterable<Buffer> | undefined> {
    const dir = this.tmpDir();
    const file = join(dir, keyFile(name));
    await fsp.mkdir(dir, { recursive: true });
    const [cmd, , , why] = await this.with((p) =>
      p.request(
        `TRANSFER RETRIEVE ${name} ${file}`,
        this.questions(),
        (w) => (w[0] ?? '').startsWith('TRANSFER-') && w[2] === name,
      ),
    ).catch(async (e: unknown) => {
      await fsp.rm(dir, { recursive: true, force: true });
      throw e;
    });
    if (cmd !== 'TRANSFER-SUCCESS') {
      await fsp.rm(dir, { recursive: true, force: true });
      if (!(await this.has(name))) return undefined;
      throw new FerryError(
        'io-error',
        `${this.s.name} could not send ${name} (${why ?? 'no reason given'})`,
        {
          remote: this.s.name,
        },
      );
    }
    return (async function* () {
      try {
        yield* createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
      } finally {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    })();
  }

  async remove(name: string): Promise<void> {
    const [cmd, , why] = await this.with((p) =>
      p.request(`REMOVE ${name}`, this.questions(), (w) => (w[0] ?? '').startsWith('REMOVE-')),
    );
    if (cmd !== 'REMOVE-SUCCESS')
      throw new FerryError('io-error', `${this.s.name} could not remove ${name} (${why ?? ''})`, {
        remote: this.s.name,
      });
  }

  close(): Promise<void> {
    for (const p of this.idleProcs.splice(0)) p.close();
    return Promise.resolve();
  }
}

/** The `external` kind: `externaltype=` names the program; its own settings are in remote.log. */
export const EXTERNAL_KIND: SpecialKind = {
  kind: 'external',
  type: 'external',
  markerOf: (fields) => ({ 'annex-externaltype': fields.get('externaltype') ?? '' }),
  async setup(ctx) {
    if (!ctx.fields.get('externaltype'))
      throw new FerryError(
        'usage',
        'say which program: externaltype=NAME runs git-annex-remote-NAME',
      );
    const store = new ExternalStore(ctx);
    await store.initRemote();
  },
  openStore: (ctx) => new ExternalStore(ctx),
  availability: (info) => networkAvailability(healthOf(info.uuid ?? '')),
};
