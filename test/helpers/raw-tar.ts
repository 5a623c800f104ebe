import { gzipSync } from 'node:zlib';

/**
 * A tar writer that writes exactly what it is told, byte for byte: any type flag, raw names,
 * pax extended headers, GNU long names, the ustar prefix field. core/tar.ts only writes clean
 * archives; this one writes what a hostile publisher could push.
 */
export interface RawEntry {
  /** The 100-byte name field (raw; may exceed nothing, is cut at 100 bytes). */
  name: string;
  /** Type flag character: '0' file, '\0' old file, '1' hard link, '2' symlink, '5' dir, ... */
  type?: string;
  data?: string | Buffer;
  linkname?: string;
  /** The ustar prefix field (155 bytes), joined to the name by readers of ustar. */
  prefix?: string;
  /** Magic and version: 'ustar\0' + '00' (POSIX, default) or 'ustar  \0' (old GNU). */
  magic?: 'posix' | 'gnu';
  /** A pax 'x' header written before this entry. */
  pax?: Record<string, string>;
  /** A GNU 'L' long-name header written before this entry. */
  gnuLongName?: string;
  mode?: number;
}

const BLOCK = 512;

function header(e: {
  name: string;
  type: string;
  size: number;
  linkname?: string;
  prefix?: string;
  magic?: 'posix' | 'gnu';
  mode: number;
}): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(e.name, 0, 100, 'utf8');
  b.write(`${e.mode.toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  b.write(`${e.size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(e.type, 156, 1, 'latin1');
  if (e.linkname) b.write(e.linkname, 157, 100, 'utf8');
  if (e.magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  else b.write('ustar\x0000', 257, 'latin1');
  if (e.prefix) b.write(e.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

function body(data: Buffer): Buffer[] {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return pad ? [data, Buffer.alloc(pad)] : [data];
}

export function paxRecords(kv: Record<string, string>): Buffer {
  let out = '';
  for (const [k, v] of Object.entries(kv)) {
    const rest = ` ${k}=${v}\n`;
    let len = Buffer.byteLength(rest) + 1;
    while (String(len).length + Buffer.byteLength(rest) !== len)
      len = String(len).length + Buffer.byteLength(rest);
    out += `${len}${rest}`;
  }
  return Buffer.from(out, 'utf8');
}

export function rawTar(entries: readonly RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax) {
      const rec = paxRecords(e.pax);
      parts.push(header({ name: 'PaxHeader/x', type: 'x', size: rec.length, mode: 0o644 }), ...body(rec));
    }
    if (e.gnuLongName !== undefined) {
      const n = Buffer.from(`${e.gnuLongName}\0`, 'utf8');
      parts.push(
        header({ name: '././@LongLink', type: 'L', size: n.length, mode: 0o644, magic: 'gnu' }),
        ...body(n),
      );
    }
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const type = e.type ?? '0';
    parts.push(
      header({
        name: e.name,
        type,
        size: data.length,
        linkname: e.linkname,
        prefix: e.prefix,
        magic: e.magic,
        mode: e.mode ?? (type === '5' ? 0o755 : 0o644),
      }),
      ...body(data),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export function rawTarGz(entries: readonly RawEntry[]): Buffer {
  return gzipSync(rawTar(entries));
}

/** The entries of a clean pack under `top/`: folder entries first, then files. */
export function packEntries(top: string, files: Record<string, string | Buffer>): RawEntry[] {
  const dirs = new Set<string>();
  for (const p of Object.keys(files)) {
    const segs = p.split('/');
    for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'));
  }
  return [
    { name: `${top}/`, type: '5' },
    ...[...dirs].sort().map((d) => ({ name: `${top}/${d}/`, type: '5' })),
    ...Object.entries(files).map(([p, data]) => ({ name: `${top}/${p}`, data })),
  ];
}
