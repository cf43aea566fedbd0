/**
 * USB attach/detach as a hint to look at the mounts again: `usb` knows devices, never mount
 * points. Loaded lazily; on a machine without a USB subsystem (or without the native module)
 * there is simply no hint.
 */
import { errorMessage } from '../../shared/errors';

export interface UsbHint {
  stop(): void;
}

export async function watchUsb(
  onChange: () => void,
  log: (message: string) => void = () => undefined,
): Promise<UsbHint | undefined> {
  try {
    const { usb } = await import('usb');
    const native = usb as unknown as {
      INIT_ERROR?: unknown;
      _supportedHotplugEvents?: () => boolean;
    };
    // Without hotplug events `usb` would poll the device list twice a second: not worth it for a hint.
    if (native.INIT_ERROR || !native._supportedHotplugEvents?.()) {
      log('USB hotplug events are not available here; drives are noticed through their mounts');
      return undefined;
    }
    const handler = (): void => onChange();
    usb.on('attach', handler);
    usb.on('detach', handler);
    return {
      stop: () => {
        usb.off('attach', handler);
        usb.off('detach', handler);
      },
    };
  } catch (e) {
    log(`USB hotplug events unavailable (${errorMessage(e)})`);
    return undefined;
  }
}
