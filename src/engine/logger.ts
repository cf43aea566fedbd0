/**
 * One logger: levels, a child per module, and sinks. Info and above always reach the sink;
 * a module's debug lines only when `FERRY_DEBUG` names it (`FERRY_DEBUG=transfer,sync`, or `*`
 * for all). The CLI writes to the terminal; the desktop app also to `ferry.log` in the user's
 * state folder, rotated at 5 MB, for people to attach to a bug report.
 */
import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  readonly at: number;
  readonly level: LogLevel;
  readonly module: string;
  readonly message: string;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** a logger for one module (its name is what FERRY_DEBUG selects) */
  child(module: string): Logger;
  /** whether this module's debug lines are on */
  readonly isDebug: boolean;
}

/** The modules FERRY_DEBUG switches on: a set of names, or every module. */
export function debugModules(setting: string | undefined): ReadonlySet<string> | 'all' {
  const names = (setting ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.includes('*') || names.includes('all') || names.includes('1')) return 'all';
  return new Set(names);
}

export function createLogger(
  sink: (line: LogLine) => void,
  options: { debug?: string } = {},
  module = 'ferry',
): Logger {
  const modules = debugModules(options.debug);
  const make = (name: string): Logger => {
    const isDebug = modules === 'all' || modules.has(name);
    const write = (level: LogLevel, message: string): void => {
      if (level === 'debug' && !isDebug) return;
      sink({ at: Date.now(), level, module: name, message });
    };
    return {
      isDebug,
      debug: (m) => write('debug', m),
      info: (m) => write('info', m),
      warn: (m) => write('warn', m),
      error: (m) => write('error', m),
      child: (child) => make(child),
    };
  };
  return make(module);
}

/** One line of a log file: time, level, module, message. */
export function formatLogLine(line: LogLine): string {
  return `${new Date(line.at).toISOString()} ${line.level.padEnd(5)} ${line.module}: ${line.message}\n`;
}

/** Appends lines to `path`, moving it to `path.1` once it is over `maxBytes`. */
export function fileSink(path: string, maxBytes = 5 << 20): (line: LogLine) => void {
  mkdirSync(dirname(path), { recursive: true });
  let size = (() => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  })();
  return (line) => {
    const text = formatLogLine(line);
    try {
      if (size + text.length > maxBytes) {
        renameSync(path, `${path}.1`);
        size = 0;
      }
      appendFileSync(path, text, { mode: 0o600 });
      size += Buffer.byteLength(text);
    } catch {
      // a log that cannot be written never stops Ferry
    }
  };
}

/** Sends every line to each of the sinks. */
export function teeSink(...sinks: ((line: LogLine) => void)[]): (line: LogLine) => void {
  return (line) => {
    for (const s of sinks) s(line);
  };
}
