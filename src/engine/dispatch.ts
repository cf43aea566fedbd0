/**
 * The commands of the contract as handlers, and the one place a command from outside (IPC, the
 * WebSocket, the control socket) is checked and run: unknown names and malformed arguments are
 * refused, and any failure comes back as the contract's `{ code, message }` error.
 */
import type { CommandError, Commands, CommandName, ErrorSuggestion } from '../shared/ipc';
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
): Promise<{ ok: true; value: Commands[K]['result'] } | { ok: false; error: CommandError }> {
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
    const suggestion = suggestionOf(err);
    return {
      ok: false,
      error: suggestion
        ? { code: err.code, message: err.message, suggestion }
        : { code: err.code, message: err.message },
    };
  }
}

/** The better choice a folder error names (only these fields leave the engine, never `data` whole). */
function suggestionOf(err: FerryError): ErrorSuggestion | undefined {
  const d = err.data;
  if (err.code === 'inside-repository' && typeof d.top === 'string') return { path: d.top };
  if (err.code === 'needs-confirmation' && typeof d.path === 'string') {
    if (d.create === true) return { path: d.path, create: true };
    if (d.confirm === true) return { path: d.path, confirm: true };
  }
  return undefined;
}
