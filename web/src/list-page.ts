import { BASE, logoUrl, type PackSummary, requireReadable, searchPacks } from './api.ts';
import { h } from './dom.ts';

const LAYERS = ['', 'addon', 'cni', 'csi', 'k8s', 'os', 'kernel'];
const CLOUD_TYPES = [
  '',
  'all',
  'aws',
  'azure',
  'gcp',
  'vsphere',
  'openstack',
  'baremetal',
  'maas',
  'aks',
  'eks',
  'edge',
  'edge-native',
  'custom',
];

export function packHref(p: { name: string; basePath: string }, version?: string): string {
  const path = `${BASE}/packs/${encodeURIComponent(p.name)}${version ? `/${encodeURIComponent(version)}` : ''}`;
  return p.basePath ? `${path}?base=${encodeURIComponent(p.basePath)}` : path;
}

function select(id: string, label: string, options: string[], value: string, onChange: (v: string) => void) {
  const el = h(
    'select',
    { id, name: id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) },
    options.map((o) => h('option', { value: o, selected: o === value }, o || 'any')),
  );
  return h('label', { class: 'filter', for: id }, label, el);
}

function card(p: PackSummary): HTMLElement {
  const logo = h('img', { class: 'logo', alt: '', width: 48, height: 48, src: `${BASE}/assets/${ICON}` });
  void logoUrl(p.name, p.latestVersion, p.basePath).then((url) => {
    if (url) logo.src = url;
  });
  return h(
    'li',
    { class: 'card' },
    h(
      'a',
      { href: packHref(p), 'data-nav': true, class: 'card-link' },
      logo,
      h(
        'div',
        { class: 'card-body' },
        h('h2', {}, p.displayName),
        h(
          'p',
          { class: 'muted mono' },
          p.basePath ? `${p.basePath}/` : '',
          p.name,
          ' ',
          h('span', { class: 'ver' }, p.latestVersion),
        ),
        h(
          'p',
          { class: 'tags' },
          h('span', { class: 'tag layer' }, p.layer),
          p.addonType ? h('span', { class: 'tag' }, p.addonType) : null,
          p.cloudTypes.map((c) => h('span', { class: 'tag cloud' }, c)),
        ),
      ),
    ),
  );
}

/** The icon's hashed name, read from the page's own <link rel=icon>. */
const ICON =
  document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.getAttribute('href')?.split('/').pop() ?? '';

export async function renderList(
  main: HTMLElement,
  params: URLSearchParams,
  go: (url: string) => void,
): Promise<void> {
  const state = {
    q: params.get('q') ?? '',
    layer: params.get('layer') ?? '',
    cloudType: params.get('cloudType') ?? '',
    addonType: params.get('addonType') ?? '',
  };
  const update = (k: keyof typeof state, v: string) => {
    const next = new URLSearchParams();
    for (const [key, val] of Object.entries({ ...state, [k]: v })) if (val) next.set(key, val);
    const qs = next.toString();
    go(`${BASE}/${qs ? `?${qs}` : ''}`);
  };
  const addon = h('input', {
    id: 'addonType',
    name: 'addonType',
    value: state.addonType,
    placeholder: 'any',
    list: 'addon-types',
    onchange: (e: Event) => update('addonType', (e.target as HTMLInputElement).value.trim()),
  });
  const list = h('ul', { class: 'cards', 'aria-live': 'polite', id: 'results' });
  const count = h('p', { class: 'muted', id: 'count' }, 'Loading…');
  const addonTypes = h('datalist', { id: 'addon-types' });
  main.append(
    h('h1', { class: 'visually-hidden' }, 'Packs'),
    h(
      'div',
      { class: 'filters', role: 'group', 'aria-label': 'Filters' },
      select('layer', 'Layer', LAYERS, state.layer, (v) => update('layer', v)),
      select('cloudType', 'Cloud type', CLOUD_TYPES, state.cloudType, (v) => update('cloudType', v)),
      h('label', { class: 'filter', for: 'addonType' }, 'Add-on type', addon, addonTypes),
    ),
    count,
    list,
  );
  const [page] = await Promise.all([searchPacks(state), requireReadable()]);
  // Newest version first within the page order the API gives (pack name), as the issue asks:
  // most recently updated packs lead.
  const packs = [...page.packs].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  count.textContent = `${packs.length}${page.next ? '+' : ''} pack${packs.length === 1 ? '' : 's'}${state.q ? ` matching “${state.q}”` : ''}`;
  for (const t of new Set(packs.map((p) => p.addonType).filter(Boolean)))
    addonTypes.append(h('option', { value: String(t) }));
  if (packs.length === 0)
    list.append(h('li', { class: 'empty' }, 'No packs match. Try fewer words or other filters.'));
  list.append(...packs.map(card));
}
