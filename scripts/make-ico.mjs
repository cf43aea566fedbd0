#!/usr/bin/env node
// Packs the PNG icons into Windows .ico files (PNG-compressed entries, as Windows Vista and later
// read them): each tray state's 16 and 32 px images into assets/tray/<state>.ico, and the
// 256 px application icon into assets/icon.ico. Run after changing a PNG; the .ico files are
// committed beside them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(png) {
  if (png.readUInt32BE(0) !== 0x89504e47 || png.toString('ascii', 12, 16) !== 'IHDR')
    throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

export function packIco(pngs) {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // 1: icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach((png, i) => {
    const { width, height } = pngSize(png);
    const at = 6 + 16 * i;
    header.writeUInt8(width >= 256 ? 0 : width, at); // 0 means 256
    header.writeUInt8(height >= 256 ? 0 : height, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3);
    header.writeUInt16LE(1, at + 4); // planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(png.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...pngs]);
}

function main() {
  const assets = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'assets');
  for (const state of ['idle', 'syncing', 'paused', 'error', 'offline']) {
    const pngs = [`${state}.png`, `${state}@2x.png`].map((n) =>
      readFileSync(join(assets, 'tray', n)),
    );
    writeFileSync(join(assets, 'tray', `${state}.ico`), packIco(pngs));
  }
  writeFileSync(join(assets, 'icon.ico'), packIco([readFileSync(join(assets, 'icon.png'))]));
  console.log('wrote assets/tray/*.ico and assets/icon.ico');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
