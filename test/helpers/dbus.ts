/**
 * A private D-Bus daemon and a fake org.freedesktop.UDisks2 service on it, for drive tests and
 * the drive benchmark: drives are plugged, mounted at a folder, unmounted and unplugged by
 * calling methods here, which emit what the real UDisks2 emits.
 */
import { execFileSync } from 'node:child_process';
import * as dbus from 'dbus-next';

export interface PrivateBus {
  readonly address: string;
  stop(): void;
}

export function startPrivateBus(): PrivateBus {
  const out = execFileSync(
    'dbus-daemon',
    ['--session', '--print-address=1', '--print-pid=1', '--fork', '--nopidfile'],
    { encoding: 'utf8' },
  );
  const [address, pid] = out.trim().split('\n');
  if (!address || !pid) throw new Error(`dbus-daemon printed ${out}`);
  return {
    address,
    stop: () => {
      try {
        process.kill(Number(pid));
      } catch {
        // already gone
      }
    },
  };
}

const { Interface } = dbus.interface;
type Ifaces = Record<string, Record<string, dbus.Variant>>;

const bytePath = (p: string): Buffer => Buffer.from(`${p}\0`, 'utf8');

class ObjectManager extends Interface {
  constructor(private readonly fake: FakeUDisks2) {
    super('org.freedesktop.DBus.ObjectManager');
  }
  GetManagedObjects(): Record<string, Ifaces> {
    return this.fake.managedObjects();
  }
  InterfacesAdded(path: string, ifaces: Ifaces): [string, Ifaces] {
    return [path, ifaces];
  }
  InterfacesRemoved(path: string, names: string[]): [string, string[]] {
    return [path, names];
  }
}
(ObjectManager as unknown as { configureMembers(m: unknown): void }).configureMembers({
  methods: { GetManagedObjects: { inSignature: '', outSignature: 'a{oa{sa{sv}}}' } },
  signals: {
    InterfacesAdded: { signature: 'oa{sa{sv}}' },
    InterfacesRemoved: { signature: 'oas' },
  },
});

class Block extends Interface {
  Device: Buffer;
  IdLabel: string;
  Drive: string;
  constructor(device: string, label: string, drive: string) {
    super('org.freedesktop.UDisks2.Block');
    this.Device = bytePath(device);
    this.IdLabel = label;
    this.Drive = drive;
  }
}
(Block as unknown as { configureMembers(m: unknown): void }).configureMembers({
  properties: {
    Device: { signature: 'ay', access: 'read' },
    IdLabel: { signature: 's', access: 'read' },
    Drive: { signature: 'o', access: 'read' },
  },
});

class Filesystem extends Interface {
  MountPoints: Buffer[] = [];
  constructor() {
    super('org.freedesktop.UDisks2.Filesystem');
  }
}
(Filesystem as unknown as { configureMembers(m: unknown): void }).configureMembers({
  properties: { MountPoints: { signature: 'aay', access: 'read' } },
});

class Drive extends Interface {
  Removable = true;
  ConnectionBus = 'usb';
  constructor() {
    super('org.freedesktop.UDisks2.Drive');
  }
}
(Drive as unknown as { configureMembers(m: unknown): void }).configureMembers({
  properties: {
    Removable: { signature: 'b', access: 'read' },
    ConnectionBus: { signature: 's', access: 'read' },
  },
});

interface Plugged {
  readonly drivePath: string;
  readonly blockPath: string;
  readonly drive: Drive;
  readonly block: Block;
  readonly fs: Filesystem;
}

const ROOT = '/org/freedesktop/UDisks2';

export class FakeUDisks2 {
  private readonly plugged = new Map<string, Plugged>();
  private readonly manager = new ObjectManager(this);

  private constructor(readonly bus: dbus.MessageBus) {}

  static async start(address: string): Promise<FakeUDisks2> {
    const bus = dbus.sessionBus({ busAddress: address });
    const fake = new FakeUDisks2(bus);
    await bus.requestName('org.freedesktop.UDisks2', 0);
    bus.export(ROOT, fake.manager);
    return fake;
  }

  managedObjects(): Record<string, Ifaces> {
    const out: Record<string, Ifaces> = {};
    for (const p of this.plugged.values()) {
      out[p.drivePath] = { 'org.freedesktop.UDisks2.Drive': this.driveProps(p) };
      out[p.blockPath] = this.blockIfaces(p);
    }
    return out;
  }

  private driveProps(p: Plugged): Record<string, dbus.Variant> {
    return {
      Removable: new dbus.Variant('b', p.drive.Removable),
      ConnectionBus: new dbus.Variant('s', p.drive.ConnectionBus),
    };
  }

  private blockIfaces(p: Plugged): Ifaces {
    return {
      'org.freedesktop.UDisks2.Block': {
        Device: new dbus.Variant('ay', p.block.Device),
        IdLabel: new dbus.Variant('s', p.block.IdLabel),
        Drive: new dbus.Variant('o', p.block.Drive),
      },
      'org.freedesktop.UDisks2.Filesystem': {
        MountPoints: new dbus.Variant('aay', p.fs.MountPoints),
      },
    };
  }

  /** A USB stick with one filesystem appears (not mounted yet). */
  plug(name: string, label = name): void {
    const drivePath = `${ROOT}/drives/${name}`;
    const blockPath = `${ROOT}/block_devices/${name}1`;
    const p: Plugged = {
      drivePath,
      blockPath,
      drive: new Drive(),
      block: new Block(`/dev/${name}1`, label, drivePath),
      fs: new Filesystem(),
    };
    this.plugged.set(name, p);
    this.bus.export(drivePath, p.drive);
    this.bus.export(blockPath, p.block);
    this.bus.export(blockPath, p.fs);
    this.manager.InterfacesAdded(drivePath, {
      'org.freedesktop.UDisks2.Drive': this.driveProps(p),
    });
    this.manager.InterfacesAdded(blockPath, this.blockIfaces(p));
  }

  /** Its filesystem is mounted at `path` (MountPoints changes, as udisksd reports a mount). */
  mount(name: string, path: string): void {
    const p = this.plugged.get(name);
    if (!p) throw new Error(`${name} is not plugged in`);
    p.fs.MountPoints = [bytePath(path)];
    Interface.emitPropertiesChanged(p.fs, { MountPoints: p.fs.MountPoints }, []);
  }

  unmount(name: string): void {
    const p = this.plugged.get(name);
    if (!p) return;
    p.fs.MountPoints = [];
    Interface.emitPropertiesChanged(p.fs, { MountPoints: [] }, []);
  }

  /** Pulled out: the objects go away (after an unmount, or without one). */
  unplug(name: string): void {
    const p = this.plugged.get(name);
    if (!p) return;
    this.plugged.delete(name);
    this.manager.InterfacesRemoved(p.blockPath, [
      'org.freedesktop.UDisks2.Block',
      'org.freedesktop.UDisks2.Filesystem',
    ]);
    this.manager.InterfacesRemoved(p.drivePath, ['org.freedesktop.UDisks2.Drive']);
    this.bus.unexport(p.blockPath, p.block);
    this.bus.unexport(p.drivePath, p.drive);
  }

  stop(): void {
    this.bus.disconnect();
  }
}
