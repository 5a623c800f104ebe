import type { Position } from './findings.ts';

/** Decodes a text file strictly: UTF-8 only, no NUL bytes, BOM stripped. */
export type DecodeResult = { ok: true; text: string } | { ok: false; reason: string; position: Position };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeText(bytes: Uint8Array): DecodeResult {
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      ok: false,
      reason: `contains a NUL byte at offset ${nul}; it is a binary file`,
      position: bytePosition(bytes, nul),
    };
  }
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    const hex = (bytes[at] ?? 0).toString(16).padStart(2, '0');
    return {
      ok: false,
      reason: `is not valid UTF-8 text (byte 0x${hex} at offset ${at})`,
      position: bytePosition(bytes, at),
    };
  }
}

/**
 * Offset of the first byte that does not decode. Lossy decoding replaces each invalid sequence
 * with U+FFFD; everything before the first replacement that is not a literal U+FFFD is valid.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buf.toString('utf8');
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    offset += Buffer.byteLength(text.slice(from, i));
    if (buf[offset] !== 0xef || buf[offset + 1] !== 0xbf || buf[offset + 2] !== 0xbd) return offset;
    offset += 3;
    from = i + 1;
  }
  return 0;
}

/** 1-based line and column (in characters) of a byte offset. */
function bytePosition(bytes: Uint8Array, offset: number): Position {
  const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(10, offset - 1) + 1;
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  const prefix = Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, offset - lineStart).toString('utf8');
  return { line, column: prefix.length + 1 };
}
