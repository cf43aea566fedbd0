/** The preload: one function per command, and on(listener) returning an unsubscribe. */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  COMMAND_NAMES,
  IPC_COMMAND_CHANNEL,
  IPC_EVENT_CHANNEL,
  type EngineEvent,
  type FerryApi,
} from '../shared/ipc';

const api = Object.fromEntries(
  COMMAND_NAMES.map((name) => [
    name,
    (args: unknown) => ipcRenderer.invoke(IPC_COMMAND_CHANNEL, name, args),
  ]),
) as unknown as Omit<FerryApi, 'on'>;

const exposed: FerryApi & { pathForFile(file: File): string } = {
  ...api,
  /** where a dropped folder lives (the renderer cannot see paths itself) */
  pathForFile: (file) => webUtils.getPathForFile(file),
  on(listener) {
    const wrapped = (_event: IpcRendererEvent, payload: EngineEvent): void => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('ferry', exposed);
