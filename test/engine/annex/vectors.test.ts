import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatKey,
  keyExtension,
  keyOfBuffer,
  makeWormKey,
  parseKey,
  type Backend,
} from '../../../src/engine/annex/key';
import {
  addPresence,
  formatUuidLog,
  parseUuidLog,
  presentUuids,
} from '../../../src/engine/annex/logs';
import {
  fileKey,
  hashDirLower,
  hashDirMixed,
  journalName,
  journalNameToPath,
  keyFile,
  locationLogPath,
  objectRelPath,
  parsePointer,
  parseSymlinkTarget,
  pointerContent,
  symlinkTarget,
} from '../../../src/engine/annex/paths';
import { parseTimestamp } from '../../../src/engine/annex/timestamp';
import { loadVectors } from '../../helpers/vectors';

const vectors = loadVectors();

describe('keys (every vector from the real git-annex)', () => {
  for (const v of vectors.keys) {
    it(`${v.backend} of ${JSON.stringify(v.filename)} is ${v.key}`, () => {
      const content = Buffer.from(v.content_base64, 'base64');
      assert.equal(keyOfBuffer(v.backend as Backend, v.filename, content), v.key);
      const parsed = parseKey(v.key);
      assert.ok(parsed, 'parses');
      assert.equal(formatKey(parsed), v.key, 'round-trips');
    });
  }
  it('extension rules from the spec table', () => {
    const cases: [string, string][] = [
      ['a.b.c.d', '.c.d'],
      ['x.ab.c-d.gz', '.ab.gz'],
      ['foo.tar.gz.part', '.gz.part'],
      ['..foo.txt', '.txt'],
      ['foo..txt', '.txt'],
      ['.bashrc', ''],
      ['x.123456', ''],
      ['data.json5', ''],
      ['foo.tx_t', ''],
      ['foo.t-t', ''],
      ['foo.üüü', ''],
      ['emoji.😀', '.😀'],
      ['trail.', ''],
      ['dir.d/noext', ''],
    ];
    for (const [name, ext] of cases) assert.equal(keyExtension(name), ext, name);
  });
  it('parses every variety and rejects malformed keys', () => {
    assert.deepEqual(parseKey('SHA256E-s6-S3-C2--abc.txt'), {
      variety: 'SHA256E',
      size: 6,
      chunkSize: 3,
      chunkNum: 2,
      name: 'abc.txt',
    });
    assert.equal(parseKey('WORM-s5-m1700000000--wdir/worm.txt')?.mtime, 1700000000);
    assert.equal(parseKey('URL--http://example.com/a-b')?.name, 'http://example.com/a-b');
    for (const v of ['MD5E', 'SHA1', 'SHA512E', 'BLAKE2B256E', 'SHA3_256E', 'XFOO'])
      assert.ok(parseKey(`${v}-s1--x`), v);
    assert.equal(parseKey('SHA256-x5--abc'), undefined, 'unknown field');
    assert.equal(parseKey('SHA256-m1-s5--abc'), undefined, 'fields out of order');
    assert.equal(parseKey('SHA256-s5'), undefined, 'no name');
    assert.equal(parseKey('SHA256-S3--abc'), undefined, 'chunk size without number');
    assert.equal(parseKey(`SHA256E-s1--abc.${'x'.repeat(70)}`), undefined, 'extension too long');
  });
});

describe('hash directories and object paths', () => {
  for (const v of vectors.hashdirs) {
    it(v.key, () => {
      assert.equal(hashDirMixed(v.key), v.hashdirmixed);
      assert.equal(hashDirLower(v.key), v.hashdirlower);
      if (v.objectpath_nonbare)
        assert.equal(`.git/annex/${objectRelPath(v.key, 'mixed')}`, v.objectpath_nonbare);
      if (v.location_log_path) assert.equal(locationLogPath(v.key), v.location_log_path);
    });
  }
});

describe('keyFile escaping', () => {
  for (const v of vectors.keyfile_escaping) {
    it(v.key, () => {
      assert.equal(keyFile(v.key), v.keyfile);
      assert.equal(fileKey(v.keyfile), v.key);
    });
  }
  it('leaves keys without special characters alone', () => {
    assert.equal(keyFile('SHA256E-s1--abc.txt'), 'SHA256E-s1--abc.txt');
  });
});

describe('symlinks and pointers', () => {
  for (const v of vectors.symlink_targets) {
    it(`${v.file} (${v.mode})`, () => {
      if (v.mode === '120000') {
        const key = parseSymlinkTarget(v.git_blob);
        assert.ok(key);
        assert.equal(symlinkTarget(v.file, key), v.git_blob);
      } else {
        const key = parsePointer(v.git_blob);
        assert.ok(key);
        assert.equal(pointerContent(key), v.git_blob);
      }
    });
  }
  it('pointer file vector', () => {
    assert.equal(pointerContent(vectors.pointer_file.key), vectors.pointer_file.content);
    assert.equal(parsePointer(vectors.pointer_file.content), vectors.pointer_file.key);
  });
  it('pointer parsing: CR tolerated, appended content rejected, big files rejected', () => {
    const k = vectors.pointer_file.key;
    assert.equal(parsePointer(`/annex/objects/${k}\r\n`), k);
    assert.equal(parsePointer(`/annex/objects/${k}\nmore text\n`), undefined);
    assert.equal(parsePointer(`/annex/objects/${k}\n${'x'.repeat(40000)}`), undefined);
    assert.equal(parsePointer('hello\n'), undefined);
  });
  for (const w of vectors.worm) {
    it(`WORM key for ${w.file}`, () => {
      assert.equal(makeWormKey(w.file, w.size, w.mtime), w.key);
      if (w.symlink_target_from_wdir)
        assert.equal(symlinkTarget(w.file, w.key), w.symlink_target_from_wdir);
    });
  }
});

describe('location log', () => {
  for (const t of vectors.location_log.tie_break_vectors) {
    it(`${t.lines.join(' / ')} -> ${t.present ? 'present' : 'absent'}`, () => {
      const uuids = presentUuids(t.lines.map((l) => `${l}\n`).join(''));
      assert.equal(uuids.includes('U'), t.present);
    });
  }
  it('compacts a union-merged log on the next write, sorted by uuid', () => {
    const ll = vectors.location_log;
    const uuid = '1ff7f76a-3716-48f2-affd-4d8a343dcc6e';
    const now = parseTimestamp('1795604099.782379001s');
    assert.ok(now !== undefined);
    assert.equal(
      addPresence(ll.union_merged_uncompacted_example, uuid, '0', now),
      ll.after_next_write_compacted_example,
    );
  });
  it('writes nothing when the newest line already says so', () => {
    assert.equal(addPresence('1795604090.1s 1 U\n', 'U', '1', 1n), undefined);
  });
  it('advances the clock one second past a newer existing line', () => {
    const future = parseTimestamp('1900000000s');
    assert.ok(future !== undefined);
    assert.equal(
      addPresence('1900000000s 1 U\n', 'U', '0', parseTimestamp('1800000000s') ?? 0n),
      '1900000001s 0 U\n',
    );
  });
  it('path of the location log', () => {
    assert.equal(locationLogPath(vectors.location_log.key), vectors.location_log.path);
  });
});

describe('journal names and uuid-based logs', () => {
  it('mangles / and _ as git-annex does', () => {
    assert.equal(journalName(vectors.journal.branch_path), vectors.journal.journal_filename);
    assert.equal(journalNameToPath(vectors.journal.journal_filename), vectors.journal.branch_path);
    assert.equal(journalNameToPath(journalName('a_b/c__d.log')), 'a_b/c__d.log');
  });
  for (const name of ['uuid.log', 'trust.log', 'group.log', 'preferred-content.log']) {
    it(`${name} round-trips through parse and format`, () => {
      const text = vectors.branch_files[name];
      assert.ok(text);
      assert.equal(formatUuidLog(parseUuidLog(text).values()), text);
    });
  }
  it('the later line wins a tie in uuid-based logs', () => {
    const log = parseUuidLog('U a timestamp=5s\nU b timestamp=5s\n');
    assert.equal(log.get('U')?.value, 'b');
  });
  it('accepts old lines without a timestamp', () => {
    assert.equal(parseUuidLog('U my laptop\n').get('U')?.value, 'my laptop');
  });
});
