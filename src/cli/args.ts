/** A small argument parser: `--flag`, `--opt value`, `--opt=value`, `--` ends options. */
import { FerryError } from '../engine';

export interface ParsedArgs {
  readonly positional: string[];
  readonly flags: Set<string>;
  readonly options: Map<string, string>;
}

export function parseArgs(argv: readonly string[], withValue: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      if (withValue.includes(name)) {
        const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
        if (value === undefined) throw new FerryError('usage', `--${name} needs a value`);
        options.set(name, value);
      } else if (eq >= 0) {
        throw new FerryError('usage', `--${name} takes no value`);
      } else flags.add(name);
    } else positional.push(arg);
  }
  return { positional, flags, options };
}
