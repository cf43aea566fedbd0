import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { annexVariantPath, gitVariantPath, variantPath } from '../../../src/engine/sync/variants';
import { loadVectors } from '../../helpers/vectors';

interface VariantVector {
  original: string;
  key: string;
  variant: string;
}
const vectors = loadVectors() as unknown as { variants: { results: VariantVector[] } };

describe('conflict variant names (vectors from git annex sync)', () => {
  for (const v of vectors.variants.results) {
    const path = v.original.split(' (')[0] ?? v.original;
    it(`${path} with ${v.key.slice(0, 20)}… is ${v.variant}`, () => {
      assert.equal(annexVariantPath(path, v.key), v.variant);
    });
  }
  it('uses the full keyFile when the path is already a variant', () => {
    assert.equal(
      annexVariantPath('a.variant-1234.txt', 'WORM-s1-m2--x/y'),
      'a.variant-1234.variant-WORM-s1-m2--x%y.txt',
    );
  });
  it('plain git conflicts get blob-based variants', () => {
    assert.equal(
      gitVariantPath('dir/notes.md', 'abcdef0123456789'),
      'dir/notes.variant-git-abcdef01.md',
    );
    assert.equal(variantPath('noext', 'v'), 'noext.variant-v');
  });
});
