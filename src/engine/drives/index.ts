/**
 * Picks how drives are watched: UDisks2 on the system bus when it answers, else the mount
 * table; USB attach/detach, where the kernel reports it, makes the source look again at once.
 */
import type * as Dbus from 'dbus-next';
import { MountTableSource, type MountSource } from './mounts';
import { UDisks2Source } from './udisks2';
import { watchUsb, type UsbHint } from './usb-hint';
import { errorMessage } from '../../shared/errors';

export interface DriveWatch {
  readonly source: MountSource;
  close(): Promise<void>;
}

export async function chooseMountSource(
  log: (message: string) => void,
  options: { busAddress?: string } = {},
): Promise<DriveWatch> {
  let bus: Dbus.MessageBus | undefined;
  let source: MountSource;
  try {
    // loaded when drives are watched, not by every `ferry` command (about 30 ms and 10 MB)
    const dbus = await import('dbus-next');
    bus = options.busAddress
      ? dbus.sessionBus({ busAddress: options.busAddress })
      : dbus.systemBus();
    const broken = new Promise<never>((_resolve, reject) => bus?.once('error', reject));
    bus.on('error', () => undefined); // reported through the probe below; never fatal
    const udisks = new UDisks2Source(bus, { timeoutMs: 2000 });
    // probe: started for real later, through the drive manager
    await Promise.race([udisks.start(() => undefined), broken]);
    await udisks.stop();
    source = new UDisks2Source(bus, { timeoutMs: 2000 });
  } catch (e) {
    log(`drives: UDisks2 is not available (${errorMessage(e)}); using the mount table`);
    bus?.disconnect();
    bus = undefined;
    source = new MountTableSource();
  }
  const hint: UsbHint | undefined = await watchUsb(() => void source.rescan(), log);
  return {
    source,
    close: async () => {
      hint?.stop();
      await source.stop();
      bus?.disconnect();
    },
  };
}
