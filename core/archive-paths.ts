/**
 * Entry paths of a pack archive, normalised once. GNU tar, Python's tarfile and Go's archive/tar
 * all resolve `./a`, `a//b`, `a/./b` and `a/` to the same file `a/b`, so a reader that keeps the
 * raw string can lint one copy while an extractor writes another. Every reader in core/ goes
 * through here, and an archive is refused as soon as two entries land on one path or a folder
 * and a file meet: what is linted is then exactly what any extractor produces.
 */
export type NormalisedPath = { ok: true; path: string } | { ok: false; reason: string };

// Tab, newline, NUL... and U+FFFD (a name that was not valid UTF-8): extractors differ on these.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE_CHAR = /[\u0000-\u001f\u007f\ufffd]/;

/** `a/./b//c/` → `a/b/c`; `./` and `.` → `` (the archive root). Refuses absolute paths and `..`. */
export function normaliseEntryPath(raw: string): NormalisedPath {
  const bad = UNSAFE_CHAR.exec(raw);
  if (bad) {
    const what =
      bad[0] === '\ufffd'
        ? 'bytes that are not UTF-8'
        : `a control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')})`;
    return { ok: false, reason: `entry ${JSON.stringify(raw)} has ${what} in its name` };
  }
  if (raw.startsWith('/'))
    return { ok: false, reason: `entry "${raw}" is an absolute path (escapes the archive)` };
  const segs = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segs.includes('..')) return { ok: false, reason: `entry "${raw}" escapes the archive ("..")` };
  return { ok: true, path: segs.join('/') };
}

type Kind = 'file' | 'directory' | 'implied';

/**
 * The set of paths an archive's entries occupy. `add` answers why an entry cannot join (a second
 * entry for a path, a folder where a file is or the reverse), or undefined.
 */
export class ArchiveLayout {
  private readonly kinds = new Map<string, Kind>();

  add(path: string, kind: 'file' | 'directory', raw: string): string | undefined {
    const segs = path.split('/');
    for (let i = 1; i < segs.length; i++) {
      const parent = segs.slice(0, i).join('/');
      const k = this.kinds.get(parent);
      if (k === 'file') return collision(parent, raw);
      if (!k) this.kinds.set(parent, 'implied');
    }
    const had = this.kinds.get(path);
    if (had === 'implied') {
      if (kind === 'file') return collision(path, raw);
    } else if (had) {
      return had === kind
        ? `the archive has two entries for "${path}" (the second is "${raw}"); extractors would keep only one, so it could differ from what was linted. Rebuild the archive with one entry per path`
        : collision(path, raw);
    }
    this.kinds.set(path, kind);
    return undefined;
  }
}

function collision(path: string, raw: string): string {
  return `"${path}" is both a file and a folder in the archive (at entry "${raw}"); rebuild the archive from a real folder`;
}
