import { terminalSafe } from './terminal';

/** A one-line progress display on stderr, redrawn at most ten times a second, only on a terminal. */
export interface ProgressLine {
  update(text: string): void;
  done(): void;
}

export function progressLine(stream: NodeJS.WriteStream = process.stderr): ProgressLine {
  const isTty = stream.isTTY === true;
  let last = 0;
  let shown = false;
  return {
    update(text) {
      if (!isTty) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = (stream.columns ?? 80) - 1;
      text = terminalSafe(text);
      stream.write(
        `\r${text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width)}`,
      );
      shown = true;
    },
    done() {
      if (isTty && shown) stream.write(`\r${' '.repeat((stream.columns ?? 80) - 1)}\r`);
      shown = false;
    },
  };
}

export function bar(fraction: number, width = 24): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

export { formatBytes } from '../shared/format';
