/**
 * Where Go's YAML parser (go-yaml v2/v3, a port of libyaml, used by Kubernetes, Helm and Palette)
 * accepts what strict YAML 1.2 refuses. go-yaml's quoted-scalar scanner
 * (scannerc.go yaml_parser_scan_flow_scalar) checks no indentation on continuation lines, only
 * document markers at column 0, so
 *
 *     key:
 *       text: "first line
 *     second line"
 *
 * loads in Go while the YAML 1.2 spec (and the `yaml` library) require the continuation to be
 * indented. Re-indenting those lines does not change the value (a continuation line's leading
 * white space is folded away), so the file can be parsed as Go would read it.
 */

export interface Reindented {
  text: string;
  /** 1-based lines that had to be re-indented. */
  lines: number[];
}

/** Indents continuation lines of multi-line quoted scalars past their key; undefined if none needed it. */
export function reindentQuotedContinuations(text: string): Reindented | undefined {
  const lines = text.split('\n');
  const changed: number[] = [];
  let quote: '"' | "'" | undefined;
  let minIndent = 0;
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n] as string;
    let i = 0;
    if (quote) {
      const indent = line.length - line.trimStart().length;
      if (indent < minIndent && line.trim() !== '') {
        line = ' '.repeat(minIndent) + line.trimStart();
        lines[n] = line;
        changed.push(n + 1);
      }
      i = closeQuote(line, 0, quote);
      if (i === -1) continue;
      quote = undefined;
    }
    // Outside a quoted scalar: find one that opens on this line and does not close on it.
    const lineIndent = line.length - line.trimStart().length;
    for (; i < line.length; i++) {
      const c = line[i];
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if (c !== '"' && c !== "'") continue;
      const before = line.slice(0, i).trimEnd();
      const last = before[before.length - 1];
      if (before !== '' && !(last && ':-[{,?'.includes(last))) continue;
      const close = closeQuote(line, i + 1, c);
      if (close === -1) {
        quote = c;
        minIndent = lineIndent + 1;
        break;
      }
      i = close - 1;
    }
  }
  return changed.length > 0 ? { text: lines.join('\n'), lines: changed } : undefined;
}

/** Offset just past the closing quote on this line, or -1 when the scalar continues. */
function closeQuote(line: string, from: number, quote: '"' | "'"): number {
  for (let i = from; i < line.length; i++) {
    const c = line[i];
    if (quote === '"' && c === '\\') i++;
    else if (quote === "'" && c === "'" && line[i + 1] === "'") i++;
    else if (c === quote) return i + 1;
  }
  return -1;
}
