/**
 * The one place the real Node engine is assembled (the desktop app, `ferry assistant` and
 * `ferry webapp` all start it): @parcel/watcher for folders, UDisks2 or the mount table for
 * drives (unless told not to), and the caller's log.
 */
import { chooseMountSource } from './drives';
import { Engine } from './engine';
import { parcelWatch } from './sync/watcher';

export interface NodeEngineOptions {
  readonly folders?: readonly string[];
  /** where folders.json lives (default the user's config folder) */
  readonly stateDir?: string;
  /** watch for drives (default true) */
  readonly drives?: boolean;
  readonly log: (message: string) => void;
  readonly isHeadless?: boolean;
  readonly quietMs?: number;
}

export interface NodeEngine {
  readonly engine: Engine;
  /** stops the engine, then the drive watch */
  stop(): Promise<void>;
}

export async function createNodeEngine(options: NodeEngineOptions): Promise<NodeEngine> {
  const drives =
    options.drives === false
      ? undefined
      : await chooseMountSource(options.log, { busAddress: process.env.FERRY_UDISKS2_BUS });
  const engine = new Engine({
    watch: parcelWatch,
    folders: options.folders,
    stateDir: options.stateDir,
    mountSource: drives?.source,
    log: options.log,
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
