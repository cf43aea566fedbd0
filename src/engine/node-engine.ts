/**
 * The one place the real Node engine is assembled (the desktop app, `ferry assistant` and
 * `ferry webapp` all start it): @parcel/watcher for folders, UDisks2 or the mount table for
 * drives (unless told not to), and the one logger (its debug lines per module with FERRY_DEBUG).
 */
import { chooseMountSource } from './drives';
import { Engine } from './engine';
import { createLogger, fileSink, teeSink, type LogLine } from './logger';
import { parcelWatch } from './sync/watcher';

export interface NodeEngineOptions {
  readonly folders?: readonly string[];
  /** where folders.json lives (default the user's config folder) */
  readonly stateDir?: string;
  /** watch for drives (default true) */
  readonly drives?: boolean;
  /** where info, warnings and errors go (each line, already in words) */
  readonly log: (message: string) => void;
  /** more sinks for the same lines (the desktop app's log file) */
  readonly logFile?: string;
  readonly isHeadless?: boolean;
  readonly quietMs?: number;
}

export interface NodeEngine {
  readonly engine: Engine;
  /** stops the engine, then the drive watch */
  stop(): Promise<void>;
}

export async function createNodeEngine(options: NodeEngineOptions): Promise<NodeEngine> {
  const toTerminal = (line: LogLine): void =>
    options.log(line.level === 'info' ? line.message : `${line.level}: ${line.message}`);
  const logger = createLogger(
    options.logFile ? teeSink(toTerminal, fileSink(options.logFile)) : toTerminal,
    { debug: process.env.FERRY_DEBUG },
  );
  const log = (m: string): void => logger.info(m);
  const drives =
    options.drives === false
      ? undefined
      : await chooseMountSource(log, { busAddress: process.env.FERRY_UDISKS2_BUS });
  const engine = new Engine({
    watch: parcelWatch,
    folders: options.folders,
    stateDir: options.stateDir,
    mountSource: drives?.source,
    log,
    debug: (module, m) => logger.child(module).debug(m),
    isHeadless: options.isHeadless,
    quietMs: options.quietMs,
  });
  return {
    engine,
    async stop() {
      await engine.stop();
      await drives?.close();
    },
  };
}
