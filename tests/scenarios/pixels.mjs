// What a screenshot shows, for the scenarios that check what a person could read on the screen:
// a PNG decoded with node's zlib (8-bit grey, RGB or RGBA, not interlaced: what Chromium,
// Firefox and WebKit's WebDriver give), and a count of text edges in a region.
import { inflateSync } from 'node:zlib';

/** `png` (bytes) as { width, height, at(x, y) → luminance 0–255 }. */
export function decodePng(png) {
  const bytes = Buffer.from(png);
  if (bytes.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let width, height, depth, type, interlace;
  const data = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const kind = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (kind === 'IHDR') [width, height, depth, type, interlace] = [body.readUInt32BE(0), body.readUInt32BE(4), body[8], body[9], body[12]];
    else if (kind === 'IDAT') data.push(body);
    else if (kind === 'IEND') break;
    at += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[type];
  if (depth !== 8 || !channels || interlace) throw new Error(`unsupported PNG: depth ${depth}, colour type ${type}, interlace ${interlace}`);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  // Undo each row's filter (PNG spec, section 9: None, Sub, Up, Average, Paeth).
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
      pixels[y * stride + i] = (row[i] + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    at(x, y) {
      const i = y * stride + x * channels;
      return channels < 3 ? pixels[i] : 0.2126 * pixels[i] + 0.7152 * pixels[i + 1] + 0.0722 * pixels[i + 2];
    },
  };
}

/**
 * How many horizontally adjacent pixel pairs in `region` (CSS px of the viewport: { left, top,
 * right, bottom }, scaled to the screenshot by `scale`) differ in luminance by more than 40 of
 * 255: the edges of glyphs. Text at any size has many; a uniform or smoothly shaded area none.
 * Pixels inside any box of `except` (the dialog) do not count. `where`, if given, receives the
 * bounding box of the edges counted (CSS px), so a failure can say where they are.
 */
export function textEdges(image, region, scale, except = [], where = null) {
  const px = (v) => Math.round(v * scale);
  const inside = (x, y) => except.some((r) => x >= px(r.left) && x < px(r.right) && y >= px(r.top) && y < px(r.bottom));
  const [x0, y0] = [Math.max(0, px(region.left)), Math.max(0, px(region.top))];
  const [x1, y1] = [Math.min(image.width - 1, px(region.right)), Math.min(image.height, px(region.bottom))];
  let edges = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1 - 1; x++) {
      if (inside(x, y) || inside(x + 1, y)) continue;
      if (Math.abs(image.at(x, y) - image.at(x + 1, y)) > 40) {
        edges++;
        if (where) {
          where.left = Math.min(where.left ?? Infinity, x / scale);
          where.top = Math.min(where.top ?? Infinity, y / scale);
          where.right = Math.max(where.right ?? -Infinity, (x + 1) / scale);
          where.bottom = Math.max(where.bottom ?? -Infinity, (y + 1) / scale);
        }
      }
    }
  }
  return edges;
}
