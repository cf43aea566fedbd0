/** How the window and the tray write sizes and rates: decimal units, one decimal below 10. */
export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i] ?? ''}`;
}

/** What a remote lacks of what it wants, in words ("up to date", "lacks 3 files (12 MB)"). */
export function lacksText(lacks: { files: number; bytes: number }): string {
  if (lacks.files === 0) return 'up to date';
  return `lacks ${lacks.files} ${lacks.files === 1 ? 'file' : 'files'} (${formatBytes(lacks.bytes)})`;
}
