/**
 * Telling the user when the window is not in front: the tab title counts what needs them (held
 * deletions, conflicts), and in a browser (headless mode) the events that deserve a desktop
 * notification get one through the Notification API once the user allowed it. The desktop app
 * notifies from the main process instead (shell.ts).
 */
import { useEffect, useState } from 'react';
import { notificationFor } from '../shared/event-text';
import type { FerryApi, RepositoryView } from '../shared/ipc';

/** How many things wait for the user's decision across the folders. */
export function needsYou(repositories: readonly RepositoryView[]): number {
  return repositories.reduce((n, r) => n + r.held.length + r.conflicts.length, 0);
}

export function useTabTitle(repositories: readonly RepositoryView[]): void {
  const n = needsYou(repositories);
  useEffect(() => {
    document.title = n > 0 ? `(${n}) Ferry: needs you` : 'Ferry';
  }, [n]);
}

const hasNotifications = (): boolean => typeof Notification !== 'undefined';

/** The browser's permission, and a way to ask for it (from a click). */
export function useBrowserNotifications(
  api: FerryApi,
  isHeadless: boolean,
): { canAsk: boolean; ask: () => void } {
  const [permission, setPermission] = useState(() =>
    hasNotifications() ? Notification.permission : 'denied',
  );
  useEffect(() => {
    if (!isHeadless || permission !== 'granted') return;
    return api.on((e) => {
      const n = notificationFor(e);
      if (n && document.visibilityState !== 'visible') new Notification(n.title, { body: n.body });
    });
  }, [api, isHeadless, permission]);
  return {
    canAsk: isHeadless && permission === 'default',
    ask: () => {
      if (hasNotifications()) void Notification.requestPermission().then((p) => setPermission(p));
    },
  };
}
