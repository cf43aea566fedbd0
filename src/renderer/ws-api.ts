/**
 * The IPC contract over a WebSocket, for the headless UI: the same FerryApi the Electron preload
 * exposes, so the views cannot tell the difference. Reconnects with backoff; commands sent while
 * disconnected wait for the connection.
 */
import {
  COMMAND_NAMES,
  type BridgeMessage,
  type CommandName,
  type CommandResult,
  type EngineEvent,
  type FerryApi,
} from '../shared/ipc';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export function createWebSocketApi(
  url: string,
  onState: (state: ConnectionState) => void = () => undefined,
): FerryApi & { close(): void } {
  const listeners = new Set<(e: EngineEvent) => void>();
  const pending = new Map<number, (r: CommandResult<CommandName>) => void>();
  const outbox: string[] = [];
  let nextId = 1;
  let socket: WebSocket | undefined;
  let delay = 250;
  let isClosed = false;

  const connect = (): void => {
    onState('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      delay = 250;
      onState('open');
      for (const m of outbox.splice(0)) ws.send(m);
    };
    ws.onmessage = (msg) => {
      const m = JSON.parse(String(msg.data)) as BridgeMessage;
      if ('event' in m) for (const l of listeners) l(m.event);
      else {
        pending.get(m.id)?.(m.result);
        pending.delete(m.id);
      }
    };
    ws.onclose = () => {
      onState('closed');
      if (isClosed) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  connect();

  const call = (command: CommandName, args: unknown): Promise<CommandResult<CommandName>> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      const text = JSON.stringify({ id, command, args: args ?? null });
      if (socket?.readyState === WebSocket.OPEN) socket.send(text);
      else outbox.push(text);
    });

  const api = Object.fromEntries(
    COMMAND_NAMES.map((name) => [name, (args: unknown) => call(name, args)]),
  ) as unknown as Omit<FerryApi, 'on'>;
  return {
    ...api,
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      isClosed = true;
      socket?.close();
    },
  };
}
