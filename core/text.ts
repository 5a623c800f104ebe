/** Decodes a text file strictly: UTF-8 only, no NUL bytes, BOM stripped. */
export type DecodeResult = { ok: true; text: string } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeText(bytes: Uint8Array): DecodeResult {
  const nul = bytes.indexOf(0);
  if (nul !== -1) return { ok: false, reason: `contains a NUL byte at offset ${nul}; it is a binary file` };
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, reason: 'is not valid UTF-8 text' };
  }
}
