/**
 * git-annex's external special remote protocol, Ferry's side: one `git-annex-remote-<type>`
 * program spoken to over its stdin and stdout, one line per message (VERSION 1 first, then
 * EXTENSIONS, PREPARE, and the requests). While a request runs the program may ask things
 * (GETCONFIG, GETCREDS, DIRHASH, GETUUID, ...) and say things (PROGRESS, SETCONFIG, DEBUG);
 * `Questions` answers them. With ASYNC (when the program lists it) every line carries `J <n>`
 * and one process runs many requests at once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { FerryError } from '../errors';

/** What the program may ask or tell while a request runs. */
export interface Questions {
  /** the answer to a question (`VALUE ...`, `CREDS u p`), or undefined when it needs none */
  answer(words: string[]): string | undefined | Promise<string | undefined>;
  progress?(bytes: number): void;
}

/** The number of parameters of each message the program sends (the last may hold spaces). */
const PARAMS: Readonly<Record<string, number>> = {
  VERSION: 1,
  EXTENSIONS: 1,
  'PREPARE-SUCCESS': 0,
  'PREPARE-FAILURE': 1,
  'INITREMOTE-SUCCESS': 0,
  'INITREMOTE-FAILURE': 1,
  'TRANSFER-SUCCESS': 2,
  'TRANSFER-FAILURE': 3,
  'CHECKPRESENT-SUCCESS': 1,
  'CHECKPRESENT-FAILURE': 1,
  'CHECKPRESENT-UNKNOWN': 2,
  'REMOVE-SUCCESS': 1,
  'REMOVE-FAILURE': 2,
  COST: 1,
  AVAILABILITY: 1,
  'UNSUPPORTED-REQUEST': 0,
  ERROR: 1,
  PROGRESS: 1,
  DIRHASH: 1,
  'DIRHASH-LOWER': 1,
  SETCONFIG: 2,
  GETCONFIG: 1,
  SETCREDS: 3,
  GETCREDS: 1,
  GETUUID: 0,
  GETGITDIR: 0,
  GETGITREMOTENAME: 0,
  SETWANTED: 1,
  GETWANTED: 0,
  SETSTATE: 2,
  GETSTATE: 1,
  SETURLPRESENT: 2,
  SETURLMISSING: 2,
  SETURIPRESENT: 2,
  SETURIMISSING: 2,
  GETURLS: 2,
  DEBUG: 1,
  INFO: 1,
};

/** Splits a line into its command and parameters, the last one taking the rest. */
export function splitMessage(line: string): string[] {
  const space = line.indexOf(' ');
  const cmd = space < 0 ? line : line.slice(0, space);
  const n = PARAMS[cmd];
  if (n === undefined || n === 0 || space < 0) return [cmd];
  const rest = line.slice(space + 1);
  const out = [cmd];
  let at = 0;
  for (let i = 1; i < n; i++) {
    const next = rest.indexOf(' ', at);
    if (next < 0) break;
    out.push(rest.slice(at, next));
    at = next + 1;
  }
  out.push(rest.slice(at));
  return out;
}

interface Job {
  readonly done: (words: string[]) => boolean;
  readonly questions: Questions;
  readonly resolve: (words: string[]) => void;
  readonly reject: (e: Error) => void;
}

/** One running program. */
export class ExternalProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly jobs = new Map<string, Job>();
  private queue: Promise<unknown> = Promise.resolve();
  private nextJob = 1;
  private isAsync = false;
  private ended: Error | undefined;
  private readonly ready: Promise<void>;
  private said: string[] = [];

  constructor(
    readonly program: string,
    private readonly remote: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(program, [], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let versionSeen: (() => void) | undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      versionSeen = resolve;
      this.versionFailed = reject;
    });
    this.child.on('error', (e) => this.end(this.failure(`could not be started (${e.message})`)));
    this.child.on('exit', (code) => this.end(this.failure(`stopped (exit ${code ?? 'signal'})`)));
    this.child.stderr.on('data', (b: Buffer) => {
      this.said = [...this.said, ...b.toString('utf8').split('\n').filter(Boolean)].slice(-5);
    });
    this.child.stdin.on('error', () => undefined);
    const lines = createInterface({ input: this.child.stdout });
    let first = true;
    lines.on('line', (line) => {
      if (first) {
        first = false;
        if (!/^VERSION 1\b/.test(line)) {
          this.end(this.failure(`speaks another protocol ("${line.slice(0, 80)}")`));
          this.child.kill();
          return;
        }
        versionSeen?.();
        return;
      }
      this.onLine(line);
    });
    this.ready.catch(() => undefined);
    this.busy(); // until its first words; then idle whenever no request runs
  }

  private failure(what: string): FerryError {
    const said = this.said.length ? `: ${this.said.join(' / ').slice(0, 300)}` : '';
    return new FerryError('remote-unavailable', `${this.remote}: ${this.program} ${what}${said}`, {
      remote: this.remote,
    });
  }

  private versionFailed: ((e: Error) => void) | undefined;

  private end(e: Error): void {
    if (this.ended) return;
    this.ended = e;
    this.versionFailed?.(e);
    for (const job of this.jobs.values()) job.reject(e);
    this.jobs.clear();
  }

  /** The process does not keep Ferry running while it waits for work. */
  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin])
      (s as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref?: () => void }).ref?.();
  }

  private send(line: string, job?: string): void {
    this.child.stdin.write(`${job !== undefined && this.isAsync ? `J ${job} ` : ''}${line}\n`);
  }

  private onLine(raw: string): void {
    let line = raw;
    let id = '0';
    if (this.isAsync) {
      const m = /^J (\d+) (.*)$/.exec(raw);
      if (m) {
        id = m[1] ?? '0';
        line = m[2] ?? '';
      }
    }
    const job = this.jobs.get(id) ?? (this.isAsync ? undefined : [...this.jobs.values()][0]);
    if (!job) return;
    const words = splitMessage(line);
    const cmd = words[0] ?? '';
    if (cmd === 'ERROR') {
      job.reject(this.failure(`failed: ${words[1] ?? ''}`));
      this.jobs.delete(id);
      return;
    }
    if (cmd === 'PROGRESS') {
      job.questions.progress?.(Number(words[1]) || 0);
      return;
    }
    if (job.done(words)) {
      this.jobs.delete(id);
      job.resolve(words);
      return;
    }
    void Promise.resolve(job.questions.answer(words)).then(
      (reply) => {
        if (reply !== undefined) this.send(reply, id);
      },
      (e: unknown) => this.send(`ERROR ${e instanceof Error ? e.message : String(e)}`, id),
    );
  }

  /** Starts the conversation: VERSION, then EXTENSIONS (ASYNC taken when offered). */
  async start(): Promise<void> {
    await this.ready;
    const ext = await this.request(
      'EXTENSIONS INFO GETGITREMOTENAME ASYNC',
      { answer: () => undefined },
      (w) => ['EXTENSIONS', 'UNSUPPORTED-REQUEST'].includes(w[0] ?? ''),
    );
    this.isAsync = ext[0] === 'EXTENSIONS' && (ext[1] ?? '').split(' ').includes('ASYNC');
  }

  /**
   * Sends a request and answers the program's questions until a reply `done` accepts.
   * Without ASYNC, requests run one at a time.
   */
  request(
    line: string,
    questions: Questions,
    done: (words: string[]) => boolean,
  ): Promise<string[]> {
    const run = (): Promise<string[]> =>
      new Promise<string[]>((resolve, reject) => {
        if (this.ended) return reject(this.ended);
        const id = this.isAsync ? String(this.nextJob++) : '0';
        this.busy();
        this.jobs.set(id, {
          done,
          questions,
          resolve: (w) => {
            if (this.jobs.size === 0) this.idle();
            resolve(w);
          },
          reject: (e) => {
            if (this.jobs.size === 0) this.idle();
            reject(e);
          },
        });
        this.send(line, id);
      });
    if (this.isAsync) return run();
    const mine = this.queue.then(run, run);
    this.queue = mine.catch(() => undefined);
    return mine;
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  close(): void {
    this.end(this.failure('was closed'));
    this.child.stdin.end();
    this.child.kill();
  }
}
