/**
 * The lexical rules Go's text/template applies inside one action (`{{ … }}`), as its lexer
 * (text/template/parse/lex.go) enforces them: a template that breaks one never parses, so the
 * manifest can never render. Only what the lexer itself rejects is checked; function names are
 * not (Palette's function set is its own).
 */

const ALNUM = /[\p{L}\p{N}_]/u;
const SPACE = /[ \t\r\n]/;
// Go's scanNumber: an optional sign, then decimal, hex, octal or binary digits, a fraction, an exponent.
const NUMBER =
  /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9_]+)?)i?/;

function isTerminator(c: string | undefined): boolean {
  // lex.go atTerminator: what may follow a field, variable or identifier.
  return c === undefined || SPACE.test(c) || '.,|:)('.includes(c);
}

function describeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;
}

export interface LexProblem {
  /** Offset within the action body. */
  at: number;
  message: string;
}

/** Lexes an action body (delimiters and trim markers removed); the first problem Go would report. */
export function lexActionBody(body: string): LexProblem | undefined {
  let parens = 0;
  let i = 0;
  if (body.trim() === '') return { at: 0, message: 'empty action: Go reports "missing value for command"' };
  while (i < body.length) {
    const c = body[i] as string;
    if (SPACE.test(c) || c === '|' || c === ',' || c === '=') {
      i++;
    } else if (c === ':') {
      if (body[i + 1] !== '=') return { at: i, message: 'expected ":=" after a variable' };
      i += 2;
    } else if (c === '(') {
      parens++;
      i++;
    } else if (c === ')') {
      if (--parens < 0) return { at: i, message: 'unexpected right paren' };
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') {
        if (body[j] === '\\') j++;
        if (body[j] === '\n' || j >= body.length) break;
        j++;
      }
      if (body[j] !== '"') return { at: i, message: 'unterminated quoted string' };
      i = j + 1;
    } else if (c === '`') {
      const j = body.indexOf('`', i + 1);
      if (j === -1) return { at: i, message: 'unterminated raw quoted string' };
      i = j + 1;
    } else if (c === "'") {
      let j = i + 1;
      if (body[j] === '\\') j++;
      j++;
      while (j < body.length && body[j] !== "'" && body[j] !== '\n') j++;
      if (body[j] !== "'") return { at: i, message: 'unterminated character constant' };
      i = j + 1;
    } else if (c === '$' || c === '.' || ALNUM.test(c)) {
      if (c === '.' && /[0-9]/.test(body[i + 1] ?? '')) {
        const n = lexNumber(body, i);
        if (typeof n !== 'number') return n;
        i = n;
        continue;
      }
      if (/[0-9]/.test(c)) {
        const n = lexNumber(body, i);
        if (typeof n !== 'number') return n;
        i = n;
        continue;
      }
      // A field (.Name), variable ($x) or identifier, possibly chained (.a.b, $x.y).
      let j = i + 1;
      while (j < body.length && ALNUM.test(body[j] as string)) j++;
      const next = body[j];
      if (!isTerminator(next)) {
        const word = body.slice(i, j);
        const fix =
          next === '-' && word.startsWith('.')
            ? `; a key with "-" must be read with index, e.g. {{ index ${chainBefore(body, i)} "${word.slice(1)}${restOfKey(body, j)}" }}`
            : '';
        return { at: j, message: `bad character ${describeChar(next as string)} after "${word}"${fix}` };
      }
      i = j;
    } else if (c === '+' || c === '-') {
      const n = lexNumber(body, i);
      if (typeof n !== 'number') return n;
      i = n;
    } else {
      return { at: i, message: `unrecognized character in action: ${describeChar(c)}` };
    }
  }
  if (parens > 0) return { at: body.length, message: 'unclosed left paren' };
  return undefined;
}

function lexNumber(body: string, i: number): number | LexProblem {
  const m = NUMBER.exec(body.slice(i));
  const end = i + (m?.[0].length ?? 0);
  if (!m || m[0].replace(/^[+-]/, '') === '' || ALNUM.test(body[end] ?? '')) {
    const bad = body.slice(i, Math.max(end + 1, i + 2));
    return { at: i, message: `bad number syntax: "${bad}"` };
  }
  return end;
}

/** ".Values" for ".Values.my-key": the chain before the offending field. */
function chainBefore(body: string, fieldStart: number): string {
  let s = fieldStart;
  while (s > 0 && (ALNUM.test(body[s - 1] as string) || body[s - 1] === '.' || body[s - 1] === '$')) s--;
  return body.slice(s, fieldStart) || '.';
}

function restOfKey(body: string, from: number): string {
  let j = from;
  while (j < body.length && (ALNUM.test(body[j] as string) || body[j] === '-')) j++;
  return body.slice(from, j);
}
