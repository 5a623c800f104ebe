/**
 * Free-text search (`q=`) with DynamoDB Query only: each pack summary carries `searchText`, its
 * name, display name and README reduced to lower-case words separated by single spaces, and a
 * search is `contains(searchText, word)` for every word of the query, a FilterExpression on the
 * same bounded pages as the other filters (adapters/dynamo/pack-records.ts listPacks). No Scan, no
 * second index; the cost of a page stays bounded whatever the table holds.
 */

/** Kept per summary (and facet item): the first README words are what identifies a pack. */
export const MAX_SEARCH_TEXT = 4000;
/** Words one query may hold; more would make each evaluated item costlier without helping. */
export const MAX_QUERY_WORDS = 8;

/** Lower-case letters and digits of every script; everything else separates words. */
function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/** What a pack is found by: name, display name and README text (Markdown punctuation dropped). */
export function searchTextOf(name: string, displayName: string, readme?: string): string {
  const text = ` ${[...words(name), ...words(displayName), ...words(readme ?? '')].join(' ')} `;
  if (text.length <= MAX_SEARCH_TEXT) return text;
  // Cut at a word boundary so a truncated word never matches as if whole.
  const cut = text.lastIndexOf(' ', MAX_SEARCH_TEXT - 1);
  return text.slice(0, cut + 1);
}

/**
 * The query's words, deduplicated. Each must start a word of searchText (the adapter matches
 * `contains(searchText, " " + word)`), so `ingress` and `ingr` both find `nginx-ingress`.
 */
export function queryWords(q: string | null | undefined): string[] {
  return [...new Set(words(q ?? ''))].slice(0, MAX_QUERY_WORDS);
}
