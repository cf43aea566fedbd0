/**
 * Special remotes' configuration as git-annex keeps it: one line per remote in the git-annex
 * branch's `remote.log` (`<uuid> k=v... timestamp=<t>s`, keys sorted, whitespace and `&`
 * escaped as `&<code>;`), what stays on this machine in `.git/config` (`remote.<name>.annex-uuid`,
 * the kind's own entries such as `annex-directory`, `skipFetchAll`), and credentials in
 * `.git/annex/creds/<uuid>` (mode 0600, `user\npassword\n`). Either tool enables a remote the
 * other made.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { AnnexBranch } from '../annex/branch';
import { parseRemoteConfig, parseUuidLog, setUuidLogValue } from '../annex/logs';
import { setDescription } from '../annex/repo-config';
import type { Repository } from '../annex/repository';
import { nowTimestamp } from '../annex/timestamp';
import { errnoCode, FerryError } from '../errors';
import { getConfig, listRemotes, setConfig } from '../git/read';
import { markHistory } from './annex-url';
import { chunkSizeOf } from './chunks';
import { newSharedCipher } from './encryption';

export type Fields = ReadonlyMap<string, string>;

/** Every special remote in remote.log: UUID → its fields. */
export async function readRemoteLog(repo: Repository): Promise<Map<string, Map<string, string>>> {
  const text = await new AnnexBranch(repo).read('remote.log').catch(() => '');
  const out = new Map<string, Map<string, string>>();
  for (const [uuid, entry] of parseUuidLog(text)) out.set(uuid, parseRemoteConfig(entry.value));
  return out;
}

function escape(s: string): string {
  return s.replace(/[\s&]/g, (c) => `&${c.codePointAt(0)};`);
}

/** remote.log's value for these fields: sorted `k=v` pairs. */
export function formatRemoteConfig(fields: Fields): string {
  return [...fields]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${escape(k)}=${escape(v)}`)
    .join(' ');
}

export async function writeRemoteConfig(
  repo: Repository,
  uuid: string,
  fields: Fields,
): Promise<void> {
  const value = formatRemoteConfig(fields);
  await new AnnexBranch(repo).change('remote.log', (old) =>
    setUuidLogValue(old, uuid, value, nowTimestamp()),
  );
}

/** Parses `k=v` arguments as git-annex takes them on its command line. */
export function parseParams(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new FerryError('usage', `"${a}" is not a parameter of the form name=value`);
    out.set(a.slice(0, eq), a.slice(eq + 1));
  }
  return out;
}

// ---------- credentials ----------

export interface Creds {
  readonly user: string;
  readonly password: string;
}

function credsPath(repo: Repository, uuid: string): string {
  return join(repo.annexdir, 'creds', uuid);
}

export async function readCreds(repo: Repository, uuid: string): Promise<Creds | undefined> {
  const text = await fsp.readFile(credsPath(repo, uuid), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const [user = '', password = ''] = text.split('\n');
  return { user, password };
}

export async function writeCreds(repo: Repository, uuid: string, creds: Creds): Promise<void> {
  const path = credsPath(repo, uuid);
  await fsp.mkdir(join(repo.annexdir, 'creds'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  await fsp.writeFile(tmp, `${creds.user}\n${creds.password}\n`, { mode: 0o600 });
  await fsp.chmod(tmp, 0o600);
  await fsp.rename(tmp, path);
}

/** The credentials named by two environment variables, when both are set. */
export function credsFromEnv(
  userVar: string,
  passwordVar: string,
  env = process.env,
): Creds | undefined {
  const user = env[userVar];
  const password = env[passwordVar];
  return user && password ? { user, password } : undefined;
}

// ---------- initremote / enableremote ----------

/** What a special remote kind says about its configuration (one per kind file). */
export interface SpecialKindSpec {
  /** remote.log's `type=` */
  readonly type: string;
  /** parameters kept in `.git/config` (`annex-<param>`) rather than remote.log */
  readonly localParams?: readonly string[];
  /** `.git/config` entries that mark the kind (`annex-s3=true`) beyond the local params */
  readonly marker?: Readonly<Record<string, string>>;
  /** `.git/config` entries that depend on the fields (`annex-externaltype`) */
  markerOf?(fields: Fields): Record<string, string>;
  /** environment variables holding the login, read at initremote and enableremote */
  readonly credsEnv?: readonly [user: string, password: string];
  /** fields it fills in by default (a bucket name, a datacenter) */
  defaults?(fields: Map<string, string>, uuid: string): void;
  /**
   * Checks the remote and readies it (a folder exists, a bucket made and its annex-uuid
   * written, an external program's INITREMOTE); may add fields. `isNew`: initremote.
   */
  setup(ctx: SetupContext): Promise<void>;
}

export interface SetupContext {
  readonly repo: Repository;
  readonly name: string;
  readonly uuid: string;
  readonly fields: Map<string, string>;
  readonly local: ReadonlyMap<string, string>;
  readonly creds: Creds | undefined;
  readonly isNew: boolean;
}

export interface SpecialRemoteConfig {
  readonly name: string;
  readonly uuid: string;
  readonly fields: Fields;
}

/** `ferry initremote NAME type=... encryption=... [k=v...]`, as `git annex initremote`. */
/** `history`: the remote carries git history too (`annex-url.ts` markHistory; default on). */
export interface EnableOptions {
  readonly history?: boolean;
  /** the login, when it does not come from the environment (the window) */
  readonly creds?: Creds;
}

export async function initRemote(
  repo: Repository,
  name: string,
  params: Map<string, string>,
  specs: readonly SpecialKindSpec[],
  options: EnableOptions = {},
): Promise<SpecialRemoteConfig> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new FerryError('usage', `"${name}" cannot name a remote (letters, digits, . _ -)`);
  if ((await listRemotes(repo.git)).some((r) => r.remote === name))
    throw new FerryError('usage', `there is already a remote named "${name}"`);
  for (const fields of (await readRemoteLog(repo)).values())
    if (fields.get('name') === name)
      throw new FerryError(
        'usage',
        `there is already a special remote named "${name}" (use ferry enableremote ${name})`,
      );
  const type = params.get('type');
  const spec = specs.find((s) => s.type.toLowerCase() === type?.toLowerCase());
  if (!spec)
    throw new FerryError(
      'usage',
      `${type ? `type=${type} is not a kind Ferry knows` : 'type= is missing'}; one of: ${specs.map((s) => s.type).join(', ')}`,
    );
  const encryption = params.get('encryption');
  if (encryption === undefined)
    throw new FerryError(
      'usage',
      'say which encryption: encryption=none or encryption=shared (hybrid and pubkey are not supported yet)',
    );
  if (encryption !== 'none' && encryption !== 'shared')
    throw new FerryError(
      'usage',
      `encryption=${encryption} is not supported yet: use none or shared`,
    );
  const uuid = randomUUID();
  const { fields, local } = split(params, spec);
  fields.set('type', spec.type);
  fields.set('name', name);
  if (encryption === 'shared') fields.set('cipher', newSharedCipher());
  spec.defaults?.(fields, uuid);
  chunkSizeOf(fields, name);
  const creds = spec.credsEnv ? (options.creds ?? credsFromEnv(...spec.credsEnv)) : undefined;
  await spec.setup({ repo, name, uuid, fields, local, creds, isNew: true });
  if (creds) await writeCreds(repo, uuid, creds);
  await writeRemoteConfig(repo, uuid, fields);
  await setDescription(new AnnexBranch(repo), uuid, name);
  await writeGitConfig(repo, name, uuid, spec, local, fields, options);
  await new AnnexBranch(repo).commit();
  return { name, uuid, fields };
}

/** `ferry enableremote NAME [k=v...]`: a remote made by another clone (or git-annex) used here. */
export async function enableRemote(
  repo: Repository,
  name: string,
  params: Map<string, string>,
  specs: readonly SpecialKindSpec[],
  options: EnableOptions = {},
): Promise<SpecialRemoteConfig> {
  const log = await readRemoteLog(repo);
  const found = [...log].find(([uuid, f]) => f.get('name') === name || uuid === name);
  if (!found) {
    const names = [...log.values()].map((f) => f.get('name')).filter(Boolean);
    throw new FerryError(
      'remote-unknown',
      `no special remote is named "${name}"${names.length ? `; known: ${names.join(', ')}` : ' (ferry initremote makes one)'}`,
      { remote: name },
    );
  }
  const [uuid, stored] = found;
  const type = stored.get('type') ?? '';
  const spec = specs.find((s) => s.type.toLowerCase() === type.toLowerCase());
  if (!spec)
    throw new FerryError(
      'usage',
      `remote "${name}" is of type ${type}, which Ferry does not support yet`,
    );
  const { fields: changed, local } = split(params, spec);
  const fields = new Map([...stored, ...changed]);
  const gitName = stored.get('name') ?? name;
  const creds =
    (spec.credsEnv ? (options.creds ?? credsFromEnv(...spec.credsEnv)) : undefined) ??
    (await readCreds(repo, uuid));
  const localNow = new Map(local);
  for (const p of spec.localParams ?? [])
    if (!localNow.has(p)) {
      const v = await getConfig(repo.git, `remote.${gitName}.annex-${p}`);
      if (v !== undefined) localNow.set(p, v);
    }
  await spec.setup({ repo, name: gitName, uuid, fields, local: localNow, creds, isNew: false });
  if (creds) await writeCreds(repo, uuid, creds);
  if (changed.size > 0) await writeRemoteConfig(repo, uuid, fields);
  await writeGitConfig(repo, gitName, uuid, spec, localNow, fields, options);
  if (changed.size > 0) await new AnnexBranch(repo).commit();
  return { name: gitName, uuid, fields };
}

function split(
  params: Map<string, string>,
  spec: SpecialKindSpec,
): { fields: Map<string, string>; local: Map<string, string> } {
  const fields = new Map<string, string>();
  const local = new Map<string, string>();
  for (const [k, v] of params) {
    if (k === 'type' || k === 'name') continue;
    if (spec.localParams?.includes(k)) local.set(k, v);
    else fields.set(k, v);
  }
  return { fields, local };
}

async function writeGitConfig(
  repo: Repository,
  name: string,
  uuid: string,
  spec: SpecialKindSpec,
  local: ReadonlyMap<string, string>,
  fields: Fields,
  options: EnableOptions,
): Promise<void> {
  for (const [k, v] of local) await setConfig(repo.git, `remote.${name}.annex-${k}`, v);
  if (options.history !== false) {
    // git history in the remote too, in git-remote-annex's layout (`annex::`: this remote)
    await markHistory(repo.git, name);
    await setConfig(repo.git, `remote.${name}.fetch`, `+refs/heads/*:refs/remotes/${name}/*`);
  }
  for (const [k, v] of Object.entries({ ...spec.marker, ...spec.markerOf?.(fields) }))
    await setConfig(repo.git, `remote.${name}.${k}`, v);
  await setConfig(repo.git, `remote.${name}.annex-uuid`, uuid);
  await setConfig(repo.git, `remote.${name}.skipFetchAll`, 'true');
}

/** A special remote's remote.log fields, by its UUID (throws when remote.log lacks it). */
export async function specialFields(
  repo: Repository,
  uuid: string | undefined,
  name: string,
): Promise<Map<string, string>> {
  const fields = uuid ? (await readRemoteLog(repo)).get(uuid) : undefined;
  if (!fields)
    throw new FerryError(
      'remote-unavailable',
      `remote "${name}" is not in remote.log (run ferry enableremote ${name})`,
      { remote: name },
    );
  return fields;
}

export function isMissing(e: unknown): boolean {
  return errnoCode(e) === 'ENOENT';
}
