/** Writing commits with the user's identity, through our object writer. */
import { hostname, userInfo } from 'node:os';
import type { GitContext } from './context';
import { serializeCommit, type ObjectBatch, type Signature } from './object-writer';
import { getConfig } from './read';

export async function signature(
  ctx: GitContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Signature> {
  const user = (() => {
    try {
      return userInfo().username;
    } catch {
      return 'ferry';
    }
  })();
  const name = env.GIT_AUTHOR_NAME ?? (await getConfig(ctx, 'user.name')) ?? user;
  const email =
    env.GIT_AUTHOR_EMAIL ?? (await getConfig(ctx, 'user.email')) ?? `${user}@${hostname()}`;
  return {
    name,
    email,
    timestamp: Math.floor(Date.now() / 1000),
    timezoneOffset: new Date().getTimezoneOffset(),
  };
}

export async function addCommit(
  ctx: GitContext,
  batch: ObjectBatch,
  tree: string,
  parents: readonly string[],
  message: string,
): Promise<string> {
  const sig = await signature(ctx);
  return batch.add(
    'commit',
    serializeCommit({ tree, parents, author: sig, committer: sig, message }),
  );
}
