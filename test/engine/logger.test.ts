/** The one logger: levels, a child per module, FERRY_DEBUG's selection, the rotated 0600 file. */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createLogger,
  debugModules,
  fileSink,
  formatLogLine,
  type LogLine,
} from '../../src/engine/logger';
import { tempDir } from '../helpers/repos';

describe('the logger', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it("shows a module's debug lines only when FERRY_DEBUG names it, and always the rest", () => {
    const lines: LogLine[] = [];
    const root = createLogger((l) => lines.push(l), { debug: 'transfer, sync' });
    const transfer = root.child('transfer');
    const drives = root.child('drives');
    transfer.debug('queued a.txt');
    drives.debug('mount table read');
    drives.info('drive plugged in');
    drives.warn('slow drive');
    root.error('cannot sync');
    assert.deepEqual(
      lines.map((l) => [l.module, l.level, l.message]),
      [
        ['transfer', 'debug', 'queued a.txt'],
        ['drives', 'info', 'drive plugged in'],
        ['drives', 'warn', 'slow drive'],
        ['ferry', 'error', 'cannot sync'],
      ],
    );
    assert.equal(transfer.isDebug, true);
    assert.equal(drives.isDebug, false);
    assert.equal(debugModules('*'), 'all');
    assert.deepEqual([...(debugModules(undefined) as Set<string>)], []);
  });

  it('writes a file for bug reports, 0600, rotated when it grows past its limit', () => {
    const path = join(tmp.path, 'state', 'ferry.log');
    const sink = fileSink(path, 200);
    const log = createLogger(sink).child('sync');
    for (let i = 0; i < 5; i++) log.info(`merged change ${i}`);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /info {2}sync: merged change 4\n$/);
    assert.ok(statSync(path).size <= 200);
    assert.match(readFileSync(`${path}.1`, 'utf8'), /merged change/);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(
      formatLogLine({ at: 0, level: 'warn', module: 'x', message: 'm' }),
      /^1970-01-01T00:00:00.000Z warn {2}x: m\n$/,
    );
  });
});
