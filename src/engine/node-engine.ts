/**
 * The one place the real Node engine is assembled (the desktop app, `ferry assistant` and
 * `ferry webapp` all start it): @parcel/watcher for folders, UDisks2 or the mount table for
 * drives (unless told not to), and the one logger (its debug lines per module with FERRY_DEBUG).
 */
import { chooseMountSource } from './drives';
import { Engine } from './engine';
import { createLogger, fileSink, teeSink, type LogLine } from './logger';
import { parcelWatch } from './sync/watcher';
import { PeerService } from './peers/peer-service';
import { ferryStateDir } from './peers/context';
import type { ListenerEvent } from './peers/listener';

function describeListenerEvent(e: ListenerEvent): string {
  if (e.type === 'paired')
    return `device ${e.name} (${e.deviceId.slice(0, 7)}) joined ${e.top} as remote ${e.remote}`;
  if (e.type === 'pending')
    return `device ${e.name} (${e.deviceId}) at ${e.address} asked for a folder it is not paired with: share the folder with it to accept it`;
  return `device ${e.deviceId.slice(0, 7)} at ${e.address} was refused: ${e.reason}`;
}

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
  /**
   * be a Ferry device: listen for paired devices (FERRY_PEER_PORT, default 22151) and look for
   * them on the LAN (FERRY_DISCOVERY_PORT, default 21127); identity in `stateDir`
   */
  readonly peers?: boolean;
  /** opens a file with the desktop's program for it (the desktop app) */
  readonly openPath?: (path: string) => Promise<void>;
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
  let peers: PeerService | undefined;
  if (options.peers) {
    const env = process.env;
    peers = new PeerService({
      // the user's Ferry folder whatever the engine's own: the app, ferry assistant and
      // ferry share are one device with one key
      stateDir: ferryStateDir(),
      watch: parcelWatch,
      port: env.FERRY_PEER_PORT ? Number(env.FERRY_PEER_PORT) : undefined,
      host: env.FERRY_PEER_HOST,
      discovery:
        env.FERRY_DISCOVERY === 'off'
          ? false
          : env.FERRY_DISCOVERY_PORT
            ? Number(env.FERRY_DISCOVERY_PORT)
            : undefined,
      log,
      onEvent: (e) => log(describeListenerEvent(e)),
    });
    try {
      await peers.start();
      log(
        `device ${peers.identity.id} (${peers.deviceName}) listening on port ${peers.listenPort}`,
      );
    } catch (e) {
      log(`Ferry devices cannot connect to this one: ${(e as Error).message}`);
      peers = undefined;
    }
  }
  const engine = new Engine({
    peers,
    watch: parcelWatch,
    folders: options.folders,
    stateDir: options.stateDir,
    mountSource: drives?.source,
    log,
    debug: (module, m) => logger.child(module).debug(m),
    isHeadless: options.isHeadless,
    quietMs: options.quietMs,
    openPath: options.openPath,
  });
  return {
    engine,
    async stop() {
      await engine.stop();
      await peers?.stop();
      await drives?.close();
    },
  };
}
