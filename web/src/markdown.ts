import MarkdownIt from 'markdown-it';

/**
 * README rendering, sanitised by construction: markdown-it with `html: false` escapes every raw
 * HTML tag an author writes (no <script>, no onerror=, no <iframe>), and the only attributes it
 * emits are href/src/alt/title, which pass the scheme checks below. The page's CSP (script-src
 * 'self', no inline) is the second wall.
 */
const LINK_SCHEMES = /^(?:https?:|mailto:)/i;
/** Images: https, or an inline raster image (no SVG: it can carry script when opened directly). */
const IMAGE_SCHEMES = /^(?:https:|data:image\/(?:png|gif|jpeg|webp);)/i;
/** A relative reference (no scheme): an in-page anchor or a path. */
const RELATIVE = /^(?:#|\/(?!\/)|\.{1,2}\/|[^:/?#]+(?:[/?#]|$))/;

export function isSafeLink(href: string): boolean {
  const url = href.trim();
  return LINK_SCHEMES.test(url) || (RELATIVE.test(url) && !/^[a-z][a-z0-9+.-]*:/i.test(url));
}

export function isSafeImage(src: string): boolean {
  return IMAGE_SCHEMES.test(src.trim());
}

const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
// markdown-it's own validateLink already refuses javascript:, vbscript:, file: and non-image data:;
// ours is stricter and tells links from images.
md.validateLink = (url) => isSafeLink(url) || isSafeImage(url);

md.core.ruler.push('packyard_safe_urls', (state) => {
  const walk = (tokens: typeof state.tokens) => {
    for (const t of tokens) {
      if (t.type === 'link_open') {
        const href = String(t.attrGet('href') ?? '');
        if (!isSafeLink(href)) t.attrSet('href', '#');
        else if (/^https?:/i.test(href)) {
          t.attrSet('rel', 'nofollow noopener noreferrer');
          t.attrSet('target', '_blank');
        }
      }
      if (t.type === 'image') {
        const src = String(t.attrGet('src') ?? '');
        if (!isSafeImage(src)) t.attrSet('src', '');
        t.attrSet('loading', 'lazy');
        t.attrSet('referrerpolicy', 'no-referrer');
      }
      if (t.children) walk(t.children);
    }
  };
  walk(state.tokens);
});

export function renderMarkdown(source: string): string {
  return md.render(source);
}
