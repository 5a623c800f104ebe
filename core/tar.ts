import { Header, type HeaderData } from 'tar/header';
import { Pax } from 'tar/pax';

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
  path: string;
  type: string;
  size: number;
  mode: number;
  /** The entry's bytes (a view into the archive buffer). */
  data: Buffer;
}

export class TarFormatError extends Error {}

/** Decodes an in-memory tar, calling `visit` per entry; pax and GNU long names are applied. */
export function readTar(buf: Buffer, visit: (entry: TarEntry) => void): void {
  let off = 0;
  let ex: HeaderData | undefined;
  let gex: HeaderData | undefined;
  let longPath: string | undefined;
  while (off + BLOCK <= buf.length) {
    if (isZeroBlock(buf, off)) return;
    const h = new Header(buf, off, ex, gex);
    if (!h.cksumValid) throw new TarFormatError(`bad header checksum at byte ${off}`);
    const size = h.size ?? 0;
    const start = off + BLOCK;
    const end = start + size;
    if (size < 0 || end > buf.length) throw new TarFormatError(`entry "${h.path}" is truncated`);
    const body = buf.subarray(start, end);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    switch (h.type) {
      case 'ExtendedHeader':
        ex = Pax.parse(body.toString('utf8'), ex, false);
        continue;
      case 'GlobalExtendedHeader':
        gex = Pax.parse(body.toString('utf8'), gex, true);
        continue;
      case 'NextFileHasLongPath':
      case 'OldGnuLongPath':
        longPath = body.toString('utf8').replace(/\0.*/s, '');
        continue;
      default: {
        const path = longPath ?? h.path ?? '';
        longPath = undefined;
        ex = undefined;
        visit({ path, type: h.type, size, mode: h.mode ?? 0, data: body });
      }
    }
  }
  if (off < buf.length) throw new TarFormatError('the archive ends in the middle of a header');
}

function isZeroBlock(buf: Buffer, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (buf[i] !== 0) return false;
  return true;
}
