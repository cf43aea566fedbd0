/** The token bucket behind rate limits: a lifted limit frees waiting transfers, abort stops a wait. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimit } from '../../../src/engine/transfer/rate-limit';

describe('rate limits', () => {
  it('lets a transfer waiting with a debt go at once when the limit is lifted', async () => {
    const limit = new RateLimit(1_000_000);
    await limit.take(4_194_304); // a full bucket lets one big chunk through, leaving a debt
    let done = false;
    const waiting = limit.take(4_194_304).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(done, false, 'held back while limited');
    limit.setLimit(0);
    await waiting; // would wait forever if the lifted limit kept the old debt
    assert.equal(done, true);
  });

  it('stops waiting when the transfer is aborted', async () => {
    const limit = new RateLimit(1000);
    await limit.take(1000);
    const abort = new AbortController();
    const waiting = limit.take(1000, abort.signal);
    abort.abort();
    await assert.rejects(waiting, /abort/i);
  });
});
