/** The directory special remote shared by Ferry and git-annex (see helpers/special-interop.ts). */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe } from 'node:test';
import { tempDir } from '../helpers/repos';
import { specialInterop } from '../helpers/special-interop';

describe('a directory special remote, Ferry and git-annex', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const place = (n: number): string => join(tmp.path, `store-${n}`);
  specialInterop('directory', () => tmp.path, {
    initParams: (n) => {
      mkdirSync(place(n), { recursive: true });
      return ['type=directory', `directory=${place(n)}`];
    },
    enableParams: (n) => [`directory=${place(n)}`],
  });
});
