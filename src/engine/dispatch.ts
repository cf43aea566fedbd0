/**
 * The commands of the contract as handlers, and the one place a command from outside (IPC, the
 * WebSocket, the control socket) is checked and run: unknown names and malformed arguments are
 * refused, and any failure comes back as the contract's `{ code, message }` error.
 */
import type { Commands, CommandName } from '../shared/ipc';
import { COMMAND_NAMES } from '../shared/ipc';
import { commandArgsProblem } from '../shared/validate';
import { errorMessage } from '../shared/errors';
import { FerryError } from './errors';

export type Handlers = {
  [K in CommandName]: (args: Commands[K]['args']) => Promise<Commands[K]['result']>;
};

/** Runs a handler and turns errors into the contract's error shape. */
export async function dispatch<K extends CommandName>(
  handlers: Partial<Handlers>,
  name: K,
  args: Commands[K]['args'],
): Promise<
  | { ok: true; value: Commands[K]['result'] }
  | { ok: false; error: { code: FerryError['code']; message: string } }
> {
  try {
    // Whatever carried it (IPC, WebSocket), nothing reaches a handler unchecked.
    if (!COMMAND_NAMES.includes(name)) throw new FerryError('usage', 'unknown command');
    const problem = commandArgsProblem(name, args);
    if (problem) throw new FerryError('usage', `${name}: ${problem}`);
    const handler = handlers[name];
    if (!handler) throw new FerryError('usage', `${name} is not served here`);
    return { ok: true, value: await handler(args) };
  } catch (e) {
    const err = e instanceof FerryError ? e : new FerryError('io-error', errorMessage(e));
    return { ok: false, error: { code: err.code, message: err.message } };
  }
}
