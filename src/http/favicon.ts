// The site icon: a white "play" triangle on the dashboard's blue, as SVG
// (/favicon.svg, which the pages link) and as a 16x16 ICO for browsers that
// ask for /favicon.ico on their own. Both are drawn here from one shape, so
// no binary file is kept in the repository; browsers' requests for the icon
// are then answered instead of being counted as API errors.
const SIZE = 16;
const BACKGROUND = [0x3b, 0x5b, 0xdb] as const; // --accent of the dashboard
const RADIUS = 3;

// Inside the triangle (5,4) (5,12) (12,8) in pixel units, sampled at the pixel's centre.
function inTriangle(x: number, y: number): boolean {
  const cx = x + 0.5;
  const cy = y + 0.5;
  if (cx < 5) return false;
  const halfHeight = ((12 - cx) / 7) * 4;
  return halfHeight > 0 && Math.abs(cy - 8) <= halfHeight;
}

// Outside the rounded corners of the square.
function transparent(x: number, y: number): boolean {
  const cx = x + 0.5;
  const cy = y + 0.5;
  const dx = cx < RADIUS ? RADIUS - cx : cx > SIZE - RADIUS ? cx - (SIZE - RADIUS) : 0;
  const dy = cy < RADIUS ? RADIUS - cy : cy > SIZE - RADIUS ? cy - (SIZE - RADIUS) : 0;
  return dx * dx + dy * dy > RADIUS * RADIUS;
}

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="${RADIUS}" fill="#3b5bdb"/><path d="M5 4v8l7-4z" fill="#fff"/></svg>\n`;

// An ICO holding one 32-bit BMP (the classic layout every browser reads):
// ICONDIR, one ICONDIRENTRY, BITMAPINFOHEADER with twice the height (colour
// rows then the AND mask), rows bottom-up, pixels as BGRA.
export function faviconIco(): Buffer {
  const pixels = SIZE * SIZE * 4;
  const maskRow = Math.ceil(SIZE / 32) * 4;
  const image = 40 + pixels + maskRow * SIZE;
  const out = Buffer.alloc(6 + 16 + image);
  out.writeUInt16LE(0, 0); // reserved
  out.writeUInt16LE(1, 2); // type: icon
  out.writeUInt16LE(1, 4); // one image
  out.writeUInt8(SIZE, 6);
  out.writeUInt8(SIZE, 7);
  out.writeUInt8(0, 8); // no palette
  out.writeUInt8(0, 9);
  out.writeUInt16LE(1, 10); // planes
  out.writeUInt16LE(32, 12); // bits per pixel
  out.writeUInt32LE(image, 14);
  out.writeUInt32LE(22, 18); // offset of the image
  let at = 22;
  out.writeUInt32LE(40, at); // BITMAPINFOHEADER
  out.writeInt32LE(SIZE, at + 4);
  out.writeInt32LE(SIZE * 2, at + 8);
  out.writeUInt16LE(1, at + 12);
  out.writeUInt16LE(32, at + 14);
  out.writeUInt32LE(0, at + 16); // BI_RGB
  out.writeUInt32LE(pixels + maskRow * SIZE, at + 20);
  at += 40;
  for (let row = SIZE - 1; row >= 0; row--) {
    for (let x = 0; x < SIZE; x++) {
      const clear = transparent(x, row);
      const [r, g, b] = inTriangle(x, row) ? [255, 255, 255] : BACKGROUND;
      out.writeUInt8(b, at);
      out.writeUInt8(g, at + 1);
      out.writeUInt8(r, at + 2);
      out.writeUInt8(clear ? 0 : 255, at + 3);
      at += 4;
    }
  }
  // The AND mask: 1 = transparent (ignored by 32-bit readers that use alpha, read by the rest).
  for (let row = SIZE - 1; row >= 0; row--) {
    for (let x = 0; x < SIZE; x++) if (transparent(x, row)) out[at + (x >> 3)] |= 0x80 >> (x & 7);
    at += maskRow;
  }
  return out;
}
