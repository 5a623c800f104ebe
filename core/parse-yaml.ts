import { Composer, type CST, type Document, isNode, LineCounter, Parser } from 'yaml';
import type { Position } from './findings.ts';
import { reindentQuotedContinuations } from './yaml-go-leniency.ts';

export type YamlPath = (string | number)[];

export interface YamlDocument {
  value: unknown;
  /** Position of the node at a path, or the nearest existing parent. */
  positionOf(path: YamlPath): Position;
  /** Position of a mapping key at a path, falling back to positionOf. */
  keyPositionOf(path: YamlPath): Position;
}

export interface YamlSyntaxError {
  message: string;
  position: Position;
}

export type YamlParseResult = { ok: true; docs: YamlDocument[] } | { ok: false; error: YamlSyntaxError };

export interface YamlOptions {
  /** Template-masked files can legitimately repeat keys across `if`/`else` branches. */
  uniqueKeys?: boolean;
  /** Added to every reported position (for YAML embedded in another file, e.g. a preset's add block). */
  lineOffset?: number;
  columnOffset?: number;
}

// Aliases are where YAML bombs live: the yaml library counts expansions and throws past this.
const MAX_ALIAS_COUNT = 100;
/**
 * The yaml library composes documents recursively. Past ~800 nested collections it overflows the
 * stack, and after such an overflow V8 can abort the whole process on the next parse ("RegExpCompiler
 * Allocation failed"), so deeper documents are refused before they are composed. Real packs nest a
 * few dozen levels at most.
 */
export const MAX_YAML_DEPTH = 256;

/** Parses every document of a YAML stream with source positions; never throws. */
export function parseYaml(text: string, opts: YamlOptions = {}): YamlParseResult {
  const lineCounter = new LineCounter();
  const toPos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + (opts.lineOffset ?? 0), column: p.col + (opts.columnOffset ?? 0) };
  };
  let documents: Document.Parsed[];
  try {
    // The CST parser is iterative, so the depth can be measured safely before composing.
    const tokens = Array.from(new Parser(lineCounter.addNewLine).parse(text));
    const deep = tooDeepOffset(tokens);
    if (deep !== undefined) {
      return {
        ok: false,
        error: {
          message: `collections are nested more than ${MAX_YAML_DEPTH} levels deep; Packyard refuses to parse documents this deep`,
          position: toPos(deep),
        },
      };
    }
    const composer = new Composer({ uniqueKeys: opts.uniqueKeys ?? true, strict: true, logLevel: 'error' });
    documents = Array.from(composer.compose(tokens)) as Document.Parsed[];
  } catch (err) {
    return { ok: false, error: { message: describeThrown(err), position: toPos(0) } };
  }
  // Only the first error: later ones are usually the parser recovering from it.
  for (const d of documents) {
    const e = d.errors[0];
    if (e)
      return {
        ok: false,
        error: { message: e.message.split('\n')[0] ?? e.message, position: toPos(e.pos[0]) },
      };
  }
  const docs: YamlDocument[] = [];
  for (const d of documents) {
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      return { ok: false, error: { message: describeThrown(err), position: toPos(d.range?.[0] ?? 0) } };
    }
    const nearest = (path: YamlPath): number => {
      for (let n = path.length; n > 0; n--) {
        const node = d.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return node.range[0];
      }
      return d.contents?.range?.[0] ?? d.range?.[0] ?? 0;
    };
    docs.push({
      value,
      positionOf: (path) => toPos(nearest(path)),
      keyPositionOf: (path) => {
        if (path.length === 0) return toPos(nearest(path));
        const parent = d.getIn(path.slice(0, -1), true) as { items?: { key?: unknown }[] } | undefined;
        const last = String(path[path.length - 1]);
        const pair = parent?.items?.find(
          (it) => isNode(it?.key) && String((it.key as { toJSON(): unknown }).toJSON()) === last,
        );
        const range = isNode(pair?.key) ? pair.key.range : undefined;
        return toPos(range ? range[0] : nearest(path));
      },
    });
  }
  return { ok: true, docs };
}

/** Offset of a collection nested deeper than MAX_YAML_DEPTH, walking the CST without recursion. */
function tooDeepOffset(tokens: readonly CST.Token[]): number | undefined {
  // Only documents and collections go on the stack (scalars end a path), in two parallel arrays:
  // the walk visits every collection of every file, so it allocates nothing per token.
  const stack: CST.Token[] = [];
  const depths: number[] = [];
  const push = (t: CST.Token | null | undefined, depth: number) => {
    if (t && (t.type === 'document' || isCollection(t))) {
      stack.push(t);
      depths.push(depth);
    }
  };
  for (const t of tokens) push(t, 0);
  while (stack.length > 0) {
    const token = stack.pop() as CST.Token;
    const depth = depths.pop() as number;
    if (token.type === 'document') push(token.value, depth);
    else if (isCollection(token)) {
      if (depth >= MAX_YAML_DEPTH) return token.offset;
      for (const item of token.items) {
        push(item.key, depth + 1);
        push(item.value, depth + 1);
      }
    }
  }
  return undefined;
}

function isCollection(t: CST.Token): t is CST.BlockMap | CST.BlockSequence | CST.FlowCollection {
  return t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection';
}

function describeThrown(err: unknown): string {
  if (err instanceof RangeError) return 'the document is nested too deeply to parse';
  const msg = err instanceof Error ? err.message : String(err);
  if (/alias count/i.test(msg)) {
    return `too many alias expansions (over ${MAX_ALIAS_COUNT}); this looks like a "billion laughs" YAML bomb — remove the recursive aliases`;
  }
  return msg.split('\n')[0] ?? msg;
}

export type GoYamlParseResult =
  | { ok: true; docs: YamlDocument[]; goOnly?: { lines: number[] } }
  | { ok: false; error: YamlSyntaxError };

/**
 * Parses as Go's YAML parser reads the file: strictly first; if that fails only because of
 * under-indented continuation lines of quoted scalars (which go-yaml accepts), parses the
 * re-indented text and says which lines needed it.
 */
export function parseYamlAsGo(text: string, opts: YamlOptions = {}): GoYamlParseResult {
  const strict = parseYaml(text, opts);
  if (strict.ok) return strict;
  const fixed = reindentQuotedContinuations(text);
  if (!fixed) return strict;
  const lenient = parseYaml(fixed.text, opts);
  return lenient.ok ? { ...lenient, goOnly: { lines: fixed.lines } } : strict;
}
