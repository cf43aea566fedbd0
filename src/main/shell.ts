/**
 * The desktop shell's logic, written against small interfaces (tray, window, notifier, app) so it
 * is tested without Electron. electron-app.ts is the only file that imports electron and supplies
 * the real implementations. The tray's look, its menu and the notifications are pure functions of
 * the engine's state and events.
 */
import type { Engine } from '../engine';
import { formatBytes } from '../shared/format';
import type { EngineEvent, EngineSnapshot, RepositoryView } from '../shared/ipc';
import type { TransferControlState, TransferSnapshot } from '../shared/transfers';
import { notificationFor } from '../shared/event-text';

export { notificationFor };

export type TrayState = 'idle' | 'syncing' | 'paused' | 'error' | 'offline';

export interface TrayPort {
  setState(state: TrayState, tooltip: string): void;
  setMenu(items: readonly MenuItem[]): void;
}

export interface WindowPort {
  /** opens the window, or brings it to the front */
  show(): void;
  /** sends an engine event to the renderer, if the window is open */
  send(event: EngineEvent): void;
}

export interface NotifierPort {
  notify(title: string, body: string): void;
}

export interface AppPort {
  quit(): void;
  /** asks the user for a folder (a dialog); undefined when cancelled */
  chooseFolder(): Promise<string | undefined>;
  isStartingAtLogin(): boolean;
  setStartAtLogin(on: boolean): void;
}

export type MenuAction =
  'open' | 'pause-all' | 'resume-all' | 'sync-now' | 'add-folder' | 'start-at-login' | 'quit';

export interface MenuItem {
  readonly action: MenuAction | 'separator' | 'status';
  readonly label: string;
  readonly checked?: boolean;
  readonly enabled?: boolean;
}

export interface ShellState {
  readonly repositories: readonly RepositoryView[];
  readonly transfers: readonly TransferSnapshot[];
  readonly control: TransferControlState;
}

/**
 * Pure: the shell's state after one engine event, as the window's store keeps its own: a folder's
 * new status, a transfer's new state (transfers that ended leave), new control state. No event
 * needs a whole snapshot.
 */
export function applyToShell(s: ShellState, e: EngineEvent): ShellState {
  switch (e.type) {
    case 'repository-changed': {
      const others = s.repositories.filter((r) => r.uuid !== e.status.uuid);
      return { ...s, repositories: [...others, e.status] };
    }
    case 'repository-removed':
      return { ...s, repositories: s.repositories.filter((r) => r.uuid !== e.repository) };
    case 'transfer-changed': {
      const others = s.transfers.filter((t) => t.id !== e.transfer.id);
      const isOver = e.transfer.state === 'done' || e.transfer.state === 'cancelled';
      return { ...s, transfers: isOver ? others : [...others, e.transfer] };
    }
    case 'transfer-gone':
      return { ...s, transfers: s.transfers.filter((t) => t.id !== e.id) };
    case 'transfers-progressed': {
      const byId = new Map(e.progress.map((p) => [p.id, p]));
      return {
        ...s,
        transfers: s.transfers.map((t) => {
          const p = byId.get(t.id);
          return p ? { ...t, bytesDone: p.bytesDone, rate: p.rate, etaSeconds: p.etaSeconds } : t;
        }),
      };
    }
    case 'control-changed':
      return { ...s, control: e.control };
    default:
      return s;
  }
}

/**
 * Pure: the tray's look and tooltip. Error beats paused beats offline beats syncing beats idle;
 * conflicts waiting in the inbox are counted in the tooltip (and its menu line) whatever the look.
 */
export function trayStateFor(s: ShellState): { state: TrayState; tooltip: string } {
  const base = trayLook(s);
  const conflicts = s.repositories.reduce((n, r) => n + r.conflicts.length, 0);
  if (conflicts === 0) return base;
  const what = `${conflicts} ${conflicts === 1 ? 'conflict' : 'conflicts'} to look at`;
  return { ...base, tooltip: `${base.tooltip} · ${what}` };
}

function trayLook(s: ShellState): { state: TrayState; tooltip: string } {
  const repos = s.repositories;
  if (repos.length === 0) return { state: 'idle', tooltip: 'Ferry: no folders yet' };
  const broken = repos.filter((r) => r.state === 'error');
  if (broken.length > 0)
    return {
      state: 'error',
      tooltip: `Ferry: ${broken[0]?.description ?? ''}: ${broken[0]?.reason ?? 'needs attention'}`,
    };
  if (s.control.isPaused) return { state: 'paused', tooltip: 'Ferry: paused' };
  if (repos.every((r) => r.state === 'offline'))
    return { state: 'offline', tooltip: 'Ferry: no remote is reachable' };
  const active = s.transfers.filter((t) => t.state === 'running' || t.state === 'queued');
  const syncing = repos.filter((r) => r.state === 'syncing');
  if (active.length > 0 || syncing.length > 0) {
    const running = s.transfers.filter((t) => t.state === 'running');
    const rate = running.reduce((n, t) => n + t.rate, 0);
    return {
      state: 'syncing',
      tooltip: `Ferry: ${active.length} ${active.length === 1 ? 'transfer' : 'transfers'}${rate > 0 ? `, ${formatBytes(rate)}/s` : ''}`,
    };
  }
  return {
    state: 'idle',
    tooltip: `Ferry: ${repos.length} ${repos.length === 1 ? 'folder' : 'folders'} in sync`,
  };
}

/** Pure: the tray menu for a state. */
export function trayMenuFor(s: ShellState, startsAtLogin: boolean): readonly MenuItem[] {
  const { tooltip } = trayStateFor(s);
  return [
    { action: 'status', label: tooltip.replace(/^Ferry: /, ''), enabled: false },
    { action: 'separator', label: '' },
    { action: 'open', label: 'Open Ferry' },
    s.control.isPaused
      ? { action: 'resume-all', label: 'Resume syncing' }
      : { action: 'pause-all', label: 'Pause syncing' },
    { action: 'sync-now', label: 'Sync now', enabled: s.repositories.length > 0 },
    { action: 'add-folder', label: 'Add a folder…' },
    { action: 'separator', label: '' },
    { action: 'start-at-login', label: 'Start at login', checked: startsAtLogin },
    { action: 'quit', label: 'Quit Ferry' },
  ];
}

/**
 * Wires the engine to the tray, the window and notifications: every event goes to the window;
 * the tray follows the events (applyToShell) and is redrawn at most every 250 ms; a snapshot is
 * read only at start and after a menu action; notifications for the events that deserve one.
 */
export class Shell {
  private state: ShellState = {
    repositories: [],
    transfers: [],
    control: { isPaused: false, pausedRemotes: [], rateLimit: 0, remoteRateLimits: {} },
  };
  private trayTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly ports: {
      tray: TrayPort;
      window: WindowPort;
      notifier: NotifierPort;
      app: AppPort;
    },
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.engine.on((e) => this.onEvent(e));
    await this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.trayTimer) clearTimeout(this.trayTimer);
  }

  private async refresh(): Promise<void> {
    const s: EngineSnapshot = await this.engine.handlers().snapshot();
    this.state = { repositories: s.repositories, transfers: s.transfers, control: s.control };
    this.renderTray();
  }

  private renderTray(): void {
    const { state, tooltip } = trayStateFor(this.state);
    this.ports.tray.setState(state, tooltip);
    this.ports.tray.setMenu(trayMenuFor(this.state, this.ports.app.isStartingAtLogin()));
  }

  onEvent(e: EngineEvent): void {
    this.ports.window.send(e);
    const n = notificationFor(e);
    if (n) this.ports.notifier.notify(n.title, n.body);
    // the tray follows the events themselves; nothing here asks for a whole snapshot
    const next = applyToShell(this.state, e);
    if (next === this.state) return;
    this.state = next;
    if (this.trayTimer) return;
    this.trayTimer = setTimeout(() => {
      this.trayTimer = undefined;
      this.renderTray();
    }, 250);
  }

  /** A tray menu item was chosen. */
  async act(action: MenuAction): Promise<void> {
    const h = this.engine.handlers();
    switch (action) {
      case 'open':
        this.ports.window.show();
        return;
      case 'pause-all':
        await h.pauseAll();
        break;
      case 'resume-all':
        await h.resumeAll();
        break;
      case 'sync-now':
        await h.syncNow();
        break;
      case 'add-folder': {
        const path = await this.ports.app.chooseFolder();
        if (path) await h.addFolder({ path });
        break;
      }
      case 'start-at-login':
        this.ports.app.setStartAtLogin(!this.ports.app.isStartingAtLogin());
        break;
      case 'quit':
        this.ports.app.quit();
        return;
    }
    await this.refresh();
  }
}
