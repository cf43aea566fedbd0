/**
 * The tray icons for every state and platform: PNGs for Linux (1x and 2x), template images for
 * macOS, and .ico files for Windows that hold exactly the PNGs beside them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TrayState } from '../../src/main/shell';

// every state, checked by the compiler: a new state without icons fails to type-check here
const EVERY_STATE: Record<TrayState, true> = {
  idle: true,
  syncing: true,
  paused: true,
  error: true,
  offline: true,
};
const STATES = Object.keys(EVERY_STATE) as TrayState[];

function pngSize(png: Buffer): { width: number; height: number } {
  assert.equal(png.readUInt32BE(0), 0x89504e47, 'a PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The images of an .ico file, read as Windows reads them. */
function icoImages(ico: Buffer): { width: number; height: number; data: Buffer }[] {
  assert.equal(ico.readUInt16LE(0), 0, 'reserved');
  assert.equal(ico.readUInt16LE(2), 1, 'an icon, not a cursor');
  const count = ico.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const at = 6 + 16 * i;
    const size = ico.readUInt32LE(at + 8);
    const offset = ico.readUInt32LE(at + 12);
    assert.ok(offset + size <= ico.length, 'the image lies inside the file');
    return {
      width: ico.readUInt8(at) || 256,
      height: ico.readUInt8(at + 1) || 256,
      data: ico.subarray(offset, offset + size),
    };
  });
}

describe('tray and application icons', () => {
  const assets = join(import.meta.dirname, '..', '..', 'assets');

  it('has a 1x and 2x PNG and macOS template image for every tray state', () => {
    for (const state of STATES) {
      for (const [name, side] of [
        [`${state}.png`, 16],
        [`${state}@2x.png`, 32],
        [`${state}Template.png`, 16],
        [`${state}Template@2x.png`, 32],
      ] as const) {
        const size = pngSize(readFileSync(join(assets, 'tray', name)));
        assert.deepEqual(size, { width: side, height: side }, name);
      }
    }
  });

  it('has a Windows .ico for every tray state and the app, holding the PNGs beside it', () => {
    for (const state of STATES) {
      const images = icoImages(readFileSync(join(assets, 'tray', `${state}.ico`)));
      const pngs = [`${state}.png`, `${state}@2x.png`].map((n) =>
        readFileSync(join(assets, 'tray', n)),
      );
      assert.equal(images.length, 2, `${state}.ico`);
      images.forEach((image, i) => {
        assert.deepEqual(pngSize(image.data), { width: image.width, height: image.height });
        assert.ok(image.data.equals(pngs[i] ?? Buffer.alloc(0)), `${state}.ico is current`);
      });
    }
    const app = icoImages(readFileSync(join(assets, 'icon.ico')));
    assert.equal(app[0]?.width, 256);
    assert.ok(app[0]?.data.equals(readFileSync(join(assets, 'icon.png'))), 'icon.ico is current');
  });
});
