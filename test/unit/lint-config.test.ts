/** `.packyard.yaml`: parsing with file:line errors, discovery upward, severities, overrides, ignores. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LintConfigError, parseLintConfig } from '../../core/lint-config.ts';
import { findLintConfig, lintPolicies } from '../../core/lint-config-file.ts';
import { lintPackDirs } from '../../core/lint-packs.ts';
import { goodPack, makePack, runCli, tempDir } from '../helpers/packs.ts';
import { lines, packJson } from '../helpers/rule-cases.ts';

function problems(text: string): string[] {
  try {
    parseLintConfig(text, 'cfg.yaml');
  } catch (err) {
    if (err instanceof LintConfigError) return err.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    throw err;
  }
  return [];
}

/** A repository (with .git) holding a config and packs under packs/. */
function repo(config: string, packs: Record<string, Record<string, string | Buffer>>): string {
  const root = tempDir();
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, '.packyard.yaml'), config);
  for (const [dir, files] of Object.entries(packs)) makePack(files, root, path.join('packs', dir));
  return root;
}

async function lintRepo(root: string, dirs: string[]) {
  const run = await lintPackDirs(
    dirs.map((d) => path.join(root, 'packs', d)),
    { policyFor: lintPolicies() },
  );
  return run.findings.map((f) => `${path.relative(root, f.file)} ${f.rule} ${f.severity}`);
}

const NO_README = goodPack({ 'README.md': undefined });

describe('parsing .packyard.yaml', () => {
  it('accepts the documented shape', () => {
    const c = parseLintConfig(
      lines(
        'rules:',
        '  readme/missing: off',
        'overrides:',
        '  - packs: packs/legacy-*',
        '    names: [legacy-*]',
        '    rules: { manifest/k8s-object: warning }',
        'ignore:',
        '  - files: packs/app/pack.json',
        '    rules: [pack-json/addon-type]',
      ),
      'cfg.yaml',
    );
    expect(c.overrides[0]?.packs).toEqual(['packs/legacy-*']);
    expect(c.ignore[0]?.files).toEqual(['packs/app/pack.json']);
  });

  it('names file:line for a bad severity, an unknown key and an unknown rule', () => {
    expect(problems(lines('rules:', '  readme/missing: maybe'))).toEqual([
      '2:19 rules.readme/missing must be error, warning or off',
    ]);
    expect(problems(lines('rule:', '  readme/missing: off'))).toEqual([
      expect.stringMatching(/^1:1 the config unknown key "rule"/),
    ]);
    expect(problems(lines('rules:', '  readme/mising: off'))).toEqual([
      '2:3 unknown rule "readme/mising"; did you mean "readme/missing"?',
    ]);
    expect(problems(lines('overrides:', '  - rules: { readme/missing: off }'))[0]).toMatch(
      /^2:5 overrides\.0 /,
    );
  });
});

describe('finding the config', () => {
  it('walks up from the pack and stops at the repository root', () => {
    const outer = tempDir();
    writeFileSync(path.join(outer, '.packyard.yaml'), 'rules: {}\n');
    const inner = path.join(outer, 'repo');
    mkdirSync(path.join(inner, '.git'), { recursive: true });
    const pack = makePack(goodPack(), inner, 'packs/a');
    expect(findLintConfig(pack)).toBeUndefined();
    writeFileSync(path.join(inner, '.packyard.yaml'), 'rules: {}\n');
    expect(findLintConfig(pack)).toBe(path.join(inner, '.packyard.yaml'));
  });
});

describe('applying the config', () => {
  it('turns rules off, changes severities, and scopes overrides by pack path and by name', async () => {
    const root = repo(
      lines(
        'rules:',
        '  readme/missing: off',
        'overrides:',
        '  - packs: packs/legacy-*',
        '    rules: { readme/missing: error }',
        '  - names: strict-*',
        '    rules: { readme/missing: warning }',
      ),
      {
        app: NO_README,
        'legacy-app': goodPack({ 'README.md': undefined, 'pack.json': packJson({ name: 'legacy-app' }) }),
        other: goodPack({ 'README.md': undefined, 'pack.json': packJson({ name: 'strict-app' }) }),
      },
    );
    expect(await lintRepo(root, ['app', 'legacy-app', 'other'])).toEqual([
      'packs/legacy-app/README.md readme/missing error',
      'packs/other/README.md readme/missing warning',
    ]);
  });

  it('ignores a rule in one file by path (pack.json cannot carry comments)', async () => {
    const files = goodPack({ 'pack.json': packJson({ addonType: 'gizmo' }) });
    const root = repo(lines('ignore:', '  - files: packs/a/pack.json', '    rules: [pack-json/addon-type]'), {
      a: files,
      b: files,
    });
    const found = await lintRepo(root, ['a', 'b']);
    expect(found.filter((f) => f.includes('addon-type'))).toEqual([
      'packs/b/pack.json pack-json/addon-type warning',
    ]);
  });

  it('honours # packyard-ignore on the line or the line before, for the named rule only', async () => {
    const manifest = (comment: string) =>
      lines(
        'apiVersion: v1',
        'kind: Pod',
        'metadata:',
        '  name: demo',
        'spec:',
        '  containers:',
        comment,
        '    - image: docker.io/library/busybox:1.36 # packyard-ignore values/image-not-listed -- mirrored by hand',
        '      name: a',
        '    - image: docker.io/library/alpine:3',
        '      name: b',
      );
    const root = repo('rules: {}\n', {
      a: goodPack({ 'manifests/demo-app.yaml': manifest('    # packyard-ignore values/images') }),
      b: goodPack({
        'pack.json': packJson({ name: 'demo-b' }),
        'manifests/demo-app.yaml': manifest('    # packyard-ignore values/image-not-listed'),
      }),
    });
    const run = await lintPackDirs([path.join(root, 'packs/a'), path.join(root, 'packs/b')], {
      policyFor: lintPolicies(),
    });
    const lines10 = run.findings.map((f) => `${path.relative(root, f.file)}:${f.line} ${f.rule}`);
    // a: line 8 ignored by its own comment; line 10 (alpine) reported. b: the same.
    expect(lines10).toEqual([
      'packs/a/manifests/demo-app.yaml:10 values/image-not-listed',
      'packs/b/manifests/demo-app.yaml:10 values/image-not-listed',
    ]);
  });

  it('applies to pack-json/duplicate, found across packs', async () => {
    const root = repo(lines('rules:', '  pack-json/duplicate: warning'), { a: goodPack(), b: goodPack() });
    expect(await lintRepo(root, ['a', 'b'])).toEqual([
      'packs/a/pack.json pack-json/duplicate warning',
      'packs/b/pack.json pack-json/duplicate warning',
    ]);
  });
});

describe('the CLI reads the same config', () => {
  it('packyard rules PACK shows effective severities; a bad --config is a usage error with file:line', async () => {
    const root = repo(
      lines('overrides:', '  - packs: packs/legacy-*', '    rules: { readme/missing: error }'),
      {
        'legacy-a': goodPack(),
      },
    );
    const shown = await runCli(['rules', path.join(root, 'packs/legacy-a')]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`config: ${path.join(root, '.packyard.yaml')}`);
    expect(shown.stdout).toMatch(/^readme\/missing\s+error \(default warning\)/m);
    const json = JSON.parse((await runCli(['rules', '--format', 'json'], { cwd: root })).stdout);
    expect(json.find((r: { id: string }) => r.id === 'readme/missing').effective).toBe('warning');

    const bad = path.join(root, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  readme/missing: maybe\n');
    const lint = await runCli(['lint', '--config', bad, path.join(root, 'packs')]);
    expect(lint.code).toBe(2);
    expect(lint.stderr).toContain(`${bad}:2:19: rules.readme/missing must be error, warning or off`);
    const withReadmeOff = path.join(root, 'off.yaml');
    writeFileSync(withReadmeOff, 'rules:\n  readme/missing: off\n');
    const noReadme = makePack(NO_README, root, 'packs/c');
    const ok = await runCli(['lint', '--config', withReadmeOff, noReadme, '--fail-on', 'warning']);
    expect(ok.code).toBe(0);
  });
});
