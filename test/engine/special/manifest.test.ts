/** The git manifest of a special remote as git-remote-annex writes it, and what is refused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleKey, formatManifest, parseManifest } from '../../../src/engine/special/git-history';

const UUID = '0e6d8cd4-3c1a-4a5f-9a51-2d1c0b7d1e11';

describe('the git manifest', () => {
  it('lists bundle keys in order and left-behind ones after a dash, both ways', () => {
    const a = bundleKey(UUID, Buffer.from('one'));
    const b = bundleKey(UUID, Buffer.from('two'));
    assert.match(a, /^GITBUNDLE-s3--0e6d8cd4-3c1a-4a5f-9a51-2d1c0b7d1e11-[0-9a-f]{64}$/);
    const text = formatManifest({ bundles: [b], left: [a] });
    assert.equal(text, `${b}\n-${a}\n`);
    assert.deepEqual(parseManifest(text), { bundles: [b], left: [a] });
  });

  it('refuses what is not a bundle key, and a manifest too long to be one', () => {
    assert.throws(() => parseManifest('SHA256E-s1--x\n'), /not a bundle key/);
    assert.throws(() => parseManifest('../../etc/passwd\n'), /not a bundle key/);
    const key = bundleKey(UUID, Buffer.from('x'));
    assert.throws(() => parseManifest(`${key}\n`.repeat(20_000)), /refused/);
  });
});
