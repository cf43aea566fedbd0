/** One entry per `ferry` verb, gathered from the verb groups. Each prints human text, or JSON lines with --json. */
import type { Command } from './commands/common';
import { CONTENT_COMMANDS } from './commands/content';
import { DELETION_COMMANDS } from './commands/deletions';
import { NETWORK_COMMANDS } from './commands/network';
import { PEER_COMMANDS } from './commands/peers';
import { REPO_COMMANDS } from './commands/repo';
import { SPECIAL_COMMANDS } from './commands/special';
import { SYNCING_COMMANDS } from './commands/syncing';

export type { Command } from './commands/common';

export const COMMANDS: Readonly<Record<string, Command>> = {
  ...REPO_COMMANDS,
  ...CONTENT_COMMANDS,
  ...SYNCING_COMMANDS,
  ...DELETION_COMMANDS,
  ...NETWORK_COMMANDS,
  ...SPECIAL_COMMANDS,
  ...PEER_COMMANDS,
};
