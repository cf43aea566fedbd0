/**
 * Preferred content facts: which repository wants which key, from the git-annex branch's
 * preferred-content, group and trust logs and numcopies, read once until `reset()` (they rarely
 * change). Returns answers; never queues anything.
 */
import type { AnnexBranch } from '../annex/branch';
import { whereIs } from '../annex/content';
import { keySize } from '../annex/key';
import { parseSingleValueLog, parseTrustLog, parseUuidLog } from '../annex/logs';
import {
  parseWanted,
  repoFactsFrom,
  type RepoFacts,
  type WantFacts,
} from '../annex/preferred-content';
import type { Repository } from '../annex/repository';
import { getConfig } from '../git/read';
import { errorMessage } from '../../shared/errors';

export class Wanted {
  private wantCache = new Map<string, (f: WantFacts) => boolean>();

  constructor(
    private readonly repo: Repository,
    private readonly branch: AnnexBranch,
    private readonly log?: (message: string) => void,
  ) {}

  /** Forgets what was read: the next question reads the logs again. */
  reset(): void {
    this.wantCache.clear();
    this.settingsCache = undefined;
  }

  /** The logs preferred content needs, read once per refresh (they rarely change). */
  private settingsCache:
    { facts: RepoFacts; numcopies: number; wanted: Map<string, string> } | undefined;

  private async repoFacts(): Promise<{
    facts: RepoFacts;
    numcopies: number;
    wanted: Map<string, string>;
  }> {
    if (this.settingsCache) return this.settingsCache;
    const wanted = new Map(
      [...parseUuidLog(await this.branch.read('preferred-content.log'))].map(([u, e]) => [
        u,
        e.value,
      ]),
    );
    const trust = parseTrustLog(await this.branch.read('trust.log'));
    const facts = repoFactsFrom(
      await this.branch.read('group.log'),
      trust,
      await this.branch.read('group-preferred-content.log'),
    );
    const configured =
      (await getConfig(this.repo.git, 'annex.numcopies')) ??
      parseSingleValueLog(await this.branch.read('numcopies.log'));
    const n = Number(configured ?? '1');
    this.settingsCache = { facts, numcopies: Number.isInteger(n) && n > 0 ? n : 1, wanted };
    return this.settingsCache;
  }

  /** Whether repository `uuid` wants this content (true when it has no preferred content). */
  async wants(
    uuid: string,
    key: string,
    file: string,
    copies?: readonly string[],
  ): Promise<boolean> {
    const { facts, numcopies, wanted } = await this.repoFacts();
    const expr = wanted.get(uuid);
    if (!expr || expr.trim() === '') return true;
    let pred = this.wantCache.get(expr);
    if (!pred) {
      try {
        pred = parseWanted(expr, facts);
      } catch (e) {
        this.log?.(
          `preferred content of ${uuid} not understood (${errorMessage(e)}); treating everything as wanted`,
        );
        pred = () => true;
      }
      this.wantCache.set(expr, pred);
    }
    const have = copies ?? (await whereIs(this.branch, key));
    // Deciding whether to send: judge as if the repository did not have it yet.
    return pred({
      path: file,
      size: keySize(key) ?? 0,
      key,
      copies: have.filter((u) => u !== uuid),
      repo: uuid,
      numcopies,
    });
  }
}
