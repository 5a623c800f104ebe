import { parseYaml, parseYamlAsGo } from '../parse-yaml.ts';
import { isPlainObject, type LintContext, reportGoOnly } from './context.ts';

const FILE = 'presets.yaml';
// A values path: dot-separated keys; a key may hold "/" (e.g. spectrocloud.com/install-priority is split on dots).
const VALUES_PATH = /^[^\s.]+(\.[^\s.]+)*$/;

/** Lints presets.yaml if present; returns the `Group:name` keys it defines (undefined without the file). */
export function lintPresets(ctx: LintContext): Set<string> | undefined {
  if (!ctx.entry(FILE)) return undefined;
  const defined = new Set<string>();
  const text = ctx.text(FILE);
  if (text === undefined) return defined;
  const parsed = parseYamlAsGo(text);
  if (!parsed.ok) {
    const e = parsed.error;
    if (e) ctx.report('presets/yaml-syntax', FILE, `invalid YAML: ${e.message}`, e.position);
    return defined;
  }
  if (parsed.goOnly) reportGoOnly(ctx, FILE, parsed.goOnly.lines);
  const doc = parsed.docs[0];
  const root = doc?.value;
  // An empty presets.yaml (or "presets:" with nothing under it) offers no presets; Palette is fine with it.
  if (root === null || root === undefined) return defined;
  if (isPlainObject(root) && root.presets === null) return defined;
  if (!doc || !isPlainObject(root) || !Array.isArray(root.presets)) {
    ctx.report(
      'presets/shape',
      FILE,
      'must be a mapping with a "presets:" list',
      doc?.positionOf(['presets']),
    );
    return defined;
  }
  const lines = text.split('\n');
  const seen = new Map<string, number>();
  for (const [i, item] of root.presets.entries()) {
    const at = (...p: (string | number)[]) => doc.positionOf(['presets', i, ...p]);
    if (!isPlainObject(item)) {
      ctx.report(
        'presets/shape',
        FILE,
        `presets[${i}] must be a mapping with name, displayName, group, remove and add`,
        at(),
      );
      continue;
    }
    for (const key of ['name', 'displayName', 'group'] as const) {
      if (typeof item[key] !== 'string' || item[key] === '') {
        ctx.report('presets/shape', FILE, `presets[${i}] needs a non-empty string "${key}"`, at(key));
      }
    }
    if (typeof item.name === 'string' && item.name !== '') {
      const first = seen.get(item.name);
      if (first !== undefined) {
        ctx.report(
          'presets/duplicate-name',
          FILE,
          `preset name "${item.name}" is already used by presets[${first}]; names must be unique`,
          at('name'),
        );
      } else {
        seen.set(item.name, i);
      }
      if (typeof item.group === 'string') defined.add(`${item.group}:${item.name}`);
    }
    if (item.remove !== undefined && item.remove !== null) {
      if (!Array.isArray(item.remove)) {
        ctx.report(
          'presets/shape',
          FILE,
          `presets[${i}].remove must be a list of values paths`,
          at('remove'),
        );
      } else {
        for (const [j, r] of item.remove.entries()) {
          if (typeof r !== 'string' || !VALUES_PATH.test(r)) {
            ctx.report(
              'presets/remove',
              FILE,
              `presets[${i}].remove[${j}] ${JSON.stringify(r)} is not a dotted values path such as "charts.mychart.ingress"`,
              at('remove', j),
            );
          }
        }
      }
    }
    if (item.add !== undefined && item.add !== null) {
      if (typeof item.add !== 'string') {
        ctx.report(
          'presets/shape',
          FILE,
          `presets[${i}].add must be a YAML block string ("add: |")`,
          at('add'),
        );
        continue;
      }
      // The block's content starts on the line after "add: |", indented; map its positions back.
      const header = at('add').line;
      const firstContent = lines.slice(header).find((l) => l.trim() !== '') ?? '';
      const indent = firstContent.length - firstContent.trimStart().length;
      const added = parseYaml(item.add, { lineOffset: header, columnOffset: indent });
      if (!added.ok) {
        const e = added.error;
        if (e)
          ctx.report(
            'presets/add-yaml',
            FILE,
            `presets[${i}] ("${String(item.name)}") add block is invalid YAML: ${e.message}`,
            e.position,
          );
      } else if (
        added.docs[0]?.value !== null &&
        added.docs[0]?.value !== undefined &&
        !isPlainObject(added.docs[0]?.value)
      ) {
        ctx.report(
          'presets/add-yaml',
          FILE,
          `presets[${i}] ("${String(item.name)}") add block must be a mapping of values`,
          at('add'),
        );
      }
    }
  }
  return defined;
}
