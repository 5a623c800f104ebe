import { h } from './dom.ts';

/**
 * values.yaml highlighting with a small line tokenizer: comments, keys, list dashes, strings,
 * numbers and booleans become spans holding text nodes (never HTML), so any value is inert.
 * It colours; it does not validate (the linter did that on push).
 */
const KEY = /^(\s*)(- +)?((?:"[^"]*"|'[^']*'|[^\s#'"][^:#]*?)\s*):(?=\s|$)/;
const SCALAR = /^(true|false|null|~|yes|no|on|off|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i;

function scalar(text: string): Node[] {
  const trimmed = text.trim();
  if (trimmed === '') return [document.createTextNode(text)];
  const comment = findComment(text);
  const value = comment < 0 ? text : text.slice(0, comment);
  const out: Node[] = [];
  const v = value.trim();
  const lead = value.slice(0, value.indexOf(v));
  const tail = value.slice(lead.length + v.length);
  out.push(document.createTextNode(lead));
  const cls = /^["']/.test(v)
    ? 'y-str'
    : SCALAR.test(v)
      ? 'y-lit'
      : /^[|>][-+]?\d*$/.test(v)
        ? 'y-blk'
        : 'y-val';
  if (v) out.push(h('span', { class: cls }, v));
  out.push(document.createTextNode(tail));
  if (comment >= 0) out.push(h('span', { class: 'y-com' }, text.slice(comment)));
  return out;
}

/** A `#` starts a comment at line start or after whitespace, outside quotes. */
function findComment(text: string): number {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return i;
  }
  return -1;
}

export function highlightYaml(source: string): HTMLElement {
  const code = h('code', { class: 'yaml' });
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const row = h('span', { class: 'y-line' });
    const m = KEY.exec(line);
    if (/^\s*#/.test(line)) row.append(h('span', { class: 'y-com' }, line));
    else if (m) {
      row.append(m[1] ?? '');
      if (m[2]) row.append(h('span', { class: 'y-dash' }, m[2]));
      row.append(h('span', { class: 'y-key' }, m[3] ?? ''), ':');
      row.append(...scalar(line.slice(m[0].length)));
    } else {
      const dash = /^(\s*)(- +)(.*)$/.exec(line);
      if (dash) {
        row.append(dash[1] ?? '', h('span', { class: 'y-dash' }, dash[2] ?? ''), ...scalar(dash[3] ?? ''));
      } else row.append(...scalar(line));
    }
    code.append(row, '\n');
  }
  return h('pre', { class: 'code', tabindex: 0 }, code);
}
