/**
 * Mounts as UDisks2 reports them over D-Bus: the ObjectManager's InterfacesAdded/Removed for
 * drives and filesystems appearing, and each filesystem's PropertiesChanged for MountPoints
 * (byte arrays ending in NUL). The bus is a parameter: the system bus in production, a private
 * bus in tests.
 */
import type * as dbus from 'dbus-next';
import type { Mount, MountListener, MountSource } from './mounts';

const SERVICE = 'org.freedesktop.UDisks2';
const ROOT = '/org/freedesktop/UDisks2';
const OBJECT_MANAGER = 'org.freedesktop.DBus.ObjectManager';
const PROPERTIES = 'org.freedesktop.DBus.Properties';
const BLOCK = 'org.freedesktop.UDisks2.Block';
const FILESYSTEM = 'org.freedesktop.UDisks2.Filesystem';
const DRIVE = 'org.freedesktop.UDisks2.Drive';

type Props = Record<string, dbus.Variant>;
type Interfaces = Record<string, Props>;

function value(v: dbus.Variant | undefined): unknown {
  return v === undefined ? undefined : (v.value as unknown);
}

/** An `ay` as UDisks2 sends paths: bytes with a trailing NUL. */
export function decodeBytePath(bytes: unknown): string {
  const b = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(Array.isArray(bytes) ? (bytes as number[]) : []);
  const end = b.indexOf(0);
  return b.subarray(0, end < 0 ? b.length : end).toString('utf8');
}

export class UDisks2Source implements MountSource {
  readonly name = 'UDisks2 over D-Bus';
  private readonly objects = new Map<string, Interfaces>();
  private readonly watched = new Map<string, dbus.ClientInterface>();
  private manager: dbus.ClientInterface | undefined;
  private listener: MountListener | undefined;
  private last = '';
  private isStopped = false;

  constructor(
    private readonly bus: dbus.MessageBus,
    private readonly options: { timeoutMs?: number } = {},
  ) {}

  async start(onChange: MountListener): Promise<void> {
    this.listener = onChange;
    const timeout = this.options.timeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    const connect = async (): Promise<void> => {
      const root = await this.bus.getProxyObject(SERVICE, ROOT);
      const manager = root.getInterface(OBJECT_MANAGER);
      this.manager = manager;
      manager.on('InterfacesAdded', (path: string, ifaces: Interfaces) => {
        const known = this.objects.get(path) ?? {};
        this.objects.set(path, { ...known, ...ifaces });
        void this.watch(path).finally(() => this.emit());
      });
      manager.on('InterfacesRemoved', (path: string, names: string[]) => {
        const known = this.objects.get(path);
        if (known) {
          for (const n of names) delete known[n];
          if (Object.keys(known).length === 0) this.objects.delete(path);
        }
        if (names.includes(FILESYSTEM)) this.unwatch(path);
        this.emit();
      });
      await this.load();
    };
    try {
      await Promise.race([
        connect(),
        new Promise<never>((_r, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer from ${SERVICE} within ${timeout} ms`)),
            timeout,
          );
        }),
      ]);
    } finally {
      if (timer) clearTimeout(timer);
    }
    this.emit();
  }

  private async load(): Promise<void> {
    const getAll = this.manager?.GetManagedObjects as (() => Promise<unknown>) | undefined;
    const all = (await getAll?.call(this.manager)) as Record<string, Interfaces> | undefined;
    this.objects.clear();
    for (const [path, ifaces] of Object.entries(all ?? {})) this.objects.set(path, ifaces);
    await Promise.all([...this.objects.keys()].map((p) => this.watch(p)));
  }

  /** Follows a filesystem's MountPoints. */
  private async watch(path: string): Promise<void> {
    if (this.watched.has(path) || !this.objects.get(path)?.[FILESYSTEM]) return;
    try {
      const obj = await this.bus.getProxyObject(SERVICE, path);
      const props = obj.getInterface(PROPERTIES);
      props.on('PropertiesChanged', (iface: string, changed: Props) => {
        const known = this.objects.get(path);
        if (!known) return;
        known[iface] = { ...(known[iface] ?? {}), ...changed };
        this.emit();
      });
      this.watched.set(path, props);
      // A mount between InterfacesAdded and the subscription would be missed: read it now.
      const getAll = props.GetAll as ((iface: string) => Promise<Props>) | undefined;
      const now = await getAll?.call(props, FILESYSTEM);
      const known = this.objects.get(path);
      if (known && now) known[FILESYSTEM] = { ...(known[FILESYSTEM] ?? {}), ...now };
    } catch {
      // gone again before we looked: InterfacesRemoved follows
    }
  }

  private unwatch(path: string): void {
    const props = this.watched.get(path);
    props?.removeAllListeners('PropertiesChanged');
    this.watched.delete(path);
  }

  /** The mounted filesystems now. */
  mounts(): Mount[] {
    const out: Mount[] = [];
    for (const [path, ifaces] of this.objects) {
      const fs = ifaces[FILESYSTEM];
      if (!fs) continue;
      const points = (value(fs.MountPoints) as unknown[] | undefined) ?? [];
      const block = ifaces[BLOCK] ?? {};
      const drivePath = value(block.Drive) as string | undefined;
      const drive = drivePath ? this.objects.get(drivePath)?.[DRIVE] : undefined;
      const removable =
        value(drive?.Removable) === true ||
        value(drive?.MediaRemovable) === true ||
        value(drive?.ConnectionBus) === 'usb';
      for (const p of points) {
        const mountPoint = decodeBytePath(p);
        if (!mountPoint) continue;
        out.push({
          id: path,
          mountPoint,
          device: block.Device ? decodeBytePath(value(block.Device)) || null : null,
          label: (value(block.IdLabel) as string | undefined) || null,
          isRemovable: removable,
        });
      }
    }
    return out.sort((a, b) => a.mountPoint.localeCompare(b.mountPoint));
  }

  private emit(): void {
    if (this.isStopped) return;
    const mounts = this.mounts();
    const json = JSON.stringify(mounts);
    if (json === this.last) return;
    this.last = json;
    this.listener?.(mounts);
  }

  async rescan(): Promise<void> {
    if (this.isStopped || !this.manager) return;
    await this.load().catch(() => undefined);
    this.emit();
  }

  stop(): Promise<void> {
    this.isStopped = true;
    this.manager?.removeAllListeners();
    for (const p of [...this.watched.keys()]) this.unwatch(p);
    return Promise.resolve();
  }
}
