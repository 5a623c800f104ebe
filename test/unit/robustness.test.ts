/**
 * Hostile and broken input: the linter must answer with findings, never crash or hang, and a
 * broken pack must never stop the packs linted alongside it. The registry re-lints every push,
 * so everything here is reachable by anyone who can push.
 *
 * All cases run in one process on purpose: a stack overflow inside the YAML library once left V8
 * in a state where the next parse aborted the whole process, which only shows up on a second parse.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readChartArchive } from '../../core/chart-archive.ts';
import type { Finding } from '../../core/findings.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { parseJson } from '../../core/parse-json.ts';
import { MAX_YAML_DEPTH, parseYaml } from '../../core/parse-yaml.ts';
import { chartTgz, goodPack, makePack, type PackFiles, tarOf, tempDir } from '../helpers/packs.ts';

const MiB = 1024 * 1024;

/** A clean pack with another name, linted next to each broken one (same name would be a duplicate). */
function companion(): string {
  const json = JSON.parse(goodPack()['pack.json'] as string) as Record<string, unknown>;
  return makePack(goodPack({ 'pack.json': JSON.stringify({ ...json, name: 'companion' }, null, 2) }));
}

/** Lints the broken pack together with a good one; checks the good one is untouched. */
async function lintWithCompanion(dir: string): Promise<Finding[]> {
  const run = await lintPackDirs([dir, companion()]);
  expect(run.packs).toHaveLength(2);
  expect(run.packs[1]?.name).toBe('companion');
  expect(run.packs[1]?.findings).toEqual([]);
  return run.packs[0]?.findings ?? [];
}

/** Deterministic noise (xorshift32); without NUL bytes when asked, to reach the UTF-8 check. */
function garbage(n: number, seed: number, { noNul = false } = {}): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = noNul ? (x % 255) + 1 : x & 0xff;
  }
  return b;
}

/** Printable ASCII noise: valid UTF-8, so it reaches the parsers. */
function printable(n: number, seed: number): string {
  return [...garbage(n, seed)].map((c) => String.fromCharCode(32 + (c % 95))).join('');
}

const ruleAndFile = (f: Finding) => [f.rule, f.file];

function chartPack(tgz: Buffer): PackFiles {
  return goodPack({
    'pack.json': JSON.stringify({
      name: 'demo-chart',
      displayName: 'Demo Chart',
      version: '1.0.0',
      layer: 'addon',
      charts: ['charts/mychart-1.0.0.tgz'],
    }),
    'manifests/demo-app.yaml': undefined,
    'values.yaml': 'pack:\n  content:\n    images:\n      - image: ghcr.io/example/mychart:1.0.0\n',
    'charts/mychart-1.0.0.tgz': tgz,
  });
}

const DEEP = 100_000;
const deepYamlMessage = `nested more than ${MAX_YAML_DEPTH} levels deep`;

describe('YAML bombs', () => {
  const bomb = [
    'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
    'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
    'f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
    'g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]',
    'h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]',
    'i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]',
    '',
  ].join('\n');

  it('in values.yaml is a finding, quickly', async () => {
    const started = Date.now();
    const findings = await lintWithCompanion(makePack(goodPack({ 'values.yaml': bomb })));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'values/yaml-syntax',
        severity: 'error',
        file: 'values.yaml',
        message: expect.stringContaining('billion laughs'),
      }),
    ]);
  });

  it('in a manifest and in presets.yaml are findings, quickly', async () => {
    const started = Date.now();
    const findings = await lintWithCompanion(
      makePack(
        goodPack({
          'manifests/demo-app.yaml': bomb,
          'presets.yaml': `presets:\n  - name: a\n    displayName: A\n    group: G\n    add: |\n${bomb
            .split('\n')
            .map((l) => `      ${l}`)
            .join('\n')}`,
        }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings.map(ruleAndFile)).toEqual([
      ['manifest/yaml-syntax', 'manifests/demo-app.yaml'],
      ['presets/add-yaml', 'presets.yaml'],
    ]);
    for (const f of findings) expect(f.message).toContain('too many alias expansions');
  });
});

describe('huge files', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a 200 MB values.yaml is file/too-large and is never read', async () => {
    const dir = makePack(goodPack());
    fs.truncateSync(path.join(dir, 'values.yaml'), 200 * 1000 * 1000); // sparse: no bytes written
    const readSync = vi.spyOn(fs, 'readSync');
    const started = Date.now();
    const findings = await lintWithCompanion(dir);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(findings).toEqual([
      {
        rule: 'file/too-large',
        severity: 'error',
        file: 'values.yaml',
        message: expect.stringMatching(/^is 190\.7 MiB, over the 8\.0 MiB/),
      },
    ]);
    expect(readSync).toHaveBeenCalled(); // the spy sees the linter's reads...
    // readSync(fd, buffer, offset, length, position): sum the lengths asked for.
    const requested = readSync.mock.calls
      .map((c) => (c as unknown[])[3])
      .reduce((n: number, len) => n + (typeof len === 'number' ? len : 0), 0);
    expect(requested).toBeLessThan(64 * 1024); // ...and they are only the two packs' small files
  });

  it('a chart that inflates past the limit (gzip bomb) is refused', async () => {
    // Concatenated gzip members: 40 × 1 MiB of zeros in ~40 KiB. The lint limit (LIMITS.chartInflated,
    // 256 MiB) takes a second to reach, so the mechanism is checked here with a 16 MiB limit.
    const member = gzipSync(Buffer.alloc(MiB), { level: 9 });
    const tar = await tarOf({ 'mychart/Chart.yaml': 'apiVersion: v2\nname: mychart\nversion: 1.0.0\n' });
    const bomb = Buffer.concat([gzipSync(tar), ...Array.from({ length: 40 }, () => member)]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await readChartArchive(bomb, 16 * MiB)).toEqual({
      ok: false,
      reason: 'inflates to more than 16 MiB; it looks like a gzip bomb',
    });
  });
});

describe('binary garbage', () => {
  const cases: [string, PackFiles, [string, string][]][] = [
    ['pack.json (with NUL bytes)', { 'pack.json': garbage(4096, 1) }, [['file/binary', 'pack.json']]],
    [
      'pack.json (no NUL, invalid UTF-8)',
      { 'pack.json': garbage(4096, 2, { noNul: true }) },
      [['file/binary', 'pack.json']],
    ],
    ['values.yaml', { 'values.yaml': garbage(4096, 3) }, [['file/binary', 'values.yaml']]],
    [
      'values.yaml (no NUL, invalid UTF-8)',
      { 'values.yaml': garbage(4096, 4, { noNul: true }) },
      [['file/binary', 'values.yaml']],
    ],
    [
      'a manifest',
      { 'manifests/demo-app.yaml': garbage(4096, 5) },
      [['file/binary', 'manifests/demo-app.yaml']],
    ],
    ['logo.png', { 'logo.png': garbage(4096, 6) }, [['logo/png', 'logo.png']]],
    ['presets.yaml', { 'presets.yaml': garbage(4096, 7) }, [['file/binary', 'presets.yaml']]],
    ['schema.yaml', { 'schema.yaml': garbage(4096, 8) }, [['file/binary', 'schema.yaml']]],
  ];
  for (const [name, files, expected] of cases) {
    it(`as ${name} is a finding`, async () => {
      const findings = await lintWithCompanion(makePack(goodPack(files)));
      expect(findings.map(ruleAndFile)).toEqual(expected);
      for (const f of findings) expect(f.severity).toBe('error');
    });
  }

  it('as a chart .tgz that starts like gzip is chart/archive', async () => {
    const tgz = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), garbage(4096, 9)]);
    const findings = await lintWithCompanion(makePack(chartPack(tgz)));
    expect(findings.map(ruleAndFile)).toEqual([['chart/archive', 'charts/mychart-1.0.0.tgz']]);
    expect(findings[0]?.message).toContain('corrupt gzip stream');
  });

  it('as printable text in every text file is findings, not a crash', async () => {
    const findings = await lintWithCompanion(
      makePack(
        goodPack({
          'pack.json': printable(4096, 10),
          'values.yaml': printable(4096, 11),
          'manifests/demo-app.yaml': printable(4096, 12),
          'presets.yaml': printable(4096, 13),
          'schema.yaml': printable(4096, 14),
        }),
      ),
    );
    expect(findings.some((f) => f.file === 'pack.json' && f.severity === 'error')).toBe(true);
    expect(findings.some((f) => f.file === 'values.yaml' && f.severity === 'error')).toBe(true);
  });
});

describe('odd file system entries', () => {
  it('a dangling symlink is file/symlink', async () => {
    const dir = makePack(goodPack());
    fs.symlinkSync('nowhere/at/all.yaml', path.join(dir, 'extra.yaml'));
    const findings = await lintWithCompanion(dir);
    expect(findings.map(ruleAndFile)).toEqual([['file/symlink', 'extra.yaml']]);
  });

  it('a dangling symlink where values.yaml should be is file/symlink and values/missing', async () => {
    const dir = makePack(goodPack({ 'values.yaml': undefined }));
    fs.symlinkSync('values.real.yaml', path.join(dir, 'values.yaml'));
    const findings = await lintWithCompanion(dir);
    expect(findings.map(ruleAndFile)).toEqual([
      ['file/symlink', 'values.yaml'],
      ['values/missing', 'values.yaml'],
    ]);
  });

  it('a symlink to a file inside the pack is fine', async () => {
    const dir = makePack(
      goodPack({ 'values.yaml': undefined, 'defaults/values.yaml': goodPack()['values.yaml'] }),
    );
    fs.symlinkSync('defaults/values.yaml', path.join(dir, 'values.yaml'));
    expect(await lintWithCompanion(dir)).toEqual([]);
  });

  it('a self-referencing symlink loop is file/symlink', async () => {
    const dir = makePack(goodPack());
    fs.symlinkSync('loop.yaml', path.join(dir, 'loop.yaml'));
    const findings = await lintWithCompanion(dir);
    expect(findings.map(ruleAndFile)).toEqual([['file/symlink', 'loop.yaml']]);
  });

  it('an unreadable entry (a FIFO named like a manifest) is file/unreadable, and never blocks', async () => {
    const dir = makePack(goodPack({ 'manifests/demo-app.yaml': undefined }));
    fs.mkdirSync(path.join(dir, 'manifests'));
    execFileSync('mkfifo', [path.join(dir, 'manifests', 'demo-app.yaml')]);
    const findings = await lintWithCompanion(dir);
    expect(findings.map(ruleAndFile)).toEqual([
      ['file/unreadable', 'manifests/demo-app.yaml'],
      ['manifest/missing', 'pack.json'],
    ]);
  });
});

describe('deep nesting', () => {
  const flow = '['.repeat(DEEP);

  it(`${DEEP} unclosed "[" in values.yaml is values/yaml-syntax at the first level too deep`, async () => {
    const started = Date.now();
    const findings = await lintWithCompanion(makePack(goodPack({ 'values.yaml': flow })));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(findings).toEqual([
      {
        rule: 'values/yaml-syntax',
        severity: 'error',
        file: 'values.yaml',
        line: 1,
        column: MAX_YAML_DEPTH + 1,
        message: expect.stringContaining(deepYamlMessage),
      },
    ]);
  });

  it(`${DEEP} "[" in pack.json (closed or not) is pack-json/syntax`, async () => {
    for (const text of [flow, flow + ']'.repeat(DEEP), '{"a":'.repeat(DEEP)]) {
      const findings = await lintWithCompanion(makePack(goodPack({ 'pack.json': text })));
      expect(findings).toEqual([
        {
          rule: 'pack-json/syntax',
          severity: 'error',
          file: 'pack.json',
          line: 1,
          column: expect.any(Number),
          message: expect.stringContaining('nested more than 256 levels deep'),
        },
      ]);
    }
  });

  it('deep YAML in every YAML file, over and over in one process, is findings', async () => {
    // 5000 levels: well past where the YAML library overflowed the stack (~800).
    const shapes = {
      flow: '['.repeat(5_000),
      closed: '['.repeat(5_000) + ']'.repeat(5_000),
      flowMap: '{a: '.repeat(5_000),
      compactSeq: `${'- '.repeat(5_000)}x\n`,
      explicitKeys: `${'? '.repeat(5_000)}x\n`,
      blockMap: `${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`,
    };
    for (const [shape, text] of Object.entries(shapes)) {
      const findings = await lintWithCompanion(
        makePack(
          goodPack({
            'values.yaml': text,
            'manifests/demo-app.yaml': text,
            'presets.yaml': text,
            'schema.yaml': text,
          }),
        ),
      );
      expect(findings.map(ruleAndFile), shape).toEqual([
        ['manifest/yaml-syntax', 'manifests/demo-app.yaml'],
        ['presets/yaml-syntax', 'presets.yaml'],
        ['schema/yaml-syntax', 'schema.yaml'],
        ['values/yaml-syntax', 'values.yaml'],
      ]);
      for (const f of findings) expect(f.message, shape).toContain(deepYamlMessage);
    }
  });

  it('deep YAML in a preset add block is presets/add-yaml inside presets.yaml', async () => {
    const presets = `presets:\n  - name: a\n    displayName: A\n    group: G\n    add: |\n      ${'['.repeat(5000)}\n`;
    const findings = await lintWithCompanion(makePack(goodPack({ 'presets.yaml': presets })));
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'presets/add-yaml',
        line: 6,
        column: 6 + MAX_YAML_DEPTH + 1,
        message: expect.stringContaining(deepYamlMessage),
      }),
    ]);
  });

  it('deep Chart.yaml, chart values.yaml and values.schema.json are chart findings', async () => {
    const deepSchema = `${'{"properties":{"a":'.repeat(20_000)}{}${'}}'.repeat(20_000)}`;
    const cases: [Record<string, string>, string, string][] = [
      [{ 'mychart/Chart.yaml': '['.repeat(5_000) }, 'chart/chart-yaml', deepYamlMessage],
      [
        { 'mychart/values.yaml': '['.repeat(5_000), 'mychart/values.schema.json': '{}' },
        'chart/values-schema',
        deepYamlMessage,
      ],
      [
        { 'mychart/values.schema.json': deepSchema },
        'chart/values-schema',
        'nested more than 256 levels deep',
      ],
    ];
    for (const [files, rule, message] of cases) {
      const findings = await lintWithCompanion(makePack(chartPack(await chartTgz(files))));
      expect(findings).toEqual([
        expect.objectContaining({ rule, severity: 'error', message: expect.stringContaining(message) }),
      ]);
    }
  });

  it('the parsers survive repeated deep input and still parse normal input afterwards', () => {
    for (let i = 0; i < 5; i++) {
      expect(parseYaml('['.repeat(5000)).ok).toBe(false);
      expect(parseYaml(`${'- '.repeat(5000)}x`).ok).toBe(false);
      expect(parseJson('['.repeat(5000)).ok).toBe(false);
    }
    const nested = parseYaml(`${'['.repeat(MAX_YAML_DEPTH)}1${']'.repeat(MAX_YAML_DEPTH)}`);
    expect(nested.ok).toBe(true);
    expect(parseYaml('a:\n  b: [1, {c: d}]\n')).toMatchObject({
      ok: true,
      docs: [{ value: { a: { b: [1, { c: 'd' }] } } }],
    });
    expect(parseJson('{"a": [[[1]]]}')).toMatchObject({ ok: true, doc: { value: { a: [[[1]]] } } });
  });
});

describe('Go template masking in manifests', () => {
  const templated = [
    'apiVersion: v1', // 1
    'kind: ConfigMap', // 2
    'metadata:', // 3
    '  name: {{ .Release.Name }}-config', // 4
    '  labels:', // 5
    '    {{- range $key, $val := .Values.labels }}', // 6
    '    {{ $key }}: {{ $val | quote }}', // 7
    '    {{- end }}', // 8
    'data:', // 9
    '  {{- if .Values.debug }}', // 10
    '  level: debug', // 11
    '  {{- else if .Values.quiet }}', // 12
    '  level: quiet', // 13
    '  {{- else }}', // 14
    '  level: info', // 15
    '  {{- end }}', // 16
    '  {{/* the extra settings */}}', // 17
    '  {{- with .Values.extra }}', // 18
    '  extra: {{ . | toYaml | nindent 4 }}', // 19
    '  {{- end }}', // 20
    '',
  ];

  it('if/else/range/with blocks and "{{ $key }}: {{ $val }}" lines lint clean', async () => {
    const findings = await lintWithCompanion(
      makePack(goodPack({ 'manifests/demo-app.yaml': templated.join('\n') })),
    );
    expect(findings).toEqual([]);
  });

  it('an unbalanced {{ if }} is manifest/template at its opening line', async () => {
    const broken = templated.filter((_, i) => i !== 15); // drop the {{- end }} of the if (line 16)
    const findings = await lintWithCompanion(
      makePack(goodPack({ 'manifests/demo-app.yaml': broken.join('\n') })),
    );
    expect(findings).toEqual([
      {
        rule: 'manifest/template',
        severity: 'error',
        file: 'manifests/demo-app.yaml',
        line: 10,
        column: 3,
        message: expect.stringContaining('{{ if }} is never closed with {{ end }}'),
      },
    ]);
  });
});

describe('many broken packs at once', () => {
  it('each gets its own findings and the good ones none', async () => {
    const parent = tempDir();
    const broken = [
      makePack(goodPack({ 'pack.json': garbage(512, 20) }), parent, 'garbage'),
      makePack(goodPack({ 'values.yaml': '['.repeat(5_000) }), parent, 'deep'),
      makePack(goodPack({ 'pack.json': undefined }), parent, 'no-pack-json'),
    ];
    const run = await lintPackDirs([...broken, companion(), companion()].reverse());
    // Two companions share a name: they are (correctly) duplicates of each other and nothing else.
    const byPack = new Map(run.packs.map((p) => [path.basename(p.dir), p.findings.map((f) => f.rule)]));
    expect(byPack.get('garbage')).toEqual(['file/binary']);
    expect(byPack.get('deep')).toEqual(['values/yaml-syntax']);
    expect(byPack.get('no-pack-json')).toEqual(['pack-json/missing']);
    const companions = run.packs.filter((p) => p.name === 'companion');
    expect(companions.map((p) => p.findings.map((f) => f.rule))).toEqual([
      ['pack-json/duplicate'],
      ['pack-json/duplicate'],
    ]);
  });
});
