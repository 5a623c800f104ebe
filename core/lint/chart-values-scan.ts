/**
 * What the image and indentation checks need from a chart's own values.yaml, read in one pass over
 * its lines instead of a full YAML parse (charts' defaults are often thousands of lines, and
 * parsing them all was most of the cost of these warnings): the top-level keys, and the
 * `image:` settings — `image: repo:tag`, or `image:` with `registry`, `repository`, `tag` below it.
 * Block-style YAML only; anything it cannot read is simply not reported (these are warnings).
 */

export interface ImageSetting {
  image?: string;
  registry?: string;
  repository?: string;
  tag?: string;
}

export interface ChartValuesScan {
  topKeys: Set<string>;
  /** Dotted path of each `image` key → its settings. */
  images: Map<string, ImageSetting>;
}

const KEY_LINE = /^(\s*)(?:-\s+)?("[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*:(?:\s+(.*))?$/;

function scalar(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let v = raw.trim();
  if (v === '' || v.startsWith('#') || v === '|' || v === '>' || v.startsWith('&') || v.startsWith('*'))
    return undefined;
  if (v.startsWith('"') || v.startsWith("'")) {
    const q = v[0] as string;
    const end = v.indexOf(q, 1);
    return end === -1 ? undefined : v.slice(1, end);
  }
  const hash = v.search(/\s#/);
  if (hash !== -1) v = v.slice(0, hash).trim();
  if (v.startsWith('{') || v.startsWith('[') || v === 'null' || v === '~') return undefined;
  return v;
}

export function scanChartValues(text: string): ChartValuesScan {
  const topKeys = new Set<string>();
  const images = new Map<string, ImageSetting>();
  const stack: { indent: number; key: string }[] = [];
  for (const line of text.split('\n')) {
    // Charts' defaults are mostly comments and prose: a line without ":" cannot be a key.
    if (!line.includes(':')) continue;
    const m = KEY_LINE.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (!m) continue;
    const lead = m[1]?.length ?? 0;
    // m[1] is the whole leading whitespace, so a "- " item marker can only start right after it.
    const dash = line[lead] === '-' ? /^\s*-\s+/.exec(line) : null;
    const indent = lead + (dash ? dash[0].length - lead : 0);
    const key = (m[2] as string).replace(/^["']|["']$/g, '');
    while (stack.length > 0 && (stack[stack.length - 1] as { indent: number }).indent >= indent) stack.pop();
    const value = scalar(m[3]);
    if (indent === 0) topKeys.add(key);
    const parent = stack[stack.length - 1];
    if (key === 'image' && value !== undefined) {
      const path = [...stack.map((s) => s.key), key].join('.');
      images.set(path, { ...images.get(path), image: value });
    } else if (
      parent?.key === 'image' &&
      value !== undefined &&
      ['registry', 'repository', 'tag'].includes(key)
    ) {
      const p = stack.map((s) => s.key).join('.');
      images.set(p, { ...images.get(p), [key]: value });
    }
    stack.push({ indent, key });
  }
  return { topKeys, images };
}
