import { describe, expect, it } from 'vitest';
import { queryWords, searchTextOf } from '../../lambdas/registry/packs/search-text.ts';
import { isSafeImage, isSafeLink, renderMarkdown } from '../../web/src/markdown.ts';
import { enabledPresets, presetGroups, schemaConstraints } from '../../web/src/pack-facts.ts';
import { orasPull, packyardPull, paletteSettings, terraform } from '../../web/src/snippets.ts';

describe('search text', () => {
  it('keeps words of name, display name and README, lower-cased, accents folded', () => {
    expect(searchTextOf('nginx-ingress', 'NGINX Ingress', '# Café\n\n**Routes** `HTTP`!')).toBe(
      ' nginx ingress nginx ingress cafe routes http ',
    );
  });
  it('is bounded and cut at a word boundary', () => {
    const text = searchTextOf('a', 'b', 'word '.repeat(2000));
    expect(text.length).toBeLessThanOrEqual(4000);
    expect(text.endsWith(' word ')).toBe(true);
  });
  it('turns a query into at most 8 distinct words', () => {
    expect(queryWords('  Ingress, ingress NGINX ')).toEqual(['ingress', 'nginx']);
    expect(queryWords('a b c d e f g h i j')).toHaveLength(8);
    expect(queryWords('***')).toEqual([]);
    expect(queryWords(null)).toEqual([]);
  });
});

describe('README Markdown', () => {
  it('escapes raw HTML instead of emitting it', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;');
  });
  it('drops unsafe link and image schemes, keeps safe ones', () => {
    const html = renderMarkdown(
      '[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](data:text/html,x) [d](https://ok.example/) [e](#anchor) ![i](javascript:x) ![j](https://img.example/x.png) ![k](data:image/svg+xml,x)',
    );
    expect(html).not.toMatch(/href="(javascript|data):/i);
    expect(html).not.toMatch(/src="(javascript|data:image\/svg)/i);
    expect(html).toContain('href="https://ok.example/"');
    expect(html).toContain('href="#anchor"');
    expect(html).toContain('src="https://img.example/x.png"');
    expect(html).toContain('rel="nofollow noopener noreferrer"');
  });
  it('classifies URLs', () => {
    expect(isSafeLink('mailto:a@b.c')).toBe(true);
    expect(isSafeLink('docs/setup.md')).toBe(true);
    expect(isSafeLink(' vbscript:x')).toBe(false);
    expect(isSafeLink('//evil.example/x')).toBe(false);
    expect(isSafeImage('data:image/png;base64,AAAA')).toBe(true);
    expect(isSafeImage('http://plain.example/x.png')).toBe(false);
  });
});

describe('pack facts', () => {
  it('groups presets by group, in file order', () => {
    const groups = presetGroups(
      'presets:\n  - {name: a, displayName: A, group: G1, remove: [x], add: "k: 1"}\n  - {name: b, displayName: B, group: G2}\n  - {name: c, displayName: C, group: G1}\n',
    );
    expect([...groups.keys()]).toEqual(['G1', 'G2']);
    expect(groups.get('G1')?.map((p) => p.name)).toEqual(['a', 'c']);
    expect(groups.get('G1')?.[0]).toMatchObject({ remove: ['x'], add: 'k: 1' });
    expect(presetGroups('not: [valid')).toEqual(new Map());
  });
  it('reads enabled presets and schema constraints', () => {
    expect(
      enabledPresets('# spectrocloud.com/enabled-presets: Size:small, Exposure:public\npack: {}'),
    ).toEqual(['Size:small', 'Exposure:public']);
    const [c] = schemaConstraints(
      `a.b:\n  schema: '{{ required | readonly | format "\${ipv4}" | hints "An address" }}'\n`,
    );
    expect(c).toMatchObject({
      path: 'a.b',
      required: true,
      readonly: true,
      format: '$' + '{ipv4}', // schema.yaml's syntax, not a template
      hints: 'An address',
    });
  });
});

describe('snippets', () => {
  const s = {
    origin: 'https://packs.example.com',
    host: 'packs.example.com',
    name: 'demo-app',
    version: '1.2.3',
    basePath: 'team-a',
    repository: 'team-a/spectro-packs/archive/demo-app',
  };
  it('names the Palette settings, the Terraform data source, packyard and oras', () => {
    expect(paletteSettings(s)).toContain('Base Content Path: team-a');
    expect(terraform(s)).toContain('data "spectrocloud_pack" "demo_app" {');
    expect(terraform({ ...s, name: '9lives' })).toContain('"p_9lives"');
    expect(packyardPull(s)).toBe(
      'packyard pull demo-app:1.2.3 ./demo-app-1.2.3 --registry packs.example.com/team-a',
    );
    expect(orasPull(s)).toBe('oras pull packs.example.com/team-a/spectro-packs/archive/demo-app:1.2.3');
  });
});
