/**
 * The only file that imports electron: it supplies the shell's ports (tray, window, notifier,
 * app) and the IPC glue. Hardened per Electron's security checklist: context isolation, sandbox,
 * no node integration, a CSP on every response, no navigation, no new windows, permission
 * requests denied, nothing remote loaded, and every IPC sender checked against our own window.
 */
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  session,
  shell as desktop,
  Tray,
} from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createNodeEngine, dispatch, type Engine } from '../engine';
import {
  COMMAND_NAMES,
  IPC_COMMAND_CHANNEL,
  IPC_EVENT_CHANNEL,
  type CommandName,
  type EngineEvent,
} from '../shared/ipc';
import { Shell, type MenuItem, type TrayState } from './shell';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function startElectronApp(rootDir: string): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  let window: BrowserWindow | undefined;
  let tray: Tray | undefined;
  let shell: Shell | undefined;
  const rendererIndex = join(rootDir, 'out', 'renderer', 'index.html');
  const rendererUrl = pathToFileURL(rendererIndex).href;

  const trayIcon = (state: TrayState): Electron.NativeImage => {
    // macOS: template images that follow the menu bar's colour; Windows: .ico (16 and 32 px)
    const name =
      process.platform === 'darwin'
        ? `${state}Template.png`
        : process.platform === 'win32'
          ? `${state}.ico`
          : `${state}.png`;
    return nativeImage.createFromPath(join(rootDir, 'assets', 'tray', name));
  };

  function openWindow(): void {
    if (window && !window.isDestroyed()) {
      window.show();
      window.focus();
      return;
    }
    window = new BrowserWindow({
      width: 1100,
      height: 760,
      title: 'Ferry',
      show: false,
      webPreferences: {
        preload: join(rootDir, 'out', 'preload', 'index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
      },
    });
    window.once('ready-to-show', () => window?.show());
    window.webContents.on('will-navigate', (event, url) => {
      if (url !== rendererUrl) event.preventDefault();
    });
    window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    void window.loadFile(rendererIndex);
  }

  ipcMain.handle(IPC_COMMAND_CHANNEL, async (event, name: unknown, args: unknown) => {
    if (!window || window.isDestroyed() || event.sender !== window.webContents)
      throw new Error('IPC from an unknown sender');
    if (event.senderFrame?.url !== rendererUrl) throw new Error('IPC from an unexpected page');
    if (typeof name !== 'string' || !COMMAND_NAMES.includes(name as CommandName))
      throw new Error('unknown command');
    return dispatch(engine.handlers(), name as CommandName, args as never);
  });

  let engine: Engine;

  void app.whenReady().then(async () => {
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] },
      });
    });
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) =>
      callback(false),
    );
    // Checks (asked without a prompt, e.g. clipboard or media queries) are refused too.
    session.defaultSession.setPermissionCheckHandler(() => false);
    const log = (m: string): void => console.log(m);
    const node = await createNodeEngine({
      stateDir: join(app.getPath('userData')),
      log,
      logFile: join(app.getPath('userData'), 'ferry.log'),
      peers: process.env.FERRY_PEERS !== 'off',
      // a conflict's version, opened from the window (the engine checks it is one)
      openPath: async (path) => {
        const problem = await desktop.openPath(path);
        if (problem) throw new Error(problem);
      },
    });
    engine = node.engine;
    tray = new Tray(trayIcon('idle'));
    tray.on('click', openWindow);
    shell = new Shell(engine, {
      tray: {
        setState: (state, tooltip) => {
          tray?.setImage(trayIcon(state));
          tray?.setToolTip(tooltip);
        },
        setMenu: (items: readonly MenuItem[]) => {
          tray?.setContextMenu(
            Menu.buildFromTemplate(
              items.map((i) =>
                i.action === 'separator'
                  ? { type: 'separator' as const }
                  : i.action === 'start-at-login'
                    ? {
                        label: i.label,
                        type: 'checkbox' as const,
                        checked: i.checked ?? false,
                        click: () => void shell?.act('start-at-login'),
                      }
                    : {
                        label: i.label,
                        enabled: i.enabled ?? true,
                        click: () => {
                          if (i.action !== 'status' && i.action !== 'separator')
                            void shell?.act(i.action);
                        },
                      },
              ),
            ),
          );
        },
      },
      window: {
        show: openWindow,
        send: (e: EngineEvent) => {
          if (window && !window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, e);
        },
      },
      notifier: {
        notify: (title, body) => {
          if (Notification.isSupported()) new Notification({ title, body }).show();
        },
      },
      app: {
        quit: () => app.quit(),
        chooseFolder: async () => {
          const r = await dialog.showOpenDialog({
            properties: ['openDirectory', 'createDirectory'],
          });
          return r.canceled ? undefined : r.filePaths[0];
        },
        isStartingAtLogin: () => app.getLoginItemSettings().openAtLogin,
        setStartAtLogin: (on) => app.setLoginItemSettings({ openAtLogin: on }),
      },
    });
    await engine.start();
    await shell.start();
    openWindow();
    app.on('before-quit', () => {
      shell?.stop();
      void node.stop();
    });
  });
  app.on('second-instance', openWindow);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('window-all-closed', () => {
    // a tray app keeps running with no window
  });
}
