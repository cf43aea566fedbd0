/** Ferry devices as the window shows them: this one, the paired ones and those waiting. */

export interface ThisDevice {
  readonly id: string;
  readonly name: string;
  /** the port other devices reach this one on */
  readonly port: number;
}

export interface PairedDeviceView {
  readonly deviceId: string;
  /** the remote's name in the folder (the device's name when it was paired) */
  readonly remote: string;
  /** the folder (repository UUID) it is paired for */
  readonly repository: string;
  readonly state: 'online' | 'offline' | 'unknown';
  /** where it was reached (online) or last reached */
  readonly address: string | null;
  /** since when it is in this state (ms), when known */
  readonly since: number | null;
  /** why it is offline */
  readonly message: string | null;
}

export interface PendingDeviceView {
  readonly deviceId: string;
  readonly name: string;
  readonly address: string;
  /** the folder (repository UUID) it asked for */
  readonly repository: string;
  readonly at: number;
}

export interface DevicesView {
  /** null when this Ferry is not a device (peers off, or its port taken) */
  readonly me: ThisDevice | null;
  readonly paired: readonly PairedDeviceView[];
  readonly pending: readonly PendingDeviceView[];
}

export interface ShareCode {
  readonly code: string;
  readonly deviceId: string;
  readonly deviceName: string;
  readonly expiresAt: number;
}
