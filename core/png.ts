const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export type PngInfo = { ok: true; width: number; height: number } | { ok: false; reason: string };

/** Reads a PNG's signature and IHDR chunk (enough to know it is a PNG and how big it claims to be). */
export function readPngHeader(bytes: Uint8Array): PngInfo {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const kind = sniff(bytes);
    return {
      ok: false,
      reason: `does not start with the PNG signature${kind ? ` (it looks like ${kind})` : ''}`,
    };
  }
  if (bytes.length < 33) return { ok: false, reason: 'is truncated: it ends before the IHDR header' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (view.getUint32(8) !== 13 || type !== 'IHDR')
    return { ok: false, reason: 'has no IHDR chunk where PNG requires it' };
  return { ok: true, width: view.getUint32(16), height: view.getUint32(20) };
}

function sniff(b: Uint8Array): string | undefined {
  if (b[0] === 0xff && b[1] === 0xd8) return 'a JPEG';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return 'a GIF';
  const head = new TextDecoder().decode(b.subarray(0, 256)).trimStart();
  if (head.startsWith('<svg') || head.startsWith('<?xml')) return 'an SVG';
  if (b.length === 0) return 'an empty file';
  return undefined;
}
