/** Where the test's own external special remote program lives (put it on PATH to use it). */
import { join } from 'node:path';

export const EXTERNAL_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'external');
