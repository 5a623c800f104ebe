/**
 * The rule documentation generated from the catalog: README's rule table and docs/rules.md (each
 * error rule with the consumer behaviour it mirrors and its accept/reject fixtures). The docs test
 * compares them; `UPDATE_DOCS=1 npx vitest run test/unit/docs.test.ts` rewrites them.
 */
import { CONSUMER_FIXTURES } from '../../core/rule-fixtures.ts';
import { type ErrorRuleId, RULES } from '../../core/rules.ts';

export function renderRuleTable(): string {
  const rows = RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${r.description} |`);
  return ['| Rule | Severity | What it checks |', '| --- | --- | --- |', ...rows].join('\n');
}

export function renderRulesDoc(): string {
  const out = [
    '# Lint rules and the consumers they mirror',
    '',
    '<!-- Generated from core/rules.ts and core/rule-fixtures.ts by test/helpers/rules-doc.ts: edit those, then run',
    '     UPDATE_DOCS=1 npx vitest run test/unit/docs.test.ts -->',
    '',
    'An **error** means a consumer would fail: Palette importing the pack, Helm loading or installing',
    "a chart, Kubernetes applying a manifest (Go's YAML parser), Go's template engine rendering it, or",
    "the registry storing it. Where Packyard's own parser is stricter than the consumer's, the finding",
    'is a **warning** that says what the consumer does. Every error rule below names the behaviour it',
    'mirrors and has two fixtures (`core/rule-fixtures.ts`, run by `test/unit/rule-consumers.test.ts`):',
    'one pack the consumer accepts (no error) and one it rejects (the rule fires).',
    '',
    'Severities can be changed per repository and per pack with `.packyard.yaml` (see the README).',
    '',
    '| Rule | Mirrors | Accepted | Rejected |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of RULES) {
    if (r.severity !== 'error') continue;
    const f = CONSUMER_FIXTURES[r.id as ErrorRuleId];
    out.push(
      `| \`${r.id}\` | ${(r as { consumer?: string }).consumer ?? ''} | ${f.accepts.note} | ${f.rejects.note} |`,
    );
  }
  out.push('', '## Warnings', '', '| Rule | What it checks |', '| --- | --- |');
  for (const r of RULES) if (r.severity === 'warning') out.push(`| \`${r.id}\` | ${r.description} |`);
  return `${out.join('\n')}\n`;
}
