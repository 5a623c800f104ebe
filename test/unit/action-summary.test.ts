import { describe, expect, it } from 'vitest';
import { type AnnotationProperties, annotate, annotationOverflowNote } from '../../action/annotations.ts';
import { countStatuses, failureMessage, type PackOutcome, resultEntries } from '../../action/result.ts';
import { cell, code, renderSummary, type SummaryInput } from '../../action/summary.ts';
import type { ReportedFinding } from '../../core/lint-packs.ts';

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;

function outcome(over: Partial<PackOutcome>): PackOutcome {
  return {
    path: 'packs/x',
    name: 'x',
    version: '1.0.0',
    digest: DIGEST_A,
    status: 'published',
    errors: 0,
    warnings: 0,
    uploaded: 0,
    ...over,
  };
}

function finding(over: Partial<ReportedFinding>): ReportedFinding {
  return {
    pack: 'packs/bad',
    rule: 'manifest/missing',
    severity: 'error',
    file: 'packs/bad/pack.json',
    line: 12,
    column: 5,
    message: 'kubeManifests entry "manifests/missing.yaml" is not in the pack',
    ...over,
  };
}

const OUTCOMES: PackOutcome[] = [
  outcome({ path: 'packs/a', name: 'alpha', digest: DIGEST_A, status: 'published', uploaded: 1234 }),
  outcome({
    path: 'packs/b',
    name: 'beta',
    version: '2.0.0',
    digest: DIGEST_B,
    status: 'skipped',
    message: 'already in the registry',
    warnings: 1,
  }),
  outcome({
    path: 'packs/bad',
    name: 'bad',
    digest: null,
    status: 'invalid',
    message: '2 lint errors',
    errors: 2,
  }),
  outcome({ path: 'packs/c', name: 'gamma', status: 'failed', message: 'demo:1.0.0 already holds sha256:…' }),
];

const FINDINGS: ReportedFinding[] = [
  finding({}),
  finding({
    rule: 'pack-json/schema',
    line: 5,
    column: 12,
    message: '"layer" must be one of "kernel", "os" | <addon>',
  }),
  finding({
    pack: 'packs/b',
    severity: 'warning',
    rule: 'readme/missing',
    file: 'packs/b',
    line: undefined,
    column: undefined,
    message: 'The pack has no README.md',
  }),
];

function input(over: Partial<SummaryInput> = {}): SummaryInput {
  return {
    outcomes: OUTCOMES,
    findings: FINDINGS,
    registry: 'registry.example.com/team-a',
    dryRun: false,
    failOn: 'error',
    annotations: { errors: { shown: 2, total: 2 }, warnings: { shown: 1, total: 1 }, limit: 10 },
    ...over,
  };
}

describe('job summary', () => {
  it('renders a table of packs, versions, outcomes and digests', () => {
    const md = renderSummary(input());
    expect(md).toContain(
      '**4 packs** to `registry.example.com/team-a`: 1 published, 1 skipped, 1 invalid, 1 failed.',
    );
    expect(md).toContain('| Pack | Version | Outcome | Digest | Details |');
    const short = (d: string) => `<code title="${d}">${d.slice(0, 'sha256:'.length + 12)}…</code>`;
    expect(md).toContain(
      `| \`alpha\`<br><sub>packs/a</sub> | 1.0.0 | ✅ published | ${short(DIGEST_A)} |  |`,
    );
    expect(md).toContain(
      `| \`beta\`<br><sub>packs/b</sub> | 2.0.0 | ⏭️ skipped | ${short(DIGEST_B)} | already in the registry; lint: 1 warning |`,
    );
    expect(md).toContain('| `bad`<br><sub>packs/bad</sub> | 1.0.0 | ❌ invalid |  | 2 lint errors |');
    expect(md).toContain('| `gamma`<br><sub>packs/c</sub> | 1.0.0 | ❌ failed |');
    expect(md).not.toContain('Dry run');
  });

  it('lists every lint finding, escaped for a Markdown table', () => {
    const md = renderSummary(input());
    expect(md).toContain('### Lint findings: 2 errors, 1 warning');
    expect(md).toContain(
      '| ❌ error | `packs/bad/pack.json:12:5` | `manifest/missing` | kubeManifests entry "manifests/missing.yaml" is not in the pack |',
    );
    expect(md).toContain(
      '| ❌ error | `packs/bad/pack.json:5:12` | `pack-json/schema` | "layer" must be one of "kernel", "os" \\| &lt;addon&gt; |',
    );
    expect(md).toContain('| ⚠️ warning | `packs/b` | `readme/missing` | The pack has no README.md |');
    expect(md).not.toContain('could not be shown as annotations');
  });

  it('lists errors before warnings, grouped by pack', () => {
    const other = finding({
      pack: 'packs/z',
      file: 'packs/z/pack.json',
      rule: 'pack-json/syntax',
      message: 'bad',
    });
    const md = renderSummary(
      input({ findings: [FINDINGS[2] as ReportedFinding, other, ...FINDINGS.slice(0, 2)] }),
    );
    const order = [
      '`packs/z/pack.json:12:5`',
      '`packs/bad/pack.json:12:5`',
      '`packs/bad/pack.json:5:12`',
      '| `packs/b` |',
    ].map((s) => md.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('links locations to the commit when the run names one', () => {
    const md = renderSummary(input({ sourceUrl: 'https://github.com/o/r/blob/abc123/' }));
    expect(md).toContain(
      '[packs/bad/pack.json:12:5](https://github.com/o/r/blob/abc123/packs/bad/pack.json#L12)',
    );
    expect(md).toContain('[packs/b](https://github.com/o/r/blob/abc123/packs/b)');
  });

  it('says when findings did not fit in the annotations', () => {
    const md = renderSummary(
      input({
        annotations: { errors: { shown: 10, total: 14 }, warnings: { shown: 1, total: 1 }, limit: 10 },
      }),
    );
    expect(md).toContain(
      '4 findings could not be shown as annotations on the files (at most 10 errors and 10 warnings per step); all of them are listed here.',
    );
  });

  it('marks a dry run and fail-on warning', () => {
    const md = renderSummary(
      input({
        dryRun: true,
        failOn: 'warning',
        registry: undefined,
        outcomes: [outcome({ status: 'skipped', message: 'dry run: not pushed' })],
        findings: [],
      }),
    );
    expect(md).toContain('**1 pack**: 0 published, 1 skipped, 0 invalid, 0 failed.');
    expect(md).toContain('> **Dry run:** packs were linted and packaged; nothing was pushed.');
    expect(md).toContain('`fail-on: warning`');
    expect(md).toMatch(/\| `x`<br><sub>[^<]*<\/sub> \| 1\.0\.0 \| 🧪 dry run \|/);
    expect(md).toContain('No lint findings.');
  });

  it('stays under the size limit, saying how many findings were cut', () => {
    const many = Array.from({ length: 500 }, (_, i) => finding({ line: i + 1 }));
    const md = renderSummary(
      input({
        findings: many,
        annotations: { errors: { shown: 10, total: 500 }, warnings: { shown: 0, total: 0 }, limit: 10 },
        maxBytes: 8000,
      }),
    );
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(8000);
    const shown = md.match(/^\| ❌ error \|/gm)?.length ?? 0;
    expect(shown).toBeGreaterThan(10);
    expect(md).toContain(`*${500 - shown} more findings not shown: the job summary is limited in size.`);
  });

  it('escapes table cells and code spans', () => {
    expect(cell('a|b <i>*x*</i> & `c`\nnext')).toBe('a\\|b &lt;i&gt;\\*x\\*&lt;/i&gt; &amp; \\`c\\`<br>next');
    expect(code('a|b')).toBe('`a\\|b`');
    expect(code('a`b')).toBe('a\\`b');
  });
});

describe('annotations', () => {
  it('annotates file, line and column with the rule as title, at most the limit per severity', () => {
    const calls: { kind: string; message: string; props: AnnotationProperties }[] = [];
    const sink = {
      error: (message: string, props: AnnotationProperties) => calls.push({ kind: 'error', message, props }),
      warning: (message: string, props: AnnotationProperties) =>
        calls.push({ kind: 'warning', message, props }),
    };
    const errors = Array.from({ length: 12 }, (_, i) => finding({ line: i + 1 }));
    const warnings = Array.from({ length: 3 }, () =>
      finding({
        severity: 'warning',
        rule: 'readme/missing',
        file: 'packs/b',
        line: undefined,
        column: undefined,
      }),
    );
    const report = annotate([...errors, ...warnings], 10, sink);
    expect(report).toEqual({ errors: { shown: 10, total: 12 }, warnings: { shown: 3, total: 3 }, limit: 10 });
    expect(calls.filter((c) => c.kind === 'error')).toHaveLength(10);
    expect(calls[0]).toEqual({
      kind: 'error',
      message: FINDINGS[0]?.message,
      props: {
        title: 'manifest/missing',
        file: 'packs/bad/pack.json',
        startLine: 1,
        endLine: 1,
        startColumn: 5,
      },
    });
    expect(calls.at(-1)).toEqual({
      kind: 'warning',
      message: 'kubeManifests entry "manifests/missing.yaml" is not in the pack',
      props: { title: 'readme/missing', file: 'packs/b' },
    });
    expect(annotationOverflowNote(report)).toBe(
      'Annotated 10 of 12 errors and 3 of 3 warnings (annotations-limit 10; GitHub shows at most 10 of each per step); the job summary lists every finding.',
    );
    expect(annotationOverflowNote(annotate(warnings, 10, sink))).toBeUndefined();
    expect(annotate(errors, 0, sink).errors).toEqual({ shown: 0, total: 12 });
  });
});

describe('result output', () => {
  it('gives {name, version, digest, status, path, message?} per pack and the counts', () => {
    expect(resultEntries(OUTCOMES.slice(0, 3))).toEqual([
      { name: 'alpha', version: '1.0.0', digest: DIGEST_A, status: 'published', path: 'packs/a' },
      {
        name: 'beta',
        version: '2.0.0',
        digest: DIGEST_B,
        status: 'skipped',
        path: 'packs/b',
        message: 'already in the registry',
      },
      {
        name: 'bad',
        version: '1.0.0',
        digest: null,
        status: 'invalid',
        path: 'packs/bad',
        message: '2 lint errors',
      },
    ]);
    expect(countStatuses(OUTCOMES)).toEqual({ published: 1, skipped: 1, invalid: 1, failed: 1 });
  });

  it('fails the step only for invalid or failed packs, naming each', () => {
    expect(failureMessage(OUTCOMES.slice(0, 2), 'error')).toBeUndefined();
    const message = failureMessage(OUTCOMES, 'warning') as string;
    expect(message.split('\n')).toEqual([
      '2 packs not published (fail-on: warning): 1 invalid, 1 failed; see the job summary',
      'packs/bad (bad@1.0.0): invalid — 2 lint errors',
      'packs/c (gamma@1.0.0): failed — demo:1.0.0 already holds sha256:…',
    ]);
  });
});
