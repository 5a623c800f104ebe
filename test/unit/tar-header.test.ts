/**
 * core/tar.ts decodes the few header fields it reads itself (headerFields) instead of building
 * node-tar's Header for every entry: both must agree on every header, clean or hostile.
 */
import { gunzipSync } from 'node:zlib';
import { Header } from 'tar/header';
import { describe, expect, it } from 'vitest';
import { headerFields, writeTar } from '../../core/tar.ts';
import { type RawEntry, rawTarGz } from '../helpers/raw-tar.ts';

const BLOCK = 512;

function nodeTar(block: Buffer) {
  const h = new Header(block, 0);
  return { cksumValid: h.cksumValid, type: h.type, mode: h.mode, linkpath: h.linkpath };
}

/** A decoder's answer, or the error it throws (Header refuses some base-256 numbers). */
function outcome(decode: () => unknown): unknown {
  try {
    const { cksumValid, type, mode, linkpath } = decode() as Record<string, unknown>;
    return { cksumValid, type, mode, linkpath };
  } catch (err) {
    return { threw: (err as Error).message };
  }
}

/** Rewrites the checksum field as tar writers do, so a mutated header is still a valid one. */
function reChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i] as number;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

/** Deterministic pseudo-random numbers (mulberry32): the same mutations on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES: RawEntry[] = [
  { name: 'chart/Chart.yaml', data: 'name: a\n' },
  { name: 'chart/templates/', type: '5' },
  { name: 'chart/old-folder/', type: '0' },
  { name: 'chart/old-file', type: '\0', data: 'x' },
  { name: 'chart/link', type: '2', linkname: '../../etc/passwd' },
  { name: 'chart/hard', type: '1', linkname: 'chart/Chart.yaml' },
  { name: 'values.yaml', prefix: 'a/very/long/prefix', data: 'a: 1\n' },
  { name: 'dir/', prefix: 'chart', type: '0' },
  { name: 'gnu/file', magic: 'gnu', prefix: 'ignored/', data: 'g' },
  { name: 'fifo', type: '6' },
  { name: 'weird', type: 'Z' },
  { name: 'named\0hidden\nafter-nul', data: 'n' },
  { name: 'pax/file', pax: { path: 'pax/long/name' }, data: 'p' },
  { name: 'long', gnuLongName: `chart/${'x'.repeat(150)}`, data: 'l' },
  { name: 'modes', mode: 0o4755, data: 'm' },
];

function headers(tar: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off + BLOCK <= tar.length; off += BLOCK) {
    const block = tar.subarray(off, off + BLOCK);
    if (block.every((b) => b === 0)) continue;
    out.push(Buffer.from(block));
  }
  return out;
}

describe('tar header fields', () => {
  const blocks = [
    ...headers(gunzipSync(rawTarGz(SAMPLES))),
    ...headers(
      writeTar([
        { path: 'p-1.0.0/', type: 'directory', mode: 0o755 },
        { path: `p-1.0.0/${'deep/'.repeat(30)}file.yaml`, type: 'file', mode: 0o644, data: Buffer.from('a') },
      ]),
    ),
  ];

  it('match node-tar on real and hostile headers', () => {
    expect(blocks.length).toBeGreaterThan(SAMPLES.length);
    for (const b of blocks) expect(outcome(() => headerFields(b, 0))).toEqual(outcome(() => nodeTar(b)));
  });

  it('match node-tar on randomly mutated headers', () => {
    const next = random(42);
    // Bytes that steer the decoders: NUL, newline, "/", space, digits, high bits, type flags.
    const interesting = [0, 0x0a, 0x2f, 0x20, 0x30, 0x37, 0x38, 0x35, 0x78, 0x80, 0xff, 0x75];
    const fields = [
      0, 99, 100, 107, 108, 116, 124, 136, 148, 155, 156, 157, 257, 262, 329, 337, 345, 474, 475, 476, 488,
      499,
    ];
    for (let n = 0; n < 20000; n++) {
      const b = Buffer.from(blocks[n % blocks.length] as Buffer);
      for (let k = 1 + Math.floor(next() * 4); k > 0; k--) {
        const at =
          next() < 0.6 ? (fields[Math.floor(next() * fields.length)] as number) : Math.floor(next() * BLOCK);
        b[at] =
          next() < 0.7
            ? (interesting[Math.floor(next() * interesting.length)] as number)
            : Math.floor(next() * 256);
      }
      if (next() < 0.8) reChecksum(b);
      expect(
        outcome(() => headerFields(b, 0)),
        `mutation ${n}`,
      ).toEqual(outcome(() => nodeTar(b)));
    }
  });
});
