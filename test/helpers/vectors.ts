/** The test vectors observed from the real git-annex (shared/spec/annex-vectors.json). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const candidates = [
  resolve('test/fixtures/annex-vectors.json'),
  resolve('../shared/spec/annex-vectors.json'),
];

export interface Vectors {
  keys: { backend: string; filename: string; content_base64: string; key: string }[];
  hashdirs: {
    key: string;
    hashdirmixed: string;
    hashdirlower: string;
    objectpath_nonbare?: string;
    location_log_path?: string;
  }[];
  keyfile_escaping: { key: string; keyfile: string }[];
  symlink_targets: { file: string; mode: string; git_blob: string }[];
  location_log: {
    key: string;
    path: string;
    union_merged_uncompacted_example: string;
    after_next_write_compacted_example: string;
    tie_break_vectors: { lines: string[]; present: boolean }[];
  };
  journal: { branch_path: string; journal_filename: string };
  pointer_file: { key: string; content: string };
  worm: {
    file: string;
    mtime: number;
    size: number;
    key: string;
    symlink_target_from_wdir?: string;
  }[];
  init: { info_attributes: string; hooks: Record<string, string> };
  branch_files: Record<string, string>;
}

export function loadVectors(): Vectors {
  for (const path of candidates) {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Vectors;
    } catch {
      // try the next
    }
  }
  throw new Error(`annex-vectors.json not found in ${candidates.join(' or ')}`);
}
