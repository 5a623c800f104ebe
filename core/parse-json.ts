import {
  findNodeAtLocation,
  getNodeValue,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import type { Position } from './findings.ts';
import { LineIndex } from './positions.ts';

export type JsonPath = (string | number)[];

export interface JsonDocument {
  value: unknown;
  /** Position of the value (or, failing that, the nearest existing parent) at a path. */
  positionOf(path: JsonPath): Position;
  /** Position of a property's key, falling back to positionOf. */
  keyPositionOf(path: JsonPath): Position;
}

export interface JsonSyntaxError {
  message: string;
  position: Position;
}

export type JsonParseResult = { ok: true; doc: JsonDocument } | { ok: false; error: JsonSyntaxError };

const HINTS: Record<string, string> = {
  CommaExpected: 'add a comma between entries',
  PropertyNameExpected: 'property names must be double-quoted strings',
  ValueExpected: 'a value is missing (trailing commas are not allowed in JSON)',
  InvalidCommentToken: 'JSON does not allow comments; remove it',
  CloseBraceExpected: 'an object is not closed with "}"',
  CloseBracketExpected: 'an array is not closed with "]"',
  ColonExpected: 'add ":" between a property name and its value',
  EndOfFileExpected: 'there is text after the end of the JSON value',
  InvalidSymbol: 'strings must use double quotes; other bare words are not JSON',
  UnexpectedEndOfString: 'a string is not closed',
};

export const MAX_JSON_DEPTH = 256;

/** Offset of the first "[" or "{" nested deeper than MAX_JSON_DEPTH (strings skipped). */
function tooDeepOffset(text: string): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

/** Strict JSON with source positions: no comments, no trailing commas. */
export function parseJson(text: string): JsonParseResult {
  const lines = new LineIndex(text);
  // jsonc-parser builds and reads its tree recursively: refuse what would overflow the stack.
  const deep = tooDeepOffset(text);
  if (deep !== undefined) {
    return {
      ok: false,
      error: {
        message: `arrays and objects are nested more than ${MAX_JSON_DEPTH} levels deep; Packyard refuses to parse JSON this deep`,
        position: lines.at(deep),
      },
    };
  }
  const errors: ParseError[] = [];
  let tree: Node | undefined;
  let value: unknown;
  try {
    tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
    value = tree && errors.length === 0 ? getNodeValue(tree) : undefined;
  } catch (err) {
    const message = err instanceof RangeError ? 'the document is nested too deeply to parse' : String(err);
    return { ok: false, error: { message, position: lines.at(0) } };
  }
  if (errors.length > 0 || !tree) {
    // Only the first error: the rest are usually the parser recovering from it.
    const e = errors[0] ?? ({ error: 4, offset: 0, length: 0 } as ParseError);
    const code = printParseErrorCode(e.error);
    return {
      ok: false,
      error: { message: `${code}: ${HINTS[code] ?? 'invalid JSON'}`, position: lines.at(e.offset) },
    };
  }
  const nearest = (path: JsonPath): Node => {
    for (let n = path.length; n >= 0; n--) {
      const node = findNodeAtLocation(tree, path.slice(0, n));
      if (node) return node;
    }
    return tree;
  };
  return {
    ok: true,
    doc: {
      value,
      positionOf: (path) => lines.at(nearest(path).offset),
      keyPositionOf: (path) => {
        const node = findNodeAtLocation(tree, path);
        const key = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
        return lines.at((key ?? nearest(path)).offset);
      },
    },
  };
}
