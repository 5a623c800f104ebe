import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../helpers/packs.ts';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const example = readFileSync(path.join(ROOT, 'examples', 'workflows', 'publish-packs.yml'), 'utf8');
const planExample = readFileSync(path.join(ROOT, 'examples', 'workflows', 'plan-packs.yml'), 'utf8');
const oidcExample = readFileSync(path.join(ROOT, 'examples', 'workflows', 'publish-packs-oidc.yml'), 'utf8');
const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
};

describe('GitHub Action docs stay true to action.yml', () => {
  const section = readme.slice(readme.indexOf('## GitHub Action'), readme.indexOf('## Architecture'));

  it('the README workflow is the examples/ workflow', () => {
    expect(section).toContain(example.slice(example.indexOf('name: Publish packs')));
  });

  it('the README trusted-publishing workflow is the examples/ one: id-token: write, no secrets', () => {
    expect(section).toContain(
      oidcExample.slice(oidcExample.indexOf('name: Publish packs (trusted publishing)')),
    );
    const workflow = parse(oidcExample) as {
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { uses?: string; with?: object }[] }>;
    };
    expect(workflow.permissions['id-token']).toBe('write');
    expect(oidcExample).not.toContain('secrets.');
    const step = workflow.jobs.publish?.steps.find((s) => s.uses?.endsWith('/packyard@v1'));
    expect(step?.with).toMatchObject({ oidc: true });
    for (const key of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
  });

  it('the README pull-request workflow is the examples/ one: pull-requests: write, a plan step', () => {
    expect(section).toContain(planExample.slice(planExample.indexOf('name: Plan packs')));
    const workflow = parse(planExample) as {
      on: Record<string, unknown>;
      permissions: Record<string, string>;
      jobs: Record<string, { steps: { uses?: string; with?: object }[] }>;
    };
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions['pull-requests']).toBe('write');
    const step = workflow.jobs.plan?.steps.find((s) => s.uses?.endsWith('/packyard@v1'));
    expect(step?.with).toMatchObject({ comment: true });
    for (const key of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    for (const [, name] of planExample.matchAll(/steps\.packyard\.outputs\.([\w-]+)/g))
      expect(Object.keys(action.outputs)).toContain(name);
  });

  it('the workflow uses only declared inputs and outputs', () => {
    const workflow = parse(example) as {
      jobs: Record<string, { steps: { uses?: string; with?: object }[] }>;
    };
    const step = workflow.jobs.publish?.steps.find((s) => s.uses?.endsWith('/packyard@v1'));
    for (const key of Object.keys(step?.with ?? {})) expect(Object.keys(action.inputs)).toContain(key);
    for (const [, name] of example.matchAll(/steps\.packyard\.outputs\.([\w-]+)/g))
      expect(Object.keys(action.outputs)).toContain(name);
  });

  it('the README tables list exactly the inputs and outputs', () => {
    const names = (header: string) => {
      const table = section.slice(section.indexOf(header));
      const rows = table.slice(0, table.indexOf('\n\n')).split('\n').slice(2);
      return rows
        .flatMap((r) => [...(r.split('|')[1] ?? '').matchAll(/`([\w-]+)`/g)].map((m) => m[1]))
        .sort();
    };
    expect(names('| Input |')).toEqual(Object.keys(action.inputs).sort());
    expect(names('| Output |')).toEqual(Object.keys(action.outputs).sort());
  });
});
