import { Header, type HeaderData } from 'tar/header';
import { Pax } from 'tar/pax';
import { isCode, name as typeName } from 'tar/types';

/**
 * Synchronous tar encoding and decoding over in-memory buffers, with node-tar's header codec
 * (ustar headers, pax extended headers for long names). Packs are small enough to hold in
 * memory, and doing this without streams keeps it off the event loop's critical path.
 */
export interface TarEntryInput {
  path: string;
  type: 'file' | 'directory';
  mode: number;
  data?: Uint8Array;
}

const BLOCK = 512;
const EPOCH = new Date(0);

/** Encodes entries in the given order with fixed metadata: mtime 0, uid/gid 0, no user names. */
export function writeTar(entries: readonly TarEntryInput[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const size = e.type === 'file' ? (e.data?.length ?? 0) : 0;
    const data: HeaderData = {
      path: e.path,
      mode: e.mode,
      uid: 0,
      gid: 0,
      size,
      mtime: EPOCH,
      type: e.type === 'file' ? 'File' : 'Directory',
      uname: '',
      gname: '',
      devmaj: 0,
      devmin: 0,
    };
    const header = new Header(data);
    const block = Buffer.alloc(BLOCK);
    if (header.encode(block, 0)) {
      // The path does not fit a ustar header: a pax record carries it, as GNU tar and Go read it.
      parts.push(new Pax({ path: e.path, uid: 0, gid: 0, mtime: EPOCH, size }).encode());
    }
    parts.push(block);
    if (size > 0 && e.data) {
      parts.push(e.data);
      const pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2)); // end-of-archive marker
  return Buffer.concat(parts);
}

export interface TarEntry {
  /** The entry's path as GNU tar and Python's tarfile resolve it (pax path, GNU long name, ustar prefix). */
  path: string;
  /** node-tar's name for the type flag (File, Directory, SymbolicLink, ...). */
  type: string;
  /** The raw type flag character ('0', '\0', '5', ...). */
  typeflag: string;
  size: number;
  mode: number;
  linkpath: string;
  /** The entry's bytes (a view into the archive buffer). */
  data: Buffer;
}

export class TarFormatError extends Error {}

/** More entries than the caller allows: refused before the rest is read. */
export class TarEntryLimitError extends TarFormatError {}

const META_TYPES = new Set(['x', 'g', 'L', 'K']);

/**
 * Decodes an in-memory tar, calling `visit` per entry. Paths are resolved the way GNU tar and
 * Python's tarfile resolve them (a pax `path` wins, then a GNU long name, then ustar prefix + name),
 * not with node-tar's own composition (which joins a ustar prefix onto a pax path). Anything those
 * extractors would read differently is refused: two pax headers or two long names for one entry,
 * a pax header and a long name together, a ustar prefix beside either, a prefix under non-POSIX
 * magic (Python applies it, GNU tar does not), a global pax path, malformed or sparse pax
 * records, and folders that carry data. At most `maxEntries` entries are read.
 */
export function readTar(
  buf: Buffer,
  visit: (entry: TarEntry) => void,
  opts: { maxEntries?: number } = {},
): void {
  const maxEntries = opts.maxEntries ?? Number.POSITIVE_INFINITY;
  let off = 0;
  let count = 0;
  let pax: Map<string, string> | undefined;
  let longPath: string | undefined;
  let longLink: string | undefined;
  while (off + BLOCK <= buf.length) {
    if (isZeroBlock(buf, off)) return;
    const h = headerFields(buf, off);
    if (!h.cksumValid) throw new TarFormatError(`bad header checksum at byte ${off}`);
    const typeflag = String.fromCharCode(buf[off + 156] as number);
    const paxSize = META_TYPES.has(typeflag) ? undefined : pax?.get('size');
    const size = paxSize !== undefined ? Number(paxSize) : (rawSize(buf, off) ?? -1);
    const start = off + BLOCK;
    const end = start + size;
    if (!Number.isSafeInteger(size) || size < 0 || end > buf.length)
      throw new TarFormatError(`entry "${cString(buf, off, 100)}" is truncated or has a bad size`);
    const body = buf.subarray(start, end);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    const posix = buf.toString('latin1', start - BLOCK + 257, start - BLOCK + 265) === 'ustar\u000000';
    const prefix = cString(buf, start - BLOCK + 345, 155);
    const name = cString(buf, start - BLOCK, 100);
    if (prefix && !posix && buf[start - BLOCK + 345] !== 0)
      throw new TarFormatError(
        `entry "${name}" has a ustar prefix field under non-POSIX magic (extractors disagree on it)`,
      );
    switch (typeflag) {
      case 'x':
        if (pax) throw new TarFormatError(`two pax headers in a row before "${name}"`);
        pax = parsePax(body);
        continue;
      case 'g': {
        const g = parsePax(body);
        for (const k of ['path', 'linkpath', 'size'])
          if (g.has(k))
            throw new TarFormatError(`a global pax header sets "${k}" (extractors disagree on it)`);
        continue;
      }
      case 'L':
        if (longPath !== undefined) throw new TarFormatError('two GNU long names in a row');
        longPath = cString(body, 0, body.length);
        continue;
      case 'K':
        if (longLink !== undefined) throw new TarFormatError('two GNU long link names in a row');
        longLink = cString(body, 0, body.length);
        continue;
    }
    if (++count > maxEntries) throw new TarEntryLimitError(`the archive has more than ${maxEntries} entries`);
    const paxPath = pax?.get('path');
    if (paxPath !== undefined && longPath !== undefined)
      throw new TarFormatError(`entry "${paxPath}" has both a pax header and a GNU long name`);
    if (pax && (longPath !== undefined || longLink !== undefined))
      throw new TarFormatError(`entry "${longPath ?? name}" has both a pax header and a GNU long name`);
    if (prefix && (paxPath !== undefined || longPath !== undefined))
      throw new TarFormatError(
        `entry "${paxPath ?? longPath}" has a ustar prefix beside a long name (extractors disagree on it)`,
      );
    const path = paxPath ?? longPath ?? (prefix ? `${prefix}/${name}` : name);
    if (typeflag === '5' && size > 0)
      throw new TarFormatError(
        `folder entry "${path}" carries ${size} bytes of data (extractors disagree on it)`,
      );
    visit({
      path,
      type: h.type,
      typeflag,
      size,
      mode: h.mode ?? 0,
      linkpath: pax?.get('linkpath') ?? longLink ?? h.linkpath ?? '',
      data: body,
    });
    pax = undefined;
    longPath = undefined;
    longLink = undefined;
  }
  if (off < buf.length) throw new TarFormatError('the archive ends in the middle of a header');
}

/** A NUL-terminated field, decoded as UTF-8 (bytes that are not become U+FFFD, refused later). */
function cString(buf: Buffer, off: number, len: number): string {
  const field = buf.subarray(off, off + len);
  const nul = field.indexOf(0);
  return field.subarray(0, nul < 0 ? field.length : nul).toString('utf8');
}

/** The header's octal size field (NUL/space terminated); base-256 sizes (over 8 GiB) are refused. */
function rawSize(buf: Buffer, off: number): number | undefined {
  const text = buf
    .toString('latin1', off + 124, off + 136)
    .replace(/[\0 ]+$/, '')
    .trim();
  if (text === '') return 0;
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : undefined;
}

/** Strict pax records ("<len> <key>=<value>\n", lengths exact, no repeated keys, no GNU sparse maps). */
function parsePax(body: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < body.length) {
    if (body[off] === 0 && body.subarray(off).every((b) => b === 0)) break;
    const sp = body.indexOf(0x20, off);
    const lenText = sp < 0 ? '' : body.toString('latin1', off, sp);
    const len = /^[1-9][0-9]{0,8}$/.test(lenText) ? Number(lenText) : 0;
    const end = off + len;
    if (!len || end > body.length || body[end - 1] !== 0x0a)
      throw new TarFormatError('a pax header has a malformed record');
    const rec = body.subarray(sp + 1, end - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError('a pax header has a record without "key="');
    const key = rec.toString('utf8', 0, eq);
    if (out.has(key)) throw new TarFormatError(`a pax header repeats "${key}"`);
    if (key.startsWith('GNU.sparse'))
      throw new TarFormatError('sparse files are not supported in pack archives');
    const value = rec.toString('utf8', eq + 1);
    if (key === 'size' && !/^[0-9]{1,15}$/.test(value))
      throw new TarFormatError('a pax header has a bad size');
    out.set(key, value);
    off = end;
  }
  return out;
}

export interface HeaderFields {
  cksumValid: boolean;
  type: string;
  mode?: number;
  linkpath?: string;
}

/**
 * The fields readTar takes from a header, decoded exactly as node-tar's Header decodes them
 * (checksum, type name, mode, link name) but without the ones it does not use (owner, times,
 * device numbers): chart archives hold hundreds of entries, and Header was most of reading them.
 * Headers with base-256 numbers, which real archives do not use, go to Header itself.
 */
export function headerFields(buf: Buffer, off: number): HeaderFields {
  if (hasBase256(buf, off)) return new Header(buf, off); // it decodes (or refuses) every number field
  let sum = 8 * 0x20;
  for (let i = off; i < off + 148; i++) sum += buf[i] as number;
  for (let i = off + 156; i < off + 512; i++) sum += buf[i] as number;
  const t = decString(buf, off + 156, 1);
  let code = isCode(t) ? t || '0' : undefined;
  // Old tars mark a folder as a file whose name ends in "/" (Header looks at the name field only).
  if (code === '0' && decString(buf, off, 100).slice(-1) === '/') code = '5';
  return {
    cksumValid: sum === decOctal(buf, off + 148, 12),
    type: code === undefined ? 'Unsupported' : (typeName.get(code) as string),
    mode: decOctal(buf, off + 100, 8),
    linkpath: decString(buf, off + 157, 100),
  };
}

/** Offsets of mode, uid, gid, size, mtime and checksum. */
const NUMBER_FIELDS = [100, 108, 116, 124, 136, 148];

/** Whether a number field Header decodes is base-256 (high bit set): Header may throw on it. */
function hasBase256(buf: Buffer, off: number): boolean {
  const high = (at: number) => ((buf[off + at] as number) & 0x80) !== 0;
  if (NUMBER_FIELDS.some(high)) return true;
  if (buf.subarray(off + 257, off + 265).toString() !== 'ustar\u000000') return false;
  return high(329) || high(337) || (buf[off + 475] === 0 && (high(476) || high(488)));
}

/** node-tar's string field: UTF-8, cut at a NUL (up to the next line break, as its regex does). */
function decString(buf: Buffer, off: number, size: number): string {
  return buf
    .subarray(off, off + size)
    .toString('utf8')
    .replace(/\0.*/, '');
}

/** node-tar's octal number field (undefined when it does not parse). */
function decOctal(buf: Buffer, off: number, size: number): number | undefined {
  const n = Number.parseInt(
    buf
      .subarray(off, off + size)
      .toString('utf8')
      .replace(/\0.*$/, '')
      .trim(),
    8,
  );
  return Number.isNaN(n) ? undefined : n;
}

function isZeroBlock(buf: Buffer, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}
