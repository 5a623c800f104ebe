import { type Document, isNode, LineCounter, parseAllDocuments } from 'yaml';
import type { Position } from './findings.ts';

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

/** Parses every document of a YAML stream with source positions; never throws. */
export function parseYaml(text: string, opts: YamlOptions = {}): YamlParseResult {
  const lineCounter = new LineCounter();
  const toPos = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + (opts.lineOffset ?? 0), column: p.col + (opts.columnOffset ?? 0) };
  };
  let documents: Document.Parsed[];
  try {
    const parsed = parseAllDocuments(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: opts.uniqueKeys ?? true,
      strict: true,
      logLevel: 'error',
    });
    documents = (Array.isArray(parsed) ? parsed : [parsed]) as Document.Parsed[];
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

function describeThrown(err: unknown): string {
  if (err instanceof RangeError) return 'the document is nested too deeply to parse';
  const msg = err instanceof Error ? err.message : String(err);
  if (/alias count/i.test(msg)) {
    return `too many alias expansions (over ${MAX_ALIAS_COUNT}); this looks like a "billion laughs" YAML bomb — remove the recursive aliases`;
  }
  return msg.split('\n')[0] ?? msg;
}
