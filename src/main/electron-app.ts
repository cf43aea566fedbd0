/**
 * The only file that imports electron. Hardened per Electron's security checklist: context
 * isolation, sandbox, no node integration, a CSP, no navigation, no new windows, and every IPC
 * sender checked against our own window.
 */
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Tray } from 'electron';
import { join } from 'node:path';
import { COMMAND_NAMES, IPC_COMMAND_CHANNEL, type CommandName } from '../shared/ipc';
import { createHandlers, dispatch, trayStateFor, type TrayPort } from './shell';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

export function startElectronApp(rootDir: string, folders: string[]): void {
  const handlers = createHandlers(folders);
  let window: BrowserWindow | undefined;
  let tray: Tray | undefined;

  const trayPort: TrayPort = {
    setState(state, tooltip) {
      tray?.setImage(nativeImage.createFromPath(join(rootDir, 'assets', 'tray', `${state}.png`)));
      tray?.setToolTip(tooltip);
    },
  };

  function openWindow(): void {
    if (window && !window.isDestroyed()) {
      window.show();
      return;
    }
    window = new BrowserWindow({
      width: 1000,
      height: 700,
      title: 'Ferry',
      webPreferences: {
        preload: join(rootDir, 'out', 'preload', 'index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
      },
    });
    window.webContents.session.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
      });
    });
    window.webContents.on('will-navigate', (event) => event.preventDefault());
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    void window.loadFile(join(rootDir, 'out', 'renderer', 'index.html'));
  }

  ipcMain.handle(IPC_COMMAND_CHANNEL, async (event, name: unknown, args: unknown) => {
    if (!window || event.sender !== window.webContents)
      throw new Error('IPC from an unknown sender');
    if (typeof name !== 'string' || !COMMAND_NAMES.includes(name as CommandName))
      throw new Error('unknown command');
    return dispatch(handlers, name as CommandName, args as never);
  });

  void app.whenReady().then(async () => {
    tray = new Tray(nativeImage.createFromPath(join(rootDir, 'assets', 'tray', 'idle.png')));
    tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Open Ferry', click: openWindow },
        { type: 'separator' },
        { label: 'Quit', click: () => app.quit() },
      ]),
    );
    const { state, tooltip } = trayStateFor(await handlers.listRepositories());
    trayPort.setState(state, tooltip);
    openWindow();
  });
  app.on('window-all-closed', () => {
    // a tray app keeps running with no window
  });
}
