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

/** Strict JSON with source positions: no comments, no trailing commas. */
export function parseJson(text: string): JsonParseResult {
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
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
      value: getNodeValue(tree),
      positionOf: (path) => lines.at(nearest(path).offset),
      keyPositionOf: (path) => {
        const node = findNodeAtLocation(tree, path);
        const key = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
        return lines.at((key ?? nearest(path)).offset);
      },
    },
  };
}
