import { BASE, listVersions, logoUrl, NotFound, type PackVersion, versionFiles, versionText } from './api.ts';
import { copyBlock } from './copy.ts';
import { formatBytes, formatDate, h } from './dom.ts';
import { packHref } from './list-page.ts';
import { renderMarkdown } from './markdown.ts';
import { enabledPresets, presetGroups, schemaConstraints } from './pack-facts.ts';
import { orasPull, packyardPull, paletteSettings, terraform } from './snippets.ts';
import { highlightYaml } from './yaml-view.ts';

function section(id: string, title: string, ...body: (Node | string | null)[]): HTMLElement {
  return h(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, title),
    ...body,
  );
}

function provenance(p: Record<string, string> | null): Node {
  if (!p) return h('span', { class: 'muted' }, '—');
  const server = p.issuer?.includes('githubusercontent') ? 'https://github.com' : undefined;
  const repo = p.repository;
  const run = p.runId;
  const runLink =
    server && repo && run && /^[\w.-]+\/[\w.-]+$/.test(repo) && /^\d+$/.test(run)
      ? h(
          'a',
          { href: `${server}/${repo}/actions/runs/${run}`, rel: 'noopener noreferrer', target: '_blank' },
          `run ${run}`,
        )
      : run
        ? `run ${run}`
        : null;
  return h(
    'span',
    { class: 'prov' },
    h('span', {}, (p.jobWorkflowRef ?? p.workflowRef ?? '').split('@')[0] || repo || p.publisher || ''),
    runLink ? h('br') : null,
    runLink,
    p.sha ? h('br') : null,
    p.sha ? h('span', { class: 'mono' }, `commit ${p.sha.slice(0, 12)}`) : null,
  );
}

function versionsTable(versions: PackVersion[], current: string): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0 },
    h(
      'table',
      { class: 'versions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Version', 'Digest', 'Size', 'Pushed', 'By', 'Lint', 'Provenance'].map((c) =>
            h('th', { scope: 'col' }, c),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        versions.map((v) =>
          h(
            'tr',
            {
              class: v.version === current ? 'current' : undefined,
              'aria-current': v.version === current ? 'true' : undefined,
            },
            h('td', {}, h('a', { href: packHref(v, v.version), 'data-nav': true }, v.version)),
            h('td', { class: 'mono', title: v.digest }, v.digest.slice(0, 19), '…'),
            h('td', {}, formatBytes(v.size)),
            h('td', {}, formatDate(v.pushedAt)),
            h('td', {}, v.pushedBy),
            h(
              'td',
              {},
              h('span', { class: v.lint.errors ? 'bad' : 'ok' }, `${v.lint.errors} errors`),
              ', ',
              `${v.lint.warnings} warnings`,
            ),
            h('td', {}, provenance(v.provenance)),
          ),
        ),
      ),
    ),
  );
}

export async function renderPack(
  main: HTMLElement,
  name: string,
  wanted: string | undefined,
  base: string,
  go: (url: string) => void,
): Promise<void> {
  const versions = await listVersions(name, base);
  const v = wanted ? versions.find((x) => x.version === wanted) : versions[0];
  if (!v) throw new NotFound(`version ${wanted} of ${name} is not published`);
  document.title = `${v.displayName} ${v.version} · Packyard`;
  const [readme, values, presets, schema, files, logo] = await Promise.all([
    versionText(name, v.version, base, 'readme'),
    versionText(name, v.version, base, 'values'),
    versionText(name, v.version, base, 'presets'),
    versionText(name, v.version, base, 'schema'),
    versionFiles(name, v.version, base),
    logoUrl(name, v.version, base),
  ]);

  const picker = h(
    'select',
    {
      id: 'version',
      onchange: (e: Event) => go(packHref(v, (e.target as HTMLSelectElement).value)),
    },
    versions.map((x) => h('option', { value: x.version, selected: x.version === v.version }, x.version)),
  );
  const head = h(
    'div',
    { class: 'pack-head' },
    logo
      ? h('img', { class: 'logo big', src: logo, alt: `${v.displayName} logo`, width: 72, height: 72 })
      : null,
    h(
      'div',
      {},
      h('h1', {}, v.displayName),
      h('p', { class: 'muted mono' }, v.repository),
      h(
        'p',
        { class: 'tags' },
        h('span', { class: 'tag layer', title: 'layer' }, v.layer),
        v.addonType ? h('span', { class: 'tag', title: 'addonType' }, v.addonType) : null,
        v.cloudTypes.map((c) => h('span', { class: 'tag cloud', title: 'cloudType' }, c)),
      ),
    ),
    h('label', { class: 'filter version-pick', for: 'version' }, 'Version', picker),
  );

  const readmeBox = h('div', { class: 'markdown', id: 'readme' });
  // markdown-it with html disabled: the string holds only markup it generated (markdown.ts).
  if (readme !== undefined) readmeBox.innerHTML = renderMarkdown(readme);
  else readmeBox.append(h('p', { class: 'muted' }, 'This pack has no README.md.'));

  const enabled = new Set(enabledPresets(values));
  const groups = presetGroups(presets);
  const presetsBody = h('div', {});
  if (groups.size === 0) presetsBody.append(h('p', { class: 'muted' }, 'No presets.'));
  for (const [group, list] of groups) {
    presetsBody.append(
      h(
        'fieldset',
        { class: 'preset-group' },
        h('legend', {}, group),
        list.map((p) =>
          h(
            'details',
            { class: 'preset' },
            h(
              'summary',
              {},
              p.displayName,
              ' ',
              h('span', { class: 'muted mono' }, p.name),
              enabled.has(`${group}:${p.name}`) ? h('span', { class: 'tag' }, 'enabled') : null,
            ),
            p.remove.length
              ? h('p', {}, 'Removes: ', h('span', { class: 'mono' }, p.remove.join(', ')))
              : null,
            p.add ? highlightYaml(p.add) : null,
          ),
        ),
      ),
    );
  }

  const constraints = schemaConstraints(schema);
  const schemaBody =
    constraints.length === 0
      ? h('p', { class: 'muted' }, 'No schema.yaml constraints.')
      : h(
          'div',
          { class: 'table-wrap', tabindex: 0 },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Value', 'Required', 'Read-only', 'Format', 'Hints'].map((c) =>
                  h('th', { scope: 'col' }, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              constraints.map((c) =>
                h(
                  'tr',
                  {},
                  h('td', { class: 'mono' }, c.path),
                  h('td', {}, c.required ? 'yes' : ''),
                  h('td', {}, c.readonly ? 'yes' : ''),
                  h('td', { class: 'mono' }, c.format ?? ''),
                  h('td', {}, c.hints ?? ''),
                ),
              ),
            ),
          ),
        );

  const input = {
    origin: location.origin,
    host: location.host,
    name: v.name,
    version: v.version,
    basePath: v.basePath,
    repository: v.repository,
  };
  const use = section(
    'use',
    'Use it',
    copyBlock('Palette registry settings', paletteSettings(input), 'palette'),
    copyBlock('Terraform', terraform(input), 'terraform'),
    copyBlock('packyard pull', packyardPull(input), 'packyard'),
    copyBlock('oras pull', orasPull(input), 'oras'),
  );

  const filesBody = files
    ? h(
        'ul',
        { class: 'files mono' },
        files.map((f) => h('li', {}, f.path, ' ', h('span', { class: 'muted' }, formatBytes(f.size)))),
      )
    : h('p', { class: 'muted' }, 'No file list (indexed before file lists were kept).');

  main.append(
    h(
      'nav',
      { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: `${BASE}/`, 'data-nav': true }, 'All packs'),
      ' / ',
      v.name,
    ),
    head,
    h(
      'div',
      { class: 'pack-grid' },
      h(
        'div',
        { class: 'pack-main' },
        section('readme-s', 'README', readmeBox),
        section(
          'values',
          'values.yaml',
          values !== undefined ? highlightYaml(values) : h('p', { class: 'muted' }, 'No values.yaml.'),
        ),
        section('presets', 'Presets', presetsBody),
        section('schema', 'Schema constraints', schemaBody),
        section('versions', 'Versions', versionsTable(versions, v.version)),
      ),
      h('aside', { class: 'pack-side' }, use, section('files', 'Files', filesBody)),
    ),
  );
}
