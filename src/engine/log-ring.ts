/**
 * What the window's log view and about box show: the engine's recent log lines (bounded, in
 * memory, so the headless mode has them too; the desktop app also keeps `ferry.log`), and who
 * this Ferry is.
 */
import { platform, release } from 'node:os';
import type { AboutInfo, LogLine } from '../shared/ipc';
import { VERSION } from '../shared/version';

const KEPT = 1000;

export class LogRing {
  private readonly lines: LogLine[] = [];

  push(text: string): void {
    this.lines.push({ at: Date.now(), text });
    if (this.lines.length > KEPT) this.lines.splice(0, this.lines.length - KEPT);
  }

  /** The newest `limit` lines (all kept when undefined), oldest first. */
  recent(limit?: number): readonly LogLine[] {
    return this.lines.slice(limit === undefined ? 0 : Math.max(0, this.lines.length - limit));
  }
}

export function aboutFerry(stateDir: string | undefined, folders: number): AboutInfo {
  return {
    version: VERSION,
    node: process.version,
    platform: `${platform()} ${release()}`,
    stateDir: stateDir ?? null,
    folders,
  };
}
