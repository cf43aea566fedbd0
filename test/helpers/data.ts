/** Test content: `n` bytes that differ with `seed` and do not compress away. */
export function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4096) b.writeUInt32LE((i * 2654435761 + seed) >>> 0, i);
  return b;
}
