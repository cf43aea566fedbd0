import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLargeFiles, parseSize } from '../../../src/engine/annex/largefiles';
import {
  formatSingleValueLog,
  parseMapLog,
  parseRemoteConfig,
  parseSingleValueLog,
  parseTrustLog,
  setUuidLogValue,
  unionMergeText,
} from '../../../src/engine/annex/logs';
import { formatTimestamp, parseTimestamp } from '../../../src/engine/annex/timestamp';
import { loadVectors } from '../../helpers/vectors';

const vectors = loadVectors();

describe('timestamps', () => {
  it('parses and formats the forms git-annex writes', () => {
    for (const t of ['1795603626.733307003s', '1795603626s', '1.5s', '1795603626.000000000001s']) {
      const parsed = parseTimestamp(t);
      assert.ok(parsed !== undefined, t);
      assert.equal(formatTimestamp(parsed), t);
    }
    assert.equal(formatTimestamp(parseTimestamp('1800000004') ?? 0n), '1800000004s');
    assert.equal(formatTimestamp(parseTimestamp('12.500') ?? 0n), '12.5s');
    assert.equal(parseTimestamp('1.7e9'), undefined);
    assert.equal(parseTimestamp('abc'), undefined);
  });
});

describe('union merge of branch files', () => {
  it('is the sorted set of unique lines of both sides', () => {
    const r = unionMergeText('b\na\n', 'c\na\n');
    assert.equal(r.text, 'a\nb\nc\n');
    assert.equal(r.same, undefined);
  });
  it('reuses a side that already holds every line, even unsorted', () => {
    assert.equal(unionMergeText('b\na\n', 'a\n').same, 'left');
    assert.equal(unionMergeText('a\n', 'a\nb\n').same, 'right');
  });
  it('keeps duplicate uuid lines (no log logic) until the next write', () => {
    const r = unionMergeText('5s 1 U\n', '6s 0 U\n');
    assert.equal(r.text, '5s 1 U\n6s 0 U\n');
  });
});

describe('other logs', () => {
  it('trust.log levels', () => {
    const trust = parseTrustLog(vectors.branch_files['trust.log'] ?? '');
    assert.equal([...trust.values()][0], 'semitrusted');
    assert.equal(parseTrustLog('U 1 timestamp=1s\nV X timestamp=1s\n').get('V'), 'dead');
  });
  it('numcopies.log: newest value wins, writes advance the clock', () => {
    assert.equal(parseSingleValueLog('5s 2\n7s 3\n6s 4\n'), '3');
    assert.equal(formatSingleValueLog('2', parseTimestamp('3s') ?? 0n, '7s 3\n'), '8s 2\n');
  });
  it('config.log: newest per field', () => {
    const m = parseMapLog(
      '1s annex.largefiles largerthan=1kb\n2s annex.largefiles largerthan=100kb\n',
    );
    assert.equal(m.get('annex.largefiles')?.value, 'largerthan=100kb');
  });
  it('remote.log values unescape &32;', () => {
    const c = parseRemoteConfig('encryption=none name=my&32;dir type=directory');
    assert.equal(c.get('name'), 'my dir');
  });
  it('uuid.log descriptions are rewritten in place, one line per uuid', () => {
    const next = setUuidLogValue(
      'B b timestamp=1s\nA a timestamp=1s\n',
      'B',
      'new name',
      parseTimestamp('5s') ?? 0n,
    );
    assert.equal(next, 'A a timestamp=1s\nB new name timestamp=5s\n');
  });
});

describe('annex.largefiles expressions', () => {
  const m = (expr: string, path: string, size: number) => parseLargeFiles(expr)({ path, size });
  it('sizes', () => {
    assert.equal(parseSize('100kb'), 100_000);
    assert.equal(parseSize('1MiB'), 1 << 20);
    assert.equal(parseSize('7'), 7);
  });
  it('terms and combinators', () => {
    assert.equal(m('anything', 'a', 0), true);
    assert.equal(m('nothing', 'a', 0), false);
    assert.equal(m('largerthan=10kb', 'a', 20_000), true);
    assert.equal(m('include=*.mp3 or largerthan=1mb', 'music/x.mp3', 10), true);
    assert.equal(m('include=*.mp3 or largerthan=1mb', 'x.txt', 10), false);
    assert.equal(m('not include=*.c and largerthan=1', 'src/a.c', 100), false);
    assert.equal(m('(include=*.c or include=*.h) and smallerthan=1kb', 'x.h', 10), true);
    assert.equal(m('include=docs/*', 'docs/a/b.txt', 10), true);
    assert.equal(m('include=docs/*', 'other/docs/b.txt', 10), false);
  });
  it('rejects what it does not understand, clearly', () => {
    assert.throws(
      () => parseLargeFiles('mimetype=text/*'),
      /unsupported annex.largefiles term "mimetype=text\/\*"/,
    );
    assert.throws(() => parseLargeFiles('(anything'), /unbalanced/);
  });
});
