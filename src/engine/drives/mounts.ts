/**
 * Where drives are mounted. A `MountSource` reports the full list of mounted filesystems that
 * could be drives whenever it changes; the drive manager diffs the lists. Two sources: UDisks2
 * over D-Bus (udisks2.ts) and the kernel's mount table (this file), for systems without UDisks2.
 */
import { readFile } from 'node:fs/promises';

export interface Mount {
  /** stable for one plug-in: the UDisks2 object path or the mount table's device */
  readonly id: string;
  readonly mountPoint: string;
  readonly device: string | null;
  readonly label: string | null;
  readonly isRemovable: boolean;
}

export type MountListener = (mounts: readonly Mount[]) => void;

export interface MountSource {
  /** for the log: which source is in use */
  readonly name: string;
  /** starts watching; `onChange` gets the first list at once. Rejects when the source is unavailable. */
  start(onChange: MountListener): Promise<void>;
  /** looks again now (a USB device was attached) */
  rescan(): Promise<void>;
  stop(): Promise<void>;
}

/** Filesystems a removable drive or disk carries. */
const DISK_FILESYSTEMS = new Set([
  'ext2',
  'ext3',
  'ext4',
  'vfat',
  'msdos',
  'exfat',
  'ntfs',
  'ntfs3',
  'fuseblk',
  'btrfs',
  'xfs',
  'f2fs',
  'hfsplus',
  'apfs',
  'udf',
  'iso9660',
]);

const SYSTEM_MOUNTS = /^\/(boot(\/.*)?|usr|var|home|opt|srv|nix(\/.*)?)?$/;

function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/mountinfo, keeping disk filesystems that are not the system's own. */
export function parseMountInfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const after = line.slice(dash + 3).split(' ');
    const mountPoint = unescapeMountField(before[4] ?? '');
    const fstype = after[0] ?? '';
    const source = unescapeMountField(after[1] ?? '');
    if (!mountPoint || SYSTEM_MOUNTS.test(mountPoint)) continue;
    if (!DISK_FILESYSTEMS.has(fstype) && !source.startsWith('/dev/')) continue;
    out.push({
      id: `${source} ${mountPoint}`,
      mountPoint,
      device: source.startsWith('/dev/') ? source : null,
      label: null,
      isRemovable: /^\/(media|run\/media|mnt)\//.test(mountPoint),
    });
  }
  return out;
}

export interface MountTableOptions {
  /** reads the mount table; default /proc/self/mountinfo */
  readonly read?: () => Promise<string>;
  /** how often to look when nothing hints at a change (ms); default 2000 */
  readonly intervalMs?: number;
}

/**
 * The kernel's mount table. Linux cannot wake a Node process on mount-table changes without a
 * native poll(), so this reads the (small) table every `intervalMs`, and at once on `rescan()`.
 */
export class MountTableSource implements MountSource {
  readonly name = 'the mount table (/proc/self/mountinfo)';
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private listener: MountListener | undefined;
  private isStopped = false;

  constructor(private readonly options: MountTableOptions = {}) {}

  async start(onChange: MountListener): Promise<void> {
    this.listener = onChange;
    const text = await this.read();
    this.last = JSON.stringify(parseMountInfo(text));
    onChange(parseMountInfo(text));
    this.schedule();
  }

  private read(): Promise<string> {
    return this.options.read ? this.options.read() : readFile('/proc/self/mountinfo', 'utf8');
  }

  private schedule(): void {
    if (this.isStopped) return;
    this.timer = setTimeout(
      () => void this.rescan().finally(() => this.schedule()),
      this.options.intervalMs ?? 2000,
    );
    this.timer.unref();
  }

  async rescan(): Promise<void> {
    if (this.isStopped) return;
    let mounts: Mount[];
    try {
      mounts = parseMountInfo(await this.read());
    } catch {
      return; // unreadable for a moment: keep the last list
    }
    const json = JSON.stringify(mounts);
    if (json === this.last) return;
    this.last = json;
    this.listener?.(mounts);
  }

  stop(): Promise<void> {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
    return Promise.resolve();
  }
}
