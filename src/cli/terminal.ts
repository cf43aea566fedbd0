/**
 * Text bound for a terminal: names and descriptions come from other repositories, and an escape
 * sequence in one could rewrite the screen, retitle the window or hide text. Control characters
 * (all but tab and newline), C1 controls and the bidirectional overrides are shown as `\uXXXX`,
 * which inside a JSON string is the same character, so `--json` output means what it meant.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
